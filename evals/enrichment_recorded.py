"""Enrichment from recorded answers only: of the vendored BibTeX and RIS entries that have a DOI or
an arXiv id and no abstract, how many get one?

    .venv/bin/python -m evals.enrichment_recorded

The entries are read by citewise's own readers from every ``.bib`` and ``.ris`` file in
``tests/data/fixtures/`` and ``tests/data/samples/``. Each entry with a DOI or an arXiv id and
no abstract is enriched (``Enricher``, abstract wanted, all four APIs in the default order)
against the tests' replay server holding **only the recorded real answers**
(``ScholarlyServer.recorded()``; none of the hand-written samples): a request for anything else
gets that API's real not-found answer (OpenAlex's HTML 404, Crossref's "Resource not found.",
Semantic Scholar's 404 JSON, arXiv's empty feed) or an empty search page.

So the figure measures the coverage of the recordings, not of the APIs: it is expected to be
small, and the report says which recorded DOIs the entries share.
"""

import argparse
import collections
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant.corpus.paper import Paper
from assistant.corpus.readers import ReadIssue, choose_reader, make_readers
from assistant.scholarly.clients import Apis
from assistant.scholarly.enrich import Enricher, Outcome
from assistant.scholarly.http import Http
from evals.reporting import command_line, write_report
from tests.scholarly_server import ScholarlyServer

MODULE = "evals.enrichment_recorded"
ROOT = Path(__file__).resolve().parents[1] / "tests" / "data"
FOLDERS = (ROOT / "fixtures", ROOT / "samples")
REPORT = Path(__file__).parent / "reports" / "enrichment_recorded.md"
RECORDED_DOIS = (
    "10.1073/pnas.1414271111",
    "10.1371/journal.pone.0033693",
    "10.1136/jclinpath-2020-206745",
    "10.1093/mind/lix.236.433",
)
"""The DOIs the recorded answers are about (the arXiv recordings are about ids 1707.08567 and
astro-ph/0601001)."""


def entries() -> dict[str, list[Paper]]:
    """The records of each .bib and .ris file, by file name."""
    readers = make_readers()
    found: dict[str, list[Paper]] = {}
    for folder in FOLDERS:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".bib", ".ris"):
                continue
            items = choose_reader(path, readers).read(path)
            found[path.name] = [item for item in items if not isinstance(item, ReadIssue)]
    return found


def markdown(files: dict[str, list[Paper]], outcomes: list[Outcome], command: str) -> str:
    chosen = collections.Counter(o.paper.sources[0].path.rsplit("/", 1)[-1] for o in outcomes)
    filled = [o for o in outcomes if o.enriched.has_abstract]
    statuses = collections.Counter(o.status for o in outcomes)
    dois = {o.paper.doi for o in outcomes if o.paper.doi}
    arxiv = {o.paper.arxiv_id for o in outcomes if o.paper.arxiv_id}
    lines = [
        "# Enrichment from recorded answers",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · `{command}`",
        "",
        "| file | entries | with a DOI or arXiv id and no abstract |",
        "|:--|--:|--:|",
        *(f"| {name} | {len(papers)} | {chosen.get(name, 0)} |" for name, papers in files.items()),
        "",
        f"**{len(filled)} of {len(outcomes)}** such entries got an abstract from the recorded "
        f"answers. Outcomes: {dict(statuses)}.",
        "",
        f"The entries carry {len(dois)} distinct DOIs and {len(arxiv)} arXiv ids; the recorded "
        f"answers are about the DOIs {', '.join(RECORDED_DOIS)} and the arXiv ids 1707.08567 "
        f"and astro-ph/0601001. Shared with the entries: "
        f"{', '.join(sorted(dois & set(RECORDED_DOIS))) or 'none'}; arXiv ids shared: "
        f"{', '.join(sorted(arxiv & {'1707.08567', 'astro-ph/0601001'})) or 'none'}. Every other "
        "lookup got the API's real not-found answer, so the count measures how little of these "
        "bibliographies the public recordings cover, not how well the APIs would do. What "
        "enrichment does with an answer is measured by the tests (tests/integration/"
        "test_enrich.py, with hand-written answers in the APIs' shapes) and the title-matching "
        "evaluation.",
    ]
    if filled:
        lines += ["", "Filled:", ""]
        lines += [f"- {o.paper.title} ({o.detail})" for o in filled]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__)
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    files = entries()
    wanted = [
        paper
        for papers in files.values()
        for paper in papers
        if (paper.doi or paper.arxiv_id) and not paper.has_abstract
    ]
    with ScholarlyServer().recorded() as server:
        settings = server.settings()
        apis = Apis.open(settings, Http(settings))
        enricher = Enricher(apis.metadata(settings.sources), ["abstract"])
        outcomes = [enricher.enrich(paper) for paper in wanted]
        requests = len(server.requests)
    filled = sum(o.enriched.has_abstract for o in outcomes)
    print(f"{filled} of {len(outcomes)} entries filled ({requests} requests to the replay server)")
    write_report(args.report, markdown(files, outcomes, command_line(MODULE, argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
