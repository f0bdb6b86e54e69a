"""Ingesting a folder of PDFs again: with the parse cache, and with the cache emptied first.

    .venv/bin/python -m benchmarks.pdf_reingest [--papers 40]

The vendored papers that read (``tests/data/pdf``) are copied into a temporary folder until it
holds ``--papers`` files, each made a file of its own by a comment appended after its end (other
bytes, the same pages). The folder is ingested into a new store three times with ``citewise
ingest``'s own path (``Library.ingest``): first into an empty store and an empty PDF cache (every
PDF read, chunked, embedded and kept); then again, nothing changed (every PDF taken from the
cache, nothing embedded); then again after the PDF cache is emptied (every PDF read anew, nothing
embedded: what every later ingest cost before the cache). Printed: the seconds of each, and the
ratio of the second to the third, measured in one run. The embedder only works in the first
ingest, so the tests' hashing embedding stands in for the model; the cache dir is a temporary
one (the user's is left alone).
"""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from assistant.corpus.readers.pdf.cache import cache_folder
from assistant.library import Library
from assistant.settings import Settings
from evals.drafting_multixscience import pick_embedder
from evals.fulltext_data import PDF_DIR, load_questions


def copies(folder: Path, count: int) -> None:
    """``count`` PDFs of distinct bytes in ``folder``."""
    sources = sorted({PDF_DIR / q.paper for q in load_questions()})
    for n in range(count):
        source = sources[n % len(sources)]
        target = folder / f"{n:04d}-{source.name}"
        target.write_bytes(source.read_bytes() + f"\n% copy {n}\n".encode())


def timed(library: Library, folder: Path) -> tuple[float, str]:
    began = time.perf_counter()
    report = library.ingest([folder])
    seconds = time.perf_counter() - began
    return seconds, (
        f"{report.added} papers added, {report.unchanged} unchanged, {report.pages_read} PDF pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pdf_reingest")
    parser.add_argument("--papers", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["CITEWISE_CACHE"] = str(root / "cache")
        folder = root / "pdfs"
        folder.mkdir()
        copies(folder, args.papers)
        settings = Settings(store={"path": root / "store"})
        library = Library(settings, embedder=pick_embedder(settings, "hash"))
        first, first_report = timed(library, folder)
        warm, warm_report = timed(library, folder)
        shutil.rmtree(cache_folder(), ignore_errors=True)
        cold, cold_report = timed(library, folder)
    print(f"first ingest (read, embed, keep): {first:.1f} s ({first_report})")
    print(f"again, from the cache: {warm:.2f} s ({warm_report})")
    print(f"again, cache emptied first: {cold:.2f} s ({cold_report})")
    print(f"from the cache / read anew: {warm / cold:.3f} ({cold / warm:.1f}x faster)")


if __name__ == "__main__":
    main()
