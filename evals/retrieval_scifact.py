"""SciFact retrieval (BEIR test split, 300 claims): lexical, dense and hybrid search, scored.

    .venv/bin/python -m evals.retrieval_scifact [--limit N] [--store DIR] [--set KEY=VALUE ...]

Ingests the 5,183 SciFact abstracts through ``Library.add_papers`` with the configured embedder
(a temporary store, or ``--store DIR``, reused when it already holds the corpus), then runs every
test claim as a search for 100 papers in four ways: BM25 only, dense only, and hybrid with
reciprocal-rank fusion and with convex fusion. Each paper is mapped back to its BEIR document id
through its citation key. Prints nDCG@10, Recall@10, Recall@100, MRR@100 and the median query
latency per mode, and writes the same table as Markdown to ``evals/reports/scifact_retrieval.md``.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.output import progress as ingest_progress
from assistant.index.embeddings import Embedder
from assistant.index.ingest import IngestReport
from assistant.library import Library, make_embedder
from assistant.retrieval import Mode
from assistant.settings import RetrievalSettings, Settings
from evals.beir import Corpus, Qrels, read_corpus, read_qrels, read_queries
from evals.metrics import mean, mrr_at_k, ndcg_at_k, percentile, recall_at_k
from evals.reporting import command_line, write_report

MODULE = "evals.retrieval_scifact"

DATA = Path(__file__).parent / "data" / "scifact"
REPORT = Path(__file__).parent / "reports" / "scifact_retrieval.md"
STORE_MARK = "evals-scifact.json"
"""Written into a store this eval built: what its chunks and vectors were made with."""

K = 100
"""Papers asked of each search: enough for Recall@100."""

ANCHORS = (
    ("published: BM25 (BEIR paper)", 0.665),
    ("published: all-MiniLM-L6-v2 (MTEB)", 0.645),
)
"""nDCG@10 reported elsewhere for the same split, as points of reference."""

console = Console(stderr=True)


@dataclass(frozen=True)
class Variant:
    label: str
    mode: Mode
    fusion: str = "rrf"


VARIANTS = (
    Variant("lexical (BM25)", "lexical"),
    Variant("dense", "dense"),
    Variant("hybrid, RRF", "hybrid", "rrf"),
    Variant("hybrid, convex", "hybrid", "convex"),
)


@dataclass(frozen=True)
class Scores:
    label: str
    ndcg_10: float
    recall_10: float
    recall_100: float
    mrr_100: float
    p50_ms: float
    p95_ms: float
    papers: float
    """Mean papers returned per query (fewer than ``K`` when chunks of a paper crowd the
    candidates)."""


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    overrides = parse_overrides(args.set)
    queries = read_queries(DATA / "queries.jsonl")
    qrels = read_qrels(DATA / "qrels" / "test.tsv")
    query_ids = list(qrels)[: args.limit] if args.limit else list(qrels)
    corpus = read_corpus(DATA / "corpus.jsonl")
    with _store_dir(args.store) as store:
        sections: dict[str, Any] = {
            **overrides,
            "store": {**overrides.get("store", {}), "path": store},
        }
        settings = Settings(**sections)
        embedder = make_embedder(settings.embedding)
        _check_store(store, settings, embedder)
        library = Library(settings, embedder=embedder)
        started = time.perf_counter()
        with ingest_progress() as update:
            report = library.add_papers(corpus.papers, update)
        ingest_s = time.perf_counter() - started
        papers = [stored.paper for stored in library.store.papers()]
        chunks = library.count_chunks()
        scores = []
        with _progress() as progress:
            for variant in VARIANTS:
                variant_library = Library(_with_fusion(settings, variant.fusion), embedder)
                task = progress.add_task(variant.label, total=len(query_ids))
                scores.append(
                    evaluate(
                        variant_library,
                        variant,
                        corpus,
                        queries,
                        qrels,
                        query_ids,
                        partial(progress.advance, task),
                    )
                )
    facts = {
        "queries": len(query_ids),
        "documents": len(corpus.papers),
        "papers": len(papers),
        "chunks": chunks,
        "merged": merged_papers(corpus, papers),
        "same_title": corpus.same_title(),
        "relevant_merged": _relevant_merged(corpus, papers, qrels, query_ids),
        "ingest_s": ingest_s,
        "ingest": report,
        "embedder": embedder.name,
        "machine": _machine(),
    }
    out = Console(width=None if sys.stdout.isatty() else 120)
    out.print(_table(scores))
    for line in _facts_lines(facts):
        out.print(line, highlight=False)
    markdown = render_markdown(scores, facts, settings, command_line(MODULE, argv))
    write_report(args.report, markdown)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], indent=2), encoding="utf-8")


def evaluate(
    library: Library,
    variant: Variant,
    corpus: Corpus,
    queries: dict[str, str],
    qrels: Qrels,
    query_ids: Sequence[str],
    advance: Callable[[], None],
) -> Scores:
    """Every query as one search for ``K`` papers; the scores are means over the queries."""
    library.search(queries[query_ids[0]], k=K, mode=variant.mode)  # warm caches, not timed
    ndcg, r10, r100, mrr, latencies, returned = [], [], [], [], [], []
    for query_id in query_ids:
        started = time.perf_counter()
        hits = library.search(queries[query_id], k=K, mode=variant.mode)
        latencies.append((time.perf_counter() - started) * 1000)
        returned.append(len(hits))
        ranked = [doc_id for hit in hits for doc_id in corpus.doc_ids(hit.paper)]
        judged = qrels[query_id]
        ndcg.append(ndcg_at_k(ranked, judged, 10))
        r10.append(recall_at_k(ranked, judged, 10))
        r100.append(recall_at_k(ranked, judged, 100))
        mrr.append(mrr_at_k(ranked, judged, 100))
        advance()
    return Scores(
        variant.label,
        mean(ndcg),
        mean(r10),
        mean(r100),
        mean(mrr),
        percentile(latencies, 50),
        percentile(latencies, 95),
        mean(returned),
    )


def merged_papers(corpus: Corpus, papers: Sequence[Any]) -> list[list[str]]:
    """Stored papers that stand for more than one BEIR document, as lists of document ids."""
    return [ids for ids in (corpus.doc_ids(p) for p in papers) if len(ids) > 1]


def _relevant_merged(
    corpus: Corpus, papers: Sequence[Any], qrels: Qrels, query_ids: Sequence[str]
) -> list[str]:
    relevant = {doc for q in query_ids for doc, grade in qrels[q].items() if grade > 0}
    return sorted({d for ids in merged_papers(corpus, papers) for d in ids} & relevant)


# Settings


def parse_overrides(pairs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["retrieval.candidates=200"]`` -> ``{"retrieval": {"candidates": 200}}`` (JSON values)."""
    overrides: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        section, dot, name = key.strip().partition(".")
        if not sep or not dot or not name:
            raise SystemExit(f"--set wants SECTION.FIELD=VALUE, not {pair!r}")
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        overrides.setdefault(section, {})[name] = value
    return overrides


def _with_fusion(settings: Settings, fusion: str) -> Settings:
    retrieval = RetrievalSettings.model_validate(
        {**settings.retrieval.model_dump(), "fusion": fusion}
    )
    return settings.model_copy(update={"retrieval": retrieval})


def _store_built_with(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    return {"embedder": embedder.name, "chunking": settings.chunking.model_dump()}


def _check_store(store: Path, settings: Settings, embedder: Embedder) -> None:
    """Refuse a store built with other chunking: unchanged papers would keep their old chunks."""
    mark = store / STORE_MARK
    wanted = _store_built_with(settings, embedder)
    if mark.is_file():
        found = json.loads(mark.read_text(encoding="utf-8"))
        if found != wanted:
            raise SystemExit(f"{store} was built with {found}, not {wanted}; use another --store")
    else:
        store.mkdir(parents=True, exist_ok=True)
        mark.write_text(json.dumps(wanted), encoding="utf-8")


@contextmanager
def _store_dir(store: Path | None) -> Iterator[Path]:
    if store is not None:
        yield store
        return
    with tempfile.TemporaryDirectory(prefix="citewise-scifact-", ignore_cleanup_errors=True) as d:
        yield Path(d)


# Display


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _rows(scores: Sequence[Scores]) -> list[list[str]]:
    rows = [
        [
            s.label,
            f"{s.ndcg_10:.3f}",
            f"{s.recall_10:.3f}",
            f"{s.recall_100:.3f}",
            f"{s.mrr_100:.3f}",
            f"{s.p50_ms:.1f}",
            f"{s.p95_ms:.1f}",
            f"{s.papers:.1f}",
        ]
        for s in scores
    ]
    rows += [[label, f"{ndcg:.3f}", "", "", "", "", "", ""] for label, ndcg in ANCHORS]
    return rows


HEADERS = ("mode", "nDCG@10", "Recall@10", "Recall@100", "MRR@100", "p50 ms", "p95 ms", "papers")


def _table(scores: Sequence[Scores]) -> Table:
    table = Table(title="SciFact (BEIR test split)")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in _rows(scores):
        table.add_row(*row)
    return table


def _facts_lines(facts: dict[str, Any]) -> list[str]:
    report: IngestReport = facts["ingest"]
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
    same, merged = facts["same_title"], facts["merged"]
    outcome = (
        f"dedup merged them into {len(merged)} papers ({'; '.join(', '.join(m) for m in merged)}),"
        " each mapped back to all its document ids through its sources"
        if merged
        else "dedup kept every one a paper of its own"
    )
    return [
        f"Queries: {facts['queries']}; search asks for {K} papers per query.",
        f"Machine: {facts['machine']} (latencies and ingest time depend on it).",
        f"Corpus: {facts['documents']} BEIR documents -> {facts['papers']} papers, "
        f"{facts['chunks']} chunks; embedder {facts['embedder']}.",
        f"Ingest: {facts['ingest_s']:.1f} s wall ({report.added} added, "
        f"{report.unchanged} unchanged, {report.chunks_embedded} chunks embedded; {phases}).",
        f"Duplicate titles: {sum(len(g) for g in same)} documents share {len(same)} normalised "
        f"titles ({'; '.join(', '.join(g) for g in same) or 'none'}); {outcome}. Judged "
        f"relevant among merged ones: {', '.join(facts['relevant_merged']) or 'none'}.",
    ]


def render_markdown(
    scores: Sequence[Scores], facts: dict[str, Any], settings: Settings, command: str
) -> str:
    lines = [
        "# SciFact retrieval",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Command: `{command}`",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join([":---"] + ["---:"] * (len(HEADERS) - 1)) + "|",
        *("| " + " | ".join(row) + " |" for row in _rows(scores)),
        "",
        "Means over queries. MRR is cut at 100 (the search depth). Latency is one",
        "`Library.search` call (query embedding included), after one untimed warm-up query.",
        f"`papers` is the mean number of papers a search for {K} returned.",
        "",
        *(f"- {line}" for line in _facts_lines(facts)),
        "",
        "Settings that shape retrieval (the others play no part here):",
        "",
        "```json",
        json.dumps(_retrieval_settings(settings), indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def _machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return f"{os.cpu_count()} CPUs, load average {load} when the queries finished"


def _retrieval_settings(settings: Settings) -> dict[str, Any]:
    return settings.model_dump(
        mode="json",
        include={"embedding": True, "chunking": True, "retrieval": True},
        exclude={"embedding": {"api_key"}},
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--limit", type=int, help="only the first N test queries")
    parser.add_argument(
        "--store", type=Path, help="store directory, kept and reused (default: a temporary one)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="a settings override, e.g. retrieval.candidates=200 (repeatable)",
    )
    parser.add_argument("--report", type=Path, default=REPORT, help=f"default {REPORT}")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    return parser


if __name__ == "__main__":
    main()
