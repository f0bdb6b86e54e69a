"""Disk per chunk, write rate and read latency of the store before and after the paper table.

    .venv/bin/python -m benchmarks.store_disk [--chunks 10000] [--before 1e0c69b] [--queries 50]

The same papers, chunks and vectors are written twice in one run: through the store of commit
``--before`` (schema 2: every chunk carrying its paper's record, its identity keys and its
filter fields; its ``store.py`` and ``records.py`` are read from git into a scratch package) and
through today's (schema 3: each record once, in the paper table). Two corpora of about
``--chunks`` chunks each:

(a) abstracts: the demo corpus (``assistant/demo_corpus``: 389 papers, 1-2 chunks each), copied
    under numbered titles until there are enough chunks;
(b) full text: SciFact papers (``evals/data/scifact``), each with its abstract's chunk and
    ``BODY`` body chunks of 320 tokens, cut from the text of the SciFact abstracts that follow
    it, with a section, pages and offsets, as a PDF's body would give.

Vectors are seeded random unit vectors of 384 dimensions (MiniLM's), the same for both layouts:
disk and speed do not depend on their values, and embedding is not what is measured. Writes go
out 64 papers at a time, as ingest's batches do. For each corpus and layout it prints the size
of Chroma's directory per chunk and per paper (and the ratio), chunks per second of
``ChunkStore.write``, the time of ``papers()`` (median of 3), warm p50/p95 of a dense
``query`` for 100 chunks (what hybrid search asks for) and of a hybrid search (``Retriever``:
dense + BM25 + fusion + grouping by paper), the two stores taking turns query by query (the
query vector is random, so what is timed is the store and BM25, not the model). Half of the
first ``--queries`` SciFact claims are asked three times and timed the last two (warm: the
store holds their papers' records in memory since the first); the other half ("new") once
each, afterwards, so Chroma is warm but the records of the papers they find mostly are not
in memory yet. Then the time today's code
takes to upgrade the old store in place, and its size after. Last, where a chunk's bytes go in
today's layout: the same chunks written straight into bare Chroma collections without their
text, with it as the document (today's layout, without the paper table), and with it as a
metadata string instead.
"""

import argparse
import importlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant import paths, retrieval
from assistant.corpus.paper import Paper
from assistant.corpus.readers.beir import BeirReader
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.index.chroma import connect
from assistant.index.chunking import Chunk, chunk_paper
from assistant.index.lexical import LexicalIndex
from assistant.index.records import chunk_metadata
from assistant.index.store import ChunkStore
from assistant.index.tokens import encoding
from assistant.settings import RetrievalSettings, StoreSettings
from benchmarks.scale import SCIFACT, disk_mib
from evals.beir import read_queries

ROOT = Path(__file__).resolve().parent.parent
DIMENSION = 384
BATCH = 64
"""Papers per write, as ``Ingestor`` writes them."""
BODY = 40
WINDOW = 320
"""Tokens per body chunk: the chunker's default window."""


class RandomEmbedder:
    """Seeded random unit vectors: the query side of a store whose vectors are random."""

    name = "random-384"
    dimension = DIMENSION

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = self._rng.standard_normal((len(texts), DIMENSION))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32)


@dataclass(frozen=True)
class Corpus:
    name: str
    papers: list[Paper]
    chunks: list[list[Chunk]]
    """Each paper's chunks."""

    @property
    def chunk_count(self) -> int:
        return sum(map(len, self.chunks))


@dataclass(frozen=True)
class Figures:
    kib_per_chunk: float
    kib_per_paper: float
    write_rate: float
    papers_s: float
    dense_ms: tuple[float, float]
    hybrid_ms: tuple[float, float]
    dense_new_ms: tuple[float, float]
    hybrid_new_ms: tuple[float, float]


def abstracts(target: int) -> Corpus:
    reader = DailyPapersReader()
    seen: dict[str, Paper] = {}
    for dump in sorted(paths.DEMO_CORPUS_DIR.glob("*.txt")):
        for item in reader.read(dump):
            if isinstance(item, Paper):
                seen.setdefault(item.id, item)
    papers: list[Paper] = []
    chunks: list[list[Chunk]] = []
    copy = 0
    while sum(map(len, chunks)) < target:
        for base in seen.values():
            fields = base.model_dump(exclude={"id"})
            paper = Paper(**fields | {"title": f"{base.title} (copy {copy})"})
            papers.append(paper)
            chunks.append(chunk_paper(paper, WINDOW, 1))
            if sum(map(len, chunks)) >= target:
                break
        copy += 1
    return Corpus("abstracts", papers, chunks)


def full_text(target: int) -> Corpus:
    scifact = [p for p in BeirReader().read(SCIFACT / "corpus.jsonl") if isinstance(p, Paper)]
    pool = encoding().encode(" ".join(p.abstract for p in scifact), disallowed_special=())
    papers: list[Paper] = []
    chunks: list[list[Chunk]] = []
    span = BODY * WINDOW
    for number, paper in enumerate(scifact):
        if sum(map(len, chunks)) >= target:
            break
        own = chunk_paper(paper, WINDOW, 1)
        start = number * span % (len(pool) - span)
        body = [
            encoding().decode(pool[start + k * WINDOW : start + (k + 1) * WINDOW])
            for k in range(BODY)
        ]
        papers.append(paper)
        chunks.append(own + [_body(paper, len(own) + k, k, text) for k, text in enumerate(body)])
    return Corpus("full text", papers, chunks)


def _body(paper: Paper, index: int, k: int, text: str) -> Chunk:
    """Body chunk ``k`` of ``paper``: three to a page, eight to a section."""
    page, offset = 1 + k // 3, (k % 3) * len(text)
    return Chunk(
        f"{paper.id}-body{k}",
        paper.id,
        index,
        text,
        f"{paper.title}\n\n{text}",
        kind="body",
        section=f"{1 + k // 8} Section {1 + k // 8}",
        page=page,
        page_end=page,
        start=offset,
        end=offset + len(text),
    )


def write(store: Any, corpus: Corpus, vectors: NDArray[np.float32]) -> float:
    """Write ``corpus`` in batches of ``BATCH`` papers; chunks per second of the writes."""
    spent, row = 0.0, 0
    for start in range(0, len(corpus.papers), BATCH):
        papers = corpus.papers[start : start + BATCH]
        chunks = [c for own in corpus.chunks[start : start + BATCH] for c in own]
        batch = vectors[row : row + len(chunks)]
        row += len(chunks)
        began = time.perf_counter()
        store.write(chunks, batch, {p.id: p for p in papers})
        spent += time.perf_counter() - began
    return row / spent


@dataclass(frozen=True)
class Written:
    """One layout's store of a corpus."""

    store: Any
    retrieval: ModuleType
    """The retrieval module of its commit (a store's chunks are what that one reads)."""
    root: Path
    write_rate: float
    """Chunks per second of its writes."""


Action = Callable[[Any], object]


def paired_ms(
    actions: dict[str, Action], items: Sequence[Any], rounds: int = 2
) -> dict[str, tuple[float, float]]:
    """p50 and p95 of each action over ``items`` (``rounds`` times), in milliseconds. The
    actions take turns on each item, the first one alternating, so that they meet the same
    load (the machine is shared). With ``rounds`` above 1, every item is run once first, to
    warm up."""
    for item in items if rounds > 1 else ():
        for action in actions.values():
            action(item)
    names = list(actions)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for turn, item in enumerate([item for _ in range(rounds) for item in items]):
        for name in names if turn % 2 == 0 else names[::-1]:
            began = time.perf_counter()
            actions[name](item)
            timings[name].append((time.perf_counter() - began) * 1000)
    return {
        name: (statistics.median(t), statistics.quantiles(t, n=20)[-1])
        for name, t in timings.items()
    }


def measure(
    written: dict[str, Written], corpus: Corpus, queries: Sequence[str]
) -> dict[str, Figures]:
    embedder = RandomEmbedder(seed=3)
    vectors = list(embedder.embed(queries))
    seen, new = vectors[: len(vectors) // 2], vectors[len(vectors) // 2 :]
    asked, unasked = queries[: len(queries) // 2], queries[len(queries) // 2 :]
    searches: dict[str, Action] = {}
    for name, w in written.items():
        index = LexicalIndex.build(w.store)
        settings = RetrievalSettings()
        retriever = w.retrieval.Retriever(w.store, lambda index=index: index, embedder, settings)
        searches[name] = retriever.search
    listing: dict[str, Action] = {n: partial(_papers, w.store) for n, w in written.items()}
    dense_at: dict[str, Action] = {n: partial(_dense, w.store) for n, w in written.items()}
    papers = paired_ms(listing, [0] * 3)
    dense, hybrid = paired_ms(dense_at, seen), paired_ms(searches, asked)
    dense_new, hybrid_new = paired_ms(dense_at, new, rounds=1), paired_ms(searches, unasked, 1)
    figures = {}
    for name, w in written.items():
        kib = disk_mib(w.root / "chroma") * 1024
        figures[name] = Figures(
            kib / corpus.chunk_count,
            kib / len(corpus.papers),
            w.write_rate,
            papers[name][0] / 1000,
            dense[name],
            hybrid[name],
            dense_new[name],
            hybrid_new[name],
        )
    return figures


def _papers(store: Any, _: object) -> object:
    return store.papers()


def _dense(store: Any, vector: Any) -> object:
    return store.query(vector, 100)


def old_store_module(commit: str, scratch: Path) -> ModuleType:
    """The store of ``commit``, the records module it reads and writes and the retrieval that
    searches it, as a package (``store`` and ``retrieval`` are its modules)."""
    package = scratch / "schema2"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("index/store", "index/records", "retrieval"):
        source = subprocess.run(
            ["git", "show", f"{commit}:assistant/{name}.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for module in ("records", "store"):
            source = source.replace(f"assistant.index.{module}", f"schema2.{module}")
        (package / f"{name.rpartition('/')[2]}.py").write_text(source)
    sys.path.insert(0, str(scratch))
    for name in ("store", "retrieval"):  # each an attribute of the package once imported
        importlib.import_module(f"schema2.{name}")
    return importlib.import_module("schema2")


def run(corpus: Corpus, old: ModuleType, scratch: Path, queries: Sequence[str]) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((corpus.chunk_count, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    record = statistics.mean(len(p.model_dump_json()) for p in corpus.papers)
    text = statistics.mean(len(c.text) for own in corpus.chunks for c in own)
    print(
        f"\n== {corpus.name}: {len(corpus.papers):,} papers, {corpus.chunk_count:,} chunks "
        f"({corpus.chunk_count / len(corpus.papers):.1f} a paper); a record's JSON "
        f"{record:,.0f} characters, a chunk's text {text:,.0f}"
    )
    written = {}
    layouts = (("before", old.store.ChunkStore, old.retrieval), ("after", ChunkStore, retrieval))
    for layout, store_class, searching in layouts:
        root = scratch / f"{corpus.name.replace(' ', '-')}-{layout}"
        store = store_class(StoreSettings(path=root), RandomEmbedder(seed=0))
        written[layout] = Written(store, searching, root, write(store, corpus, vectors))
    _print(measure(written, corpus, queries))
    root = scratch / f"{corpus.name.replace(' ', '-')}-before"
    began = time.perf_counter()
    ChunkStore(StoreSettings(path=root), RandomEmbedder(seed=0))
    took = time.perf_counter() - began
    print(
        f"upgrading the 'before' store in place: {took:.1f} s "
        f"({corpus.chunk_count / took:,.0f} chunks/s); on disk after: "
        f"{disk_mib(root / 'chroma') * 1024 / corpus.chunk_count:.1f} KiB a chunk "
        "(SQLite keeps the freed pages for later writes)"
    )
    text_share(corpus, vectors, scratch / f"{corpus.name.replace(' ', '-')}-parts")


def text_share(corpus: Corpus, vectors: NDArray[np.float32], root: Path) -> None:
    """KiB a chunk of bare collections holding the chunks' vectors and metadata, and their text
    nowhere, as documents, or as a metadata string."""
    client = connect(StoreSettings(path=root))
    papers = {p.id: p for p in corpus.papers}
    sizes = []
    for variant in ("no text", "text as the document", "text as a metadata string"):
        before = disk_mib(root / "chroma")
        collection = client.create_collection(
            variant.replace(" ", "-"), configuration={"hnsw": {"space": "cosine"}}
        )
        chunks = [c for own in corpus.chunks for c in own]
        for start in range(0, len(chunks), 2000):
            batch = chunks[start : start + 2000]
            metas: list[Any] = [
                {k: v for k, v in chunk_metadata(c, papers[c.paper_id], 1).items() if v is not None}
                | ({"text": c.text} if variant.endswith("string") else {})
                for c in batch
            ]
            texts = [c.text for c in batch] if variant.endswith("document") else None
            rows = vectors[start : start + len(batch)]
            collection.add(
                ids=[c.id for c in batch], embeddings=rows, metadatas=metas, documents=texts
            )
        sizes.append(f"{variant} {(disk_mib(root / 'chroma') - before) * 1024 / len(chunks):.1f}")
    print("a chunk's own share, KiB (bare collections): " + "; ".join(sizes))


def _print(figures: dict[str, Figures]) -> None:
    before, after = figures["before"], figures["after"]
    rows = [
        ("disk, KiB a chunk", before.kib_per_chunk, after.kib_per_chunk, "{:.2f}"),
        ("disk, KiB a paper", before.kib_per_paper, after.kib_per_paper, "{:.1f}"),
        ("writes, chunks/s", before.write_rate, after.write_rate, "{:,.0f}"),
        ("papers(), ms", before.papers_s * 1000, after.papers_s * 1000, "{:,.0f}"),
        ("dense query p50, ms", before.dense_ms[0], after.dense_ms[0], "{:.2f}"),
        ("dense query p95, ms", before.dense_ms[1], after.dense_ms[1], "{:.2f}"),
        ("hybrid search p50, ms", before.hybrid_ms[0], after.hybrid_ms[0], "{:.2f}"),
        ("hybrid search p95, ms", before.hybrid_ms[1], after.hybrid_ms[1], "{:.2f}"),
        ("new: dense p50, ms", before.dense_new_ms[0], after.dense_new_ms[0], "{:.2f}"),
        ("new: dense p95, ms", before.dense_new_ms[1], after.dense_new_ms[1], "{:.2f}"),
        ("new: hybrid p50, ms", before.hybrid_new_ms[0], after.hybrid_new_ms[0], "{:.2f}"),
        ("new: hybrid p95, ms", before.hybrid_new_ms[1], after.hybrid_new_ms[1], "{:.2f}"),
    ]
    print(f"{'':24} {'before':>10} {'after':>10} {'after/before':>13}")
    for label, old, new, form in rows:
        print(f"{label:24} {form.format(old):>10} {form.format(new):>10} {new / old:13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.store_disk", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--chunks", type=int, default=10_000, help="chunks per corpus")
    parser.add_argument("--before", default="1e0c69b", help="the commit whose store is 'before'")
    parser.add_argument("--queries", type=int, default=100, help="SciFact claims to time")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    queries = list(read_queries(SCIFACT / "queries.jsonl").values())[: args.queries]
    scratch = Path(tempfile.mkdtemp(prefix="citewise-store-disk-"))
    try:
        old = old_store_module(args.before, scratch)
        print(
            f"before: the store of {args.before} (schema {old.store.SCHEMA}); "
            "after: this checkout's"
        )
        for corpus in (abstracts(args.chunks), full_text(args.chunks)):
            run(corpus, old, scratch, queries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
