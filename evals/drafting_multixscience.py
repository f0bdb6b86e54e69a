"""Drafting on Multi-XScience (CiteBench's 50-example sample): related work drafted for a paper's
own abstract from the abstracts it cites, scored against the paragraph its authors wrote.

    .venv/bin/python -m evals.drafting_multixscience [--limit N] [--evidence]

Each example gets a fresh store holding only the abstracts the reference paragraph's paper cites
(the data has no titles: each abstract's first words stand in for one), embedded with the
configured embedder. ``tasks.draft`` then runs with the example's own abstract as
``from_abstract`` and every stored paper retrieved as a source, against whatever language model
is configured (``--evidence`` forces evidence mode: no model, a themed outline of extracted
sentences). Scores, as means over the examples:

* ROUGE-L F1 (and P, R) of the draft's sentences, citation markers left out, against the
  reference with its ``[n]`` markers left out (``evals.metrics.rouge_l``, rouge-score's rougeL
  without stemming). The paper's own abstract scored the same way is given as a point of
  reference: text on the same subject that was not written as related work.
* The share of the draft's sentences that cite at least one source.
* Of the papers the draft cites, the share the reference also cites (precision), and of the
  papers the reference cites that were given, the share the draft cites (recall). Every given
  paper is one the reference's paper cites, so precision only falls below 1 where the paragraph
  leaves a given paper uncited (8 examples).

The report is written to ``evals/reports/drafting_multixscience.md``.
"""

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.corpus.paper import Paper
from assistant.errors import AssistantError
from assistant.index.embeddings import Embedder
from assistant.library import Library, make_embedder
from assistant.llm.backend import open_model
from assistant.llm.types import ChatModel
from assistant.results import TaskResult
from assistant.settings import Settings, StoreSettings
from assistant.tasks import draft
from assistant.tasks.events import Finished, TaskEvent
from assistant.tasks.requests import DraftRequest
from evals.metrics import mean, rouge_l
from evals.reporting import command_line, write_report

MODULE = "evals.drafting_multixscience"

DATA = Path(__file__).parent / "data" / "multixscience" / "sample_lu_et_al_multixscience.json"
REPORT = Path(__file__).parent / "reports" / "drafting_multixscience.md"
TITLE_WORDS = 10
CITE = re.compile(r"\[(\d+)\]")
ABS_TAGS = re.compile(r"</?abs>")
STATUSES = ("complete", "incomplete", "failed")
HASH_NOTE = (
    ", the tests' hashing stand-in (`--embedder hash`), not a semantic model. Every given paper"
    " is retrieved whatever the embedding, but the source order, evidence mode's choice of"
    " sentences and its themes depend on it: with the real model these numbers would differ"
)


@dataclass(frozen=True)
class Example:
    number: int
    """1-based position in the data file."""

    abstract: str
    reference: str
    cited: tuple[str, ...]
    """The abstract of the paper the reference cites as ``[n]``, at ``n``; '' where missing."""

    def reference_cites(self) -> set[int]:
        return {int(n) for n in CITE.findall(self.reference) if int(n) < len(self.cited)}

    def given(self) -> set[int]:
        return {n for n, text in enumerate(self.cited) if text.strip()}


@dataclass(frozen=True)
class Scored:
    number: int
    status: str
    given: int
    rouge_p: float
    rouge_r: float
    rouge_f1: float
    abstract_f1: float
    sentences: int
    cited_sentences: int
    draft_cites: list[int]
    reference_cites: list[int]
    words: int
    reference_words: int
    seconds: float
    prompt_tokens: int
    completion_tokens: int
    error: str | None

    @property
    def cited_share(self) -> float:
        return self.cited_sentences / self.sentences if self.sentences else 0.0

    @property
    def precision(self) -> float | None:
        cites = set(self.draft_cites)
        return len(cites & set(self.reference_cites)) / len(cites) if cites else None

    @property
    def recall(self) -> float | None:
        wanted = set(self.reference_cites)
        return len(wanted & set(self.draft_cites)) / len(wanted) if wanted else None


def load(path: Path = DATA) -> list[Example]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        Example(
            n,
            " ".join(ABS_TAGS.sub(" ", row["input"][0]).split()),
            row["target"],
            tuple(row["input"][1:]),
        )
        for n, row in enumerate(rows, 1)
    ]


def papers(example: Example) -> list[Paper]:
    """The given abstracts as papers keyed ``cite<n>``, titled by their first words."""
    found = []
    for n in sorted(example.given()):
        words = example.cited[n].split()
        title = " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")
        found.append(
            Paper(title=f"{title} ({n})", abstract=example.cited[n], citation_key=f"cite{n}")
        )
    return found


async def draft_one(
    example: Example,
    settings: Settings,
    embedder: Embedder,
    model: ChatModel | None,
    paragraphs: int,
    length: int,
) -> Scored:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citewise-mxs-") as store:
        local = settings.model_copy(update={"store": StoreSettings(path=Path(store))})
        library = Library(local, embedder=embedder)
        given = papers(example)
        library.add_papers(given)
        request = DraftRequest(
            from_abstract=example.abstract,
            paragraphs=paragraphs,
            length=length,
            k=max(len(given), 1),
        )
        result = await _result(draft.run(library, request, model, local))
    return score(example, result, time.perf_counter() - started)


async def _result(events: AsyncIterator[TaskEvent]) -> TaskResult:
    """The task's result; a failed one (its error raised after ``Finished``) is kept."""
    result: TaskResult | None = None
    try:
        async for event in events:
            if isinstance(event, Finished):
                result = event.result
    except AssistantError:
        if result is None:
            raise
    if result is None:
        raise RuntimeError("the draft ended without a result")
    return result


def score(example: Example, result: TaskResult, seconds: float) -> Scored:
    text = " ".join(s.text for s in result.sentences) or result.text
    reference = " ".join(CITE.sub(" ", example.reference).split())
    precision, recall, f1 = rouge_l(text, reference)
    keys = {source.number: source.paper.citation_key or "" for source in result.sources}
    draft_cites = {int(keys[n][4:]) for s in result.sentences for n in s.citations if n in keys}
    return Scored(
        number=example.number,
        status=result.status,
        given=len(example.given()),
        rouge_p=precision,
        rouge_r=recall,
        rouge_f1=f1,
        abstract_f1=rouge_l(example.abstract, reference)[2],
        sentences=len(result.sentences),
        cited_sentences=sum(bool(s.citations) for s in result.sentences),
        draft_cites=sorted(draft_cites),
        reference_cites=sorted(example.reference_cites() & example.given()),
        words=len(text.split()),
        reference_words=len(reference.split()),
        seconds=seconds,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        error=result.error,
    )


async def run(
    examples: Sequence[Example], settings: Settings, embedder: Embedder, args: argparse.Namespace
) -> tuple[list[Scored], str]:
    scored = []
    async with open_model(settings.llm) as model:
        generator = "evidence mode (no language model)"
        if model is not None:
            generator = f"{model.info.model} ({model.info.backend}, {model.info.base_url})"
        for example in examples:
            result = await draft_one(
                example, settings, embedder, model, args.paragraphs, args.length
            )
            scored.append(result)
            print(
                f"{example.number:>3}  {result.status:<10} ROUGE-L F1 {result.rouge_f1:.3f}  "
                f"cited {result.cited_share:.2f}  {result.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    return scored, generator


def summary_rows(scored: Sequence[Scored]) -> list[tuple[str, str]]:
    def avg(field: str, digits: int = 3) -> str:
        values = [getattr(s, field) for s in scored]
        return f"{mean([v for v in values if v is not None]):.{digits}f}"

    def total(field: str) -> str:
        return str(sum(getattr(s, field) for s in scored))

    statuses = [sum(s.status == status for s in scored) for status in STATUSES]
    citing = sum(s.precision is not None for s in scored)
    with_reference = sum(s.recall is not None for s in scored)
    seconds = statistics.median([s.seconds for s in scored]) if scored else 0.0
    return [
        ("examples", str(len(scored))),
        ("ROUGE-L F1 (draft vs reference)", avg("rouge_f1")),
        ("ROUGE-L precision / recall", f"{avg('rouge_p')} / {avg('rouge_r')}"),
        ("reference point: the paper's own abstract, ROUGE-L F1", avg("abstract_f1")),
        ("sentences with at least one citation", avg("cited_share")),
        (f"cited papers the reference also cites (precision; {citing} drafts)", avg("precision")),
        (
            f"given papers of the reference the draft cites (recall; {with_reference})",
            avg("recall"),
        ),
        ("words: draft / reference (means)", f"{avg('words', 0)} / {avg('reference_words', 0)}"),
        ("status: " + " / ".join(STATUSES), " / ".join(map(str, statuses))),
        (
            "tokens: prompt / completion (totals)",
            f"{total('prompt_tokens')} / {total('completion_tokens')}",
        ),
        ("seconds per example (median)", f"{seconds:.2f}"),
    ]


def render_markdown(scored: Sequence[Scored], facts: dict[str, str], command: str) -> str:
    lines = [
        "# Drafting: Multi-XScience (CiteBench sample)",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Command: `{command}`",
        "",
        *(f"- {name}: {value}" for name, value in facts.items()),
        "",
        "| metric | value |",
        "|:---|---:|",
        *(f"| {name} | {value} |" for name, value in summary_rows(scored)),
        "",
        "Means over the examples. ROUGE-L: rouge-score's rougeL (LCS of lower-cased alphanumeric",
        "tokens, no stemming), computed by `evals.metrics.rouge_l`; citation markers are left",
        "out of both texts. Precision and recall count only the papers given (those the data set",
        "has an abstract for); precision is over the drafts that cite anything.",
        "",
        "## Per example",
        "",
        "| # | given | reference cites | draft cites | ROUGE-L F1 | cited sentences | status |",
        "|---:|---:|:---|:---|---:|---:|:---|",
        *(
            f"| {s.number} | {s.given} | {_numbers(s.reference_cites)} | {_numbers(s.draft_cites)} "
            f"| {s.rouge_f1:.3f} | {s.cited_sentences}/{s.sentences} | {s.status} |"
            for s in scored
        ),
        "",
    ]
    return "\n".join(lines)


def _numbers(numbers: Sequence[int]) -> str:
    return " ".join(str(n) for n in numbers) or "-"


def pick_embedder(settings: Settings, choice: str) -> Embedder:
    if choice == "hash":
        from tests.fakes import HashEmbedder  # the tests' deterministic stand-in, by request only

        return HashEmbedder()
    try:
        return make_embedder(settings.embedding)
    except (ImportError, AssistantError) as error:
        raise SystemExit(
            f"the configured embedder cannot be loaded ({error}); pass --embedder hash to run "
            "with the tests' hashing embedding instead (the scores then say nothing about the "
            "real model's retrieval and sentence scoring)"
        ) from error


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.evidence:
        settings = settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"backend": "none"})}
        )
    examples = load()[: args.limit] if args.limit else load()
    embedder = pick_embedder(settings, args.embedder)
    scored, generator = asyncio.run(run(examples, settings, embedder, args))
    facts = {
        "generator": generator,
        "embedder": embedder.name + (HASH_NOTE if args.embedder == "hash" else ""),
        "draft options": f"{args.paragraphs} paragraph(s), about {args.length} words each, "
        "every given paper retrieved",
    }
    for name, value in summary_rows(scored):
        print(f"{name:<70} {value}")
    write_report(args.report, render_markdown(scored, facts, command_line(MODULE, argv)))
    if args.json:
        rows = [asdict(s) | {"precision": s.precision, "recall": s.recall} for s in scored]
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--limit", type=int, help="only the first N examples")
    parser.add_argument("--evidence", action="store_true", help="evidence mode: no language model")
    parser.add_argument(
        "--paragraphs",
        type=int,
        default=1,
        help="paragraphs (themes) a draft has (default 1, as the references)",
    )
    parser.add_argument(
        "--length",
        type=int,
        default=120,
        help="words a paragraph (default 120; Multi-XScience related work averages 116)",
    )
    parser.add_argument(
        "--embedder",
        choices=["configured", "hash"],
        default="configured",
        help="the configured embedder (default), or the tests' hashing stand-in",
    )
    parser.add_argument("--report", type=Path, default=REPORT, help=f"default {REPORT}")
    parser.add_argument("--json", type=Path, help="also write the per-example scores as JSON here")
    return parser


if __name__ == "__main__":
    main()
