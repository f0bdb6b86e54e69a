"""Full text against abstracts only: finding the page that answers, and checking claims whose
evidence is in a paper's body.

    .venv/bin/python -m evals.fulltext [--split test|dev|all]

Two stores are built with the real MiniLM model: one from ``papers.bib`` alone (the five papers'
abstracts), one from the same .bib and the papers' PDFs (their full text, deduplicated into the
same papers). On each:

- **Retrieval.** Each question of ``data/fulltext/questions.jsonl`` is searched; the retrieved
  passages (chunks) are ranked by their fused score across papers, and the question counts as
  found at 5 when one of the five best passages is from its paper and covers the page that holds
  its answer (Recall@5 of the right page); also how often the right paper is among the five best
  papers, and how often a top-5 passage holds the answer's quote word for word.
- **Checking.** Each claim of ``data/fulltext/claims.jsonl`` (a true one and an altered one per
  question) is written as a one-sentence Markdown draft citing its paper's key and checked
  (``citewise check``, the offline judge): the verdicts, by claim kind.

The data set was written by reading the PDFs (see its README); ``dev`` questions may be looked at
while tuning, ``test`` ones are reported. Writes ``evals/reports/fulltext.md``.
"""

import argparse
import asyncio
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.history import History
from assistant.library import Library
from assistant.retrieval import Passage
from assistant.settings import Settings
from assistant.tasks.runner import Runner
from evals.fulltext_data import BIB_PATH, PDF_DIR, Claim, Question, fold, load_claims
from evals.fulltext_data import load_questions as load_all_questions
from evals.reporting import command_line, write_report

REPORT = Path(__file__).parent / "reports" / "fulltext.md"
TOP = 5
VERDICTS = ("supported", "partial", "unsupported", "contradicted", "unresolved")


@dataclass
class Retrieval:
    page: int = 0
    paper: int = 0
    quote: int = 0
    asked: int = 0


def open_store(directory: Path, full_text: bool) -> Library:
    library = Library(Settings(store={"path": directory}))
    papers = sorted({q.paper for q in load_all_questions()})
    library.ingest([BIB_PATH, *(PDF_DIR / name for name in papers if full_text)])
    return library


def retrieval(library: Library, questions: Sequence[Question]) -> Retrieval:
    found = Retrieval()
    by_key = {p.citation_key: p.id for p in library.papers()}
    for question in questions:
        hits = library.search(question.question, k=10)
        wanted = by_key.get(question.key)
        passages: list[tuple[Passage, str]] = [
            (passage, hit.paper.id) for hit in hits for passage in hit.passages
        ]
        best = sorted(passages, key=lambda found: -found[0].score)[:TOP]
        found.asked += 1
        found.paper += wanted in [hit.paper.id for hit in hits[:TOP]]
        found.page += any(
            paper == wanted and any(passage.location.covers(page) for page in question.pages)
            for passage, paper in best
        )
        quote = fold(question.quote)[:80]
        found.quote += any(paper == wanted and quote in fold(p.text) for p, paper in best)
    return found


def verdicts(library: Library, claims: Sequence[Claim], work: Path) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {"true": Counter(), "altered": Counter()}
    for kind in sorted({c.alteration for c in claims if c.alteration}):
        counts[f"altered: {kind}"] = Counter()
    with History(work / "history.sqlite3") as history:
        runner = Runner(library.settings, history, lambda: library)
        for claim in claims:
            draft = work / f"{claim.id}.md"
            draft.write_text(f"{claim.claim.rstrip('.')} [@{claim.key}].\n", encoding="utf-8")
            report = asyncio.run(runner.check_file(draft, [BIB_PATH], "offline", 0))
            verdict = report.sentences[0].verdict
            counts[claim.label][verdict] += 1
            if claim.alteration:
                counts[f"altered: {claim.alteration}"][verdict] += 1
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.fulltext")
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    args = parser.parse_args(argv)
    split = None if args.split == "all" else args.split
    questions = load_all_questions(split=split)
    claims = load_claims(split=split)
    rows: dict[str, tuple[Retrieval, dict[str, Counter[str]]]] = {}
    with tempfile.TemporaryDirectory(prefix="citewise-fulltext-") as scratch:
        root = Path(scratch)
        for name, full_text in (("abstracts only", False), ("full text", True)):
            library = open_store(root / name.replace(" ", "-"), full_text)
            work = root / f"{name.replace(' ', '-')}-drafts"
            work.mkdir()
            rows[name] = (retrieval(library, questions), verdicts(library, claims, work))
    write_report(REPORT, _report(rows, args.split, len(questions), len(claims), argv))


def _report(
    rows: dict[str, tuple[Retrieval, dict[str, Counter[str]]]],
    split: str,
    asked: int,
    claimed: int,
    argv: Sequence[str] | None,
) -> str:
    lines = [
        "# Full text against abstracts only",
        "",
        f"Split: {split} ({asked} questions, {claimed} claims: a true and an altered one per "
        "question), on the five CC BY papers of `evals/data/fulltext/` (see its README). "
        "Stores built with all-MiniLM-L6-v2 (int8); checks by the offline judge.",
        "",
        "## Finding the answer",
        "",
        f"| store | right page in the top {TOP} passages | right paper in the top {TOP} | "
        f"quote in the top {TOP} passages |",
        "| --- | --- | --- | --- |",
    ]
    for name, (found, _) in rows.items():
        shares = [_share(n, found.asked) for n in (found.page, found.paper, found.quote)]
        lines.append(f"| {name} | {' | '.join(shares)} |")
    lines += [
        "",
        "## Checking claims whose evidence is in the body",
        "",
        "| store | claims | " + " | ".join(VERDICTS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in VERDICTS) + " |",
    ]
    for name, (_, counts) in rows.items():
        for label, verdicts in counts.items():
            cells = " | ".join(str(verdicts[v]) for v in VERDICTS)
            lines.append(f"| {name} | {label} ({sum(verdicts.values())}) | {cells} |")
    lines += ["", f"Made with `{command_line('evals.fulltext', argv)}`.", ""]
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / max(whole, 1):.2f})"


if __name__ == "__main__":
    main()
