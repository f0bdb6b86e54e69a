"""Citation checking speed: a 300-word draft with 10 citations, against a 5k-paper store.

    .venv/bin/python -m benchmarks.check [--store DIR] [--rounds 5]

The store is SciFact's 5,183 abstracts (evals/data/scifact/corpus.jsonl) embedded with the
configured (real) embedder; it is built once in ``--store`` (default: the cache dir) and reused
by later runs. The draft is made from the corpus with a fixed seed: ten sentences, each an
abstract sentence cited to its paper (eight to the right paper, two to a wrong one, which makes
them unsupported and sends them to the suggestion search), and connecting sentences without a
citation, one of them a claim (suggestions too); about 300 words in all. It is checked with the
offline judge, suggestions on (3 papers a sentence), as ``citewise check`` does. Printed:

- cold: the first check after the store changed (the paper index is built from the whole store)
  with nothing embedded yet;
- new process, disk cache warm: a fresh judge and paper index, both read from the cache dir
  (what a CI job re-checking a draft sees, minus start-up and the model load);
- warm: the median of ``--rounds`` repeated checks in one process (the target: <= 1 s).
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant import paths
from assistant.citations.check import (
    Calibration,
    Checker,
    CheckReport,
    OfflineJudge,
    Resolver,
    parse_draft,
    resolve,
)
from assistant.citations.check.offline import VectorCache
from assistant.library import Library
from assistant.settings import Settings
from evals.check_scifact import load_corpus

SCIFACT = Path(__file__).resolve().parent.parent / "evals" / "data" / "scifact" / "corpus.jsonl"
SEED = 7
TARGET_S = 1.0
CONNECTIVES = [
    "Several lines of evidence bear on this question.",
    "Physical activity is widely believed to slow cognitive decline in older adults.",
    "The findings below come from cohort studies and randomised trials.",
    "Taken together, these results point in a consistent direction.",
    "Some of the evidence, however, is indirect.",
]


def build_store(store: Path) -> Library:
    library = Library(Settings(store={"path": store}))
    if library.count_chunks() >= 5000:
        return library
    started = time.perf_counter()
    report = library.ingest([SCIFACT])
    print(f"built the store: {report.added} papers in {time.perf_counter() - started:.0f} s")
    return library


def make_draft(seed: int = SEED) -> str:
    """About 300 words: ten cited abstract sentences (two cited to the wrong paper)."""
    corpus = load_corpus()
    rng = random.Random(seed)
    ids = [i for i in sorted(corpus) if len(corpus[i].sentences) >= 3]
    chosen = rng.sample(ids, 12)
    cited, wrong = chosen[:10], chosen[10:]
    lines: list[str] = []
    for n, doc_id in enumerate(cited):
        sentences = [
            s
            for s in corpus[doc_id].sentences
            if 18 <= len(s.split()) <= 35 and not s.split()[0].isupper()
        ]
        text = (sentences or list(corpus[doc_id].sentences))[0].rstrip(".")
        key = wrong[n - 8] if n >= 8 else doc_id
        lines.append(f"{text} [@{key}].")
        if n % 2 == 1:
            lines.append(CONNECTIVES[n // 2])
    return " ".join(lines)


async def check(library: Library, text: str, judge: OfflineJudge) -> CheckReport:
    draft = parse_draft(text, "markdown")
    checker = Checker(judge, library, library.settings.check.suggestions)
    return await checker.check_draft(draft, Resolver(library))


def timed(library: Library, text: str, judge: OfflineJudge) -> tuple[float, CheckReport]:
    started = time.perf_counter()
    report = asyncio.run(check(library, text, judge))
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, default=paths.cache_dir() / "benchmarks" / "check-scifact"
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    library = build_store(args.store)
    text = make_draft()
    library.embedder.embed(["warm up the model"])
    library.search("warm up the indexes")
    calibration = Calibration.load()
    with tempfile.TemporaryDirectory() as tmp:

        def judge() -> OfflineJudge:
            vectors = VectorCache(library.embedder, Path(tmp) / "vectors.sqlite")
            return OfflineJudge(library.embedder, calibration, vectors)

        resolve.index_path(library).unlink(missing_ok=True)  # cold: the paper index is built
        cold, report = timed(library, text, judge())
        resolve._INDEXES.clear()  # as in a new process: the paper index is read from disk
        fresh, _ = timed(library, text, judge())
        same = judge()
        timed(library, text, same)
        warm = [timed(library, text, same)[0] for _ in range(args.rounds)]
    metrics = report.metrics
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(metrics.verdicts.items()))
    citations = sum(len(s.citations) for s in report.sentences)
    print(
        f"draft: {len(text.split())} words, {metrics.sentences} sentences, {citations} "
        f"citations; {verdicts}"
    )
    print(f"store: {library.count_chunks()} chunks; embedder {library.embedder.name}")
    print(f"cold (empty caches):            {cold:6.2f} s")
    print(f"new process, disk cache warm:   {fresh:6.2f} s")
    median = statistics.median(warm)
    verdict = "ok" if median <= TARGET_S else "over target"
    print(
        f"warm (median of {args.rounds}):             {median:6.2f} s  "
        f"(target <= {TARGET_S:.1f} s: {verdict})"
    )


if __name__ == "__main__":
    main()
