"""Ingest throughput (parse, chunk, embed, store), re-ingest speed-up, search latency, memory.

    .venv/bin/python -m benchmarks.ingest_search [--scale 100000]

Corpora: the demo corpus and the SciFact corpus (evals/data/scifact). Latency is measured warm,
with the real query path (MiniLM query embedding, Chroma HNSW, BM25, fusion, per-paper grouping),
on stores of SciFact's ~7.4k chunks and ``--scale`` chunks. The large store is the synthetic
scale-up of ``benchmarks.scale`` (which grows one store to a million chunks and measures it on the
way): SciFact's real chunks plus synthetic papers whose text is a shuffle of real sentences and
whose vectors are real vectors plus Gaussian noise (sigma 0.05, renormalised), written straight
to the store so the benchmark does not spend an hour embedding text nobody reads.
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

from assistant import paths
from assistant.library import Library
from assistant.settings import Settings
from benchmarks.scale import SCIFACT, Seed, Synthesizer, disk_mib, grow, latency_ms

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
    p50, p95 = latency_ms(library, QUERIES, rounds)
    print(
        f"  search at {label:>12}: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms "
        f"({rounds * len(QUERIES)} queries)"
    )


def scale_up(library: Library, target: int) -> None:
    """Add synthetic chunks until the store holds ``target``."""
    synthesizer = Synthesizer(Seed.from_store(library.store), library.settings.chunking)
    steps = list(grow(library, synthesizer, [target]))
    rate = sum(s.chunks for s in steps) / sum(s.write_s for s in steps)
    started = time.perf_counter()
    library.lexical()
    print(
        f"  scale-up to {library.count_chunks()} chunks: store writes {rate:.0f} chunks/s, "
        f"BM25 rebuild {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="chunks in the large store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ingest_figures("demo corpus", paths.DEMO_CORPUS_DIR, root / "demo")
        scifact = ingest_figures("SciFact corpus", SCIFACT / "corpus.jsonl", root / "scifact")
        print("\n## Search latency (warm, hybrid, k=10)")
        # ~7.4k chunks: SciFact's own store (5,183 abstracts, 1.4 chunks each).
        latency(scifact, f"{scifact.count_chunks()} chunks")
        scale_up(scifact, args.scale)
        latency(scifact, f"{scifact.count_chunks()} chunks")
        size = disk_mib(root / "scifact")
        print(f"\n  disk for {scifact.count_chunks()} chunks: {size:.0f} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
