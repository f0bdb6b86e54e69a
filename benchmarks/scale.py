"""One local store grown to a million chunks: write rate, BM25 upkeep, latency, memory, disk.

    .venv/bin/python -m benchmarks.scale [--target 1000000] [--checkpoints 10000,100000,1000000]
        [--store DIR] [--keep] [--real N] [--batch 5000] [--every N] [--queries 50]
    .venv/bin/python -m benchmarks.scale --remeasure DIR   # a kept store's figures, again

The store is a temporary directory (deleted at the end), or ``--store DIR`` (new or empty; kept
with ``--keep``): Chroma's ``PersistentClient`` files under ``DIR/chroma``, the BM25 index under
``DIR/lexical``. It is filled in two ways:

1. Real: the SciFact abstracts (``evals/data/scifact/corpus.jsonl``, 5,183; ``--real N`` takes the
   first N) go through ``Library.add_papers``, the path ingestion takes: deduplicated, chunked
   with the configured chunker (320 tokens, one sentence of overlap: ~7.4k chunks, 1.43 per
   paper), embedded with the configured embedder (MiniLM, int8, by default) and written. This is
   the only embedding the benchmark does; its rate is printed, because at real ingest embedding,
   not the store write, is what takes the time.
2. Synthetic, up to ``--target`` chunks: synthetic paper i copies real paper i mod N. Its title is
   ``Synthetic i: <real title>``, its year 1990 + i mod 35, its tag ``s<i mod 10>``; its abstract
   holds as many sentences as the real one, drawn at random from every real sentence of more than
   30 characters; it is chunked with the same chunker (so ~1.4 chunks per paper, and search
   groups chunks by paper as it would for real ones). Chunk j's vector is the real paper's chunk
   j vector (its last, when it has fewer chunks) plus Gaussian noise, sigma 0.05 per dimension,
   renormalised: cosine ~0.7 to its source. Batches of ``--batch`` chunks (5,000, below Chroma's
   local maximum of 5,461) go to ``ChunkStore.write``, the write ingestion uses; one batch is in
   memory at a time.

While it grows it prints the store-write rate (chunks per second of ``ChunkStore.write``, and
with the synthesis included) for the first batch, every ``--every`` chunks (target / 20 by
default), and the last. At each checkpoint (and the target) it times:

- the BM25 index catching up with the writes since the last checkpoint (``Library.lexical()``,
  which every ingest runs afterwards; a full rebuild when they are over half of the index);
- the warm search latency, p50/p95, of ``Library.search`` (hybrid: MiniLM query embedding,
  Chroma HNSW, BM25, fusion, grouping by paper) over the first ``--queries`` SciFact claims,
  each run once to warm up first;
- one more write of ``SMALL`` synthetic chunks, then the BM25 index catching up with it (what
  an ingest of a few hundred papers pays), and loading the saved index (what a new process,
  ``citewise search``, pays);
- peak and current RSS and the size on disk of ``chroma/`` and ``lexical/``.

A table of the checkpoints ends the run, with what a real ingest of ``--target`` chunks would
take here.
"""

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from assistant.corpus.paper import Paper, Source
from assistant.corpus.readers.base import ReadIssue
from assistant.corpus.readers.beir import BeirReader
from assistant.index.chroma import PAGE
from assistant.index.chunking import Chunk, chunk_paper
from assistant.index.lexical import LexicalIndex
from assistant.index.records import StoredChunk
from assistant.index.store import ChunkStore
from assistant.library import Library
from assistant.sentences import split_sentences
from assistant.settings import ChunkSettings, Settings
from evals.beir import read_queries

SCIFACT = Path(__file__).resolve().parent.parent / "evals" / "data" / "scifact"
BATCH = 5000
SMALL = 500
"""Chunks in the write timed after each checkpoint: about what a 350-paper ingest writes."""
"""Chunks per store write: Chroma's local client takes at most 5,461."""
SIGMA = 0.05
SYNTHETIC = "Synthetic "
MIN_SENTENCE = 30


@dataclass(frozen=True)
class Seed:
    """The real chunks the synthetic ones are made from."""

    papers: list[tuple[Paper, int, list[int]]]
    """Each real paper, the sentences of its abstract, and its chunks' rows in ``vectors``."""

    vectors: NDArray[np.float32]
    sentences: list[str]

    @classmethod
    def from_store(cls, store: ChunkStore, limit: int | None = None) -> "Seed":
        """The real chunks among the first ``limit`` written (all, by default)."""
        by_paper: dict[str, list[StoredChunk]] = {}
        for chunk in store.chunks(limit=limit):
            if not chunk.paper.title.startswith(SYNTHETIC):
                by_paper.setdefault(chunk.paper.id, []).append(chunk)
        ordered = [sorted(chunks, key=lambda c: c.index) for chunks in by_paper.values()]
        ids = [c.id for chunks in ordered for c in chunks]
        found: dict[str, NDArray[np.float32]] = {}
        for start in range(0, len(ids), PAGE):
            found.update(store.vectors(ids[start : start + PAGE]))
        papers: list[tuple[Paper, int, list[int]]] = []
        sentences: list[str] = []
        row = 0
        for chunks in ordered:
            paper = chunks[0].paper
            own = split_sentences(paper.abstract)
            sentences.extend(s for s in own if len(s) > MIN_SENTENCE)
            papers.append((paper, len(own), list(range(row, row + len(chunks)))))
            row += len(chunks)
        vectors = np.stack([found[i] for i in ids]).astype(np.float32)
        return cls(papers, vectors, sentences)


class Synthesizer:
    """Synthetic papers, their chunks and vectors, as the module docstring describes."""

    def __init__(
        self, seed: Seed, chunking: ChunkSettings, random_seed: int = 7, first: int = 0
    ) -> None:
        self.seed = seed
        self.chunking = chunking
        self.made = first
        self._rng = np.random.default_rng(random_seed)
        self._shuffle = random.Random(random_seed)

    def make(self, at_least: int) -> tuple[list[Chunk], NDArray[np.float32], dict[str, Paper]]:
        """Whole papers until there are ``at_least`` chunks (a paper's few more at most)."""
        chunks: list[Chunk] = []
        rows: list[int] = []
        papers: dict[str, Paper] = {}
        while len(chunks) < at_least:
            i = self.made
            base, sentences, base_rows = self.seed.papers[i % len(self.seed.papers)]
            paper = Paper(
                title=f"{SYNTHETIC}{i}: {base.title}",
                abstract=" ".join(self._shuffle.sample(self.seed.sentences, sentences)),
                year=1990 + i % 35,
                tags=[f"s{i % 10}"],
                sources=[Source(path="synthetic", format="benchmark", record=i + 1)],
            )
            own = chunk_paper(paper, self.chunking.max_tokens, self.chunking.overlap_sentences)
            chunks.extend(own)
            rows.extend(base_rows[min(j, len(base_rows) - 1)] for j in range(len(own)))
            papers[paper.id] = paper
            self.made += 1
        noisy = self.seed.vectors[rows] + self._rng.normal(
            0, SIGMA, (len(rows), self.seed.vectors.shape[1])
        )
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        return chunks, noisy.astype(np.float32), papers


@dataclass(frozen=True)
class Step:
    chunks: int
    papers: int
    total: int
    """Chunks in the store after this step."""
    make_s: float
    write_s: float


def grow(
    library: Library, synthesizer: Synthesizer, stops: Sequence[int], batch: int = BATCH
) -> Iterator[Step]:
    """Write synthetic batches until the store holds ``stops[-1]`` chunks; a batch ends at each
    stop, so the caller can measure there."""
    total = library.count_chunks()
    for stop in stops:
        while total < stop:
            started = time.perf_counter()
            chunks, vectors, papers = synthesizer.make(min(batch, stop - total))
            made = time.perf_counter()
            library.store.write(chunks, vectors, papers)
            written = time.perf_counter()
            total += len(chunks)
            yield Step(len(chunks), len(papers), total, made - started, written - made)


@dataclass
class Meter:
    """Synthetic chunks written, and the seconds spent making and writing them."""

    chunks: int = 0
    make_s: float = 0.0
    write_s: float = 0.0

    def add(self, step: Step) -> None:
        self.chunks += step.chunks
        self.make_s += step.make_s
        self.write_s += step.write_s

    @property
    def total_s(self) -> float:
        return self.make_s + self.write_s


def latency_ms(library: Library, queries: Sequence[str], rounds: int = 1) -> tuple[float, float]:
    """Warm p50 and p95 of ``Library.search`` (hybrid), in milliseconds."""
    for query in queries:  # warm up: model, HNSW pages, BM25 arrays
        library.search(query)
    timings = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            library.search(query)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def memory_mib() -> tuple[float, float]:
    """Peak RSS (getrusage) and current RSS (VmRSS), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return peak, int(line.split()[1]) / 1024
    return peak, float("nan")


@dataclass(frozen=True)
class Checkpoint:
    chunks: int
    papers: int
    write_rate: float
    """Chunks per second of store writes over the last interval."""
    catch_up_s: float
    """``Library.lexical()`` after the writes since the last checkpoint (a full rebuild when
    they are more than half the index)."""
    small_s: float
    """``Library.lexical()`` after one more write of ``SMALL`` chunks: what an ingest pays."""
    load_s: float
    """Loading the saved lexical index, as a new process (``citewise search``) does."""
    p50_ms: float
    p95_ms: float
    peak_mib: float
    rss_mib: float
    written_rss_mib: float
    """RSS after the writes, before the lexical index caught up."""
    chroma_mib: float
    lexical_mib: float
    elapsed_s: float


def seed_store(library: Library, limit: int | None) -> float:
    """Ingest the real SciFact abstracts; return the embedding rate in chunks per second."""
    records = []
    for item in BeirReader().read(SCIFACT / "corpus.jsonl"):
        if isinstance(item, ReadIssue):
            raise SystemExit(f"unreadable SciFact corpus: {item}")
        records.append(item)
    records = records[:limit]
    print(f"embedding {len(records):,} SciFact abstracts (Library.add_papers) ...")
    library.embedder.embed(["warm up"])  # load the model first: the rate is the steady one
    started = time.perf_counter()
    report = library.add_papers(records)
    total = time.perf_counter() - started
    rate = report.chunks_embedded / report.seconds["embed"]
    print(
        f"real ingest: {report.added} SciFact papers, {report.chunks_embedded} chunks in "
        f"{total:.0f} s; embedding {rate:.1f} chunks/s "
        f"({report.added / report.seconds['embed']:.1f} abstracts/s), "
        f"{library.embedder.name}"
    )
    return rate


def measure(
    library: Library,
    synthesizer: "Synthesizer",
    root: Path,
    queries: Sequence[str],
    papers: int,
    rate: float,
    began: float,
) -> tuple[Checkpoint, int]:
    """The figures at this size, and how many papers the extra small write added."""
    chunks = library.count_chunks()
    _, written = memory_mib()
    catch_up_s = timed(library.lexical)
    p50, p95 = latency_ms(library, queries)
    small, vectors, small_papers = synthesizer.make(SMALL)
    library.store.write(small, vectors, small_papers)
    small_s = timed(library.lexical)
    load_s = timed(lambda: LexicalIndex.load(library.lexical_dir))
    peak, rss = memory_mib()
    point = Checkpoint(
        chunks,
        papers,
        rate,
        catch_up_s,
        small_s,
        load_s,
        p50,
        p95,
        peak,
        rss,
        written,
        disk_mib(root / "chroma"),
        disk_mib(root / "lexical"),
        time.perf_counter() - began,
    )
    print(
        f"  == {chunks:,} chunks: BM25 caught up in {catch_up_s:.1f} s; search p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms ({len(queries)} queries); then a {len(small)}-chunk write: BM25 "
        f"caught up in {small_s:.2f} s; loading the saved BM25 {load_s:.2f} s; RSS peak "
        f"{peak:,.0f} MiB, now {rss:,.0f} MiB ({written:,.0f} before catching up); disk chroma "
        f"{point.chroma_mib:,.0f} MiB, lexical {point.lexical_mib:,.0f} MiB"
    )
    return point, len(small_papers)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def report(points: Sequence[Checkpoint], embed_rate: float, write_rate: float, target: int) -> None:
    print(
        "\n   chunks    papers  write/s  BM25 s  +small s  load s  p50 ms  p95 ms  peak MiB"
        "  RSS MiB  RSS pre-BM25  chroma MiB  lexical MiB  elapsed s"
    )
    for p in points:
        print(
            f"{p.chunks:9,} {p.papers:9,} {p.write_rate:8,.0f} {p.catch_up_s:7.1f}"
            f" {p.small_s:8.2f} {p.load_s:7.2f} {p.p50_ms:7.1f} {p.p95_ms:7.1f}"
            f" {p.peak_mib:9,.0f} {p.rss_mib:8,.0f} {p.written_rss_mib:13,.0f}"
            f" {p.chroma_mib:11,.0f} {p.lexical_mib:12,.0f} {p.elapsed_s:10,.0f}"
        )
    print()
    for size in dict.fromkeys((target, 1_000_000)):
        print(
            f"at {embed_rate:.1f} chunks/s real embedding on this machine, {size:,} chunks = "
            f"{size / embed_rate / 3600:.1f} hours (plus {size / write_rate / 3600:.2f} hours "
            f"of store writes at the mean {write_rate:,.0f} chunks/s measured here)"
        )


@contextmanager
def store_dir(path: Path | None, keep: bool) -> Iterator[Path]:
    if path is not None and path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} is not empty: give a new or empty directory")
    root = path or Path(tempfile.mkdtemp(prefix="citewise-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        yield root
    finally:
        if keep:
            print(f"store kept at {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def remeasure(root: Path, queries: Sequence[str]) -> None:
    """The checkpoint figures of a store this benchmark kept (``--keep``), at its size."""
    began = time.perf_counter()
    library = Library(Settings(store={"path": root}))
    seed = Seed.from_store(library.store, limit=20_000)  # the real chunks were written first
    made = library.count_chunks()  # numbers past every synthetic paper already there
    synthesizer = Synthesizer(seed, library.settings.chunking, first=made)
    measure(library, synthesizer, root, queries, 0, float("nan"), began)  # papers: not printed


def main() -> None:
    args = _parser().parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    if args.remeasure:
        remeasure(
            args.remeasure, list(read_queries(SCIFACT / "queries.jsonl").values())[: args.queries]
        )
        return
    stops = sorted({c for c in args.checkpoints if c < args.target} | {args.target})
    every = args.every or max(args.batch, round(args.target / 20 / args.batch) * args.batch)
    queries = list(read_queries(SCIFACT / "queries.jsonl").values())[: args.queries]
    began = time.perf_counter()
    with store_dir(args.store, args.keep) as root:
        library = Library(Settings(store={"path": root}))
        embed_rate = seed_store(library, args.real)
        synthesizer = Synthesizer(Seed.from_store(library.store), library.settings.chunking)
        papers = len(synthesizer.seed.papers)
        points = []
        if stops[0] <= library.count_chunks():  # checkpoints the real chunks already pass
            point, added = measure(library, synthesizer, root, queries, papers, float("nan"), began)
            points.append(point)
            papers += added
        pending = [s for s in stops if s > library.count_chunks()]
        interval, overall, rate = Meter(), Meter(), float("nan")
        for step in grow(library, synthesizer, list(pending), args.batch):
            papers += step.papers
            interval.add(step)
            overall.add(step)
            checkpoint = step.total >= pending[0]  # a batch ends at each, a paper over at most
            pending = [s for s in pending if s > step.total] or [args.target]
            crossed = step.total // every > (step.total - interval.chunks) // every
            if overall.chunks == step.chunks or crossed or checkpoint:
                rate = interval.chunks / interval.write_s
                print(
                    f"  {step.total - interval.chunks:>9,} -> {step.total:>9,} chunks: store "
                    f"write {rate:7,.0f} chunks/s ({interval.chunks / interval.total_s:,.0f} "
                    f"with synthesis), {time.perf_counter() - began:,.0f} s elapsed"
                )
                interval = Meter()
            if checkpoint:
                point, added = measure(library, synthesizer, root, queries, papers, rate, began)
                points.append(point)
                papers += added
        report(points, embed_rate, overall.chunks / overall.write_s, args.target)
    peak, _ = memory_mib()
    print(f"wall time {time.perf_counter() - began:,.0f} s, peak RSS {peak:,.0f} MiB")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--target", type=int, default=1_000_000, help="chunks to grow to")
    parser.add_argument(
        "--checkpoints",
        type=lambda s: [int(c) for c in s.split(",")],
        default=[10_000, 100_000, 1_000_000],
        help="comma-separated chunk counts to measure at (the target always is)",
    )
    parser.add_argument("--store", type=Path, help="a new or empty directory for the store")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    parser.add_argument(
        "--remeasure",
        type=Path,
        metavar="DIR",
        help="measure a store a previous run kept, at its size (no growth)",
    )
    parser.add_argument("--real", type=int, help="ingest only the first N SciFact abstracts")
    parser.add_argument("--batch", type=int, default=BATCH, help="chunks per store write")
    parser.add_argument("--every", type=int, default=0, help="chunks per write-rate line")
    parser.add_argument("--queries", type=int, default=50, help="SciFact claims to time")
    return parser


if __name__ == "__main__":
    main()
