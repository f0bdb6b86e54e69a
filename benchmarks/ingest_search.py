"""Ingest throughput (parse, chunk, embed, store), re-ingest speed-up, search latency, memory.

    .venv/bin/python -m benchmarks.ingest_search [--scale 100000]

Corpora: the demo corpus and the SciFact corpus (evals/data/scifact). Latency is measured warm,
with the real query path (MiniLM query embedding, Chroma HNSW, BM25, fusion, per-paper grouping),
on stores of 5k and ``--scale`` chunks. The large store is a synthetic scale-up: SciFact's real
chunks plus copies whose text is a shuffle of real sentences and whose vector is a real vector
plus Gaussian noise (sigma 0.05, renormalised), written straight to the store so the benchmark
does not spend an hour embedding text nobody reads.
"""

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant import paths
from assistant.corpus.paper import Paper
from assistant.index.chunking import chunk_paper
from assistant.library import Library
from assistant.settings import Settings

SCIFACT = Path(__file__).resolve().parent.parent / "evals" / "data" / "scifact" / "corpus.jsonl"
QUERIES = [
    "how do mixture-of-experts models route tokens to experts",
    "efficient attention for long sequences",
    "state space models compared with transformers",
    "parameter-efficient fine-tuning with adapters",
    "in-context learning emerges in large language models",
    "vitamin D supplementation and fracture risk",
    "gene expression in cancer cells",
    "quantisation of weights to four bits",
]


def ingest_figures(name: str, source: Path, store: Path) -> Library:
    library = Library(Settings(store={"path": store}))
    started = time.perf_counter()
    first = library.ingest([source])
    total = time.perf_counter() - started
    started = time.perf_counter()
    again = library.ingest([source])
    repeat = time.perf_counter() - started
    s = first.seconds
    print(f"\n## {name}: {first.added} papers, {first.chunks_embedded} chunks")
    print(f"  first ingest {total:7.2f} s = " + ", ".join(f"{k} {v:.2f} s" for k, v in s.items()))
    print(
        f"  embedding    {first.added / s['embed']:7.1f} abstracts/s "
        f"({first.chunks_embedded / s['embed']:.1f} chunks/s)"
    )
    print(f"  overall      {first.added / total:7.1f} papers/s")
    print(
        f"  re-ingest    {repeat:7.2f} s ({again.unchanged} unchanged): "
        f"{total / repeat:.0f}x faster than the first"
    )
    return library


def latency(library: Library, label: str, rounds: int = 5) -> None:
    for query in QUERIES:  # warm up: model, HNSW pages, BM25 arrays
        library.search(query)
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            library.search(query)
            timings.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"  search at {label:>12}: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms ({len(timings)} queries)")


def scale_up(library: Library, target: int, seed: int = 7) -> None:
    """Add synthetic chunks until the store holds ``target``."""
    rng = np.random.default_rng(seed)
    shuffle = random.Random(seed)
    real = list(library.store.chunks())
    vectors = library.store.vectors([c.id for c in real])
    sentences = [s for c in real for s in c.text.split(". ") if len(s) > 30]
    need = target - library.count_chunks()
    batch = 2000
    started = time.perf_counter()
    for start in range(0, need, batch):
        papers, chunks, rows = {}, [], []
        for i in range(start, min(start + batch, need)):
            base = real[i % len(real)]
            text = ". ".join(shuffle.sample(sentences, 6)) + "."
            paper = Paper(
                title=f"Synthetic {i}: {base.paper.title}",
                abstract=text,
                year=1990 + i % 35,
                tags=[f"s{i % 10}"],
            )
            (chunk,) = chunk_paper(paper, 100_000, 0)
            papers[paper.id] = paper
            chunks.append(chunk)
            noisy = vectors[base.id] + rng.normal(0, 0.05, vectors[base.id].shape)
            rows.append(noisy / np.linalg.norm(noisy))
        library.store.write(chunks, np.asarray(rows, dtype=np.float32), papers)
    rate = need / (time.perf_counter() - started)
    started = time.perf_counter()
    library.lexical()
    print(
        f"  scale-up to {library.count_chunks()} chunks: store writes {rate:.0f} chunks/s, "
        f"BM25 rebuild {time.perf_counter() - started:.1f} s"
    )


def disk(path: Path) -> str:
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return f"{size / 2**20:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="chunks in the large store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ingest_figures("demo corpus", paths.DEMO_CORPUS_DIR, root / "demo")
        scifact = ingest_figures("SciFact corpus", SCIFACT, root / "scifact")
        print("\n## Search latency (warm, hybrid, k=10)")
        # 5k chunks: SciFact's own store (5,183 abstracts, a few split in two).
        latency(scifact, f"{scifact.count_chunks()} chunks")
        scale_up(scifact, args.scale)
        latency(scifact, f"{scifact.count_chunks()} chunks")
        print(f"\n  disk for {scifact.count_chunks()} chunks: {disk(root / 'scifact')}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
