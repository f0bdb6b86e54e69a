"""PDF reading speed: pages parsed per second and seconds per paper, on the vendored papers.

    python benchmarks/pdf_reader.py [--repeats 5] [--long-pages 1000]

Each vendored paper (tests/data/pdf, the ones that read) is read whole with ``read_pdf`` —
pdfium, reading order, cleaning, sections, references, identity — ``--repeats`` times. Other
processes on a shared machine only slow a run down, so for each paper the fastest run is kept
(and the median beside it); process CPU time is printed too, which the other processes do not
inflate. Then a generated ``--long-pages`` document (20 lines a page, written with reportlab
as the tests do) is read once in a child process, which prints its own peak memory: pages are
read one at a time, so memory should grow with the text kept, not with the page count.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from assistant.corpus.readers.pdf import read_pdf
from assistant.errors import InputError

PDFS = Path(__file__).resolve().parent.parent / "tests" / "data" / "pdf"
LINES = 20


def time_paper(path: Path, repeats: int) -> tuple[int, list[float], list[float]]:
    """Pages, and wall and CPU seconds of each run."""
    walls, cpus = [], []
    pages = 0
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        pages = len(read_pdf(path).body.pages)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return pages, walls, cpus


def long_document(pages: int) -> None:
    """Write and read a ``pages``-page document; print wall, CPU and peak memory."""
    from tests.pdfs import text_pdf

    with tempfile.TemporaryDirectory() as folder:
        path = text_pdf(
            Path(folder) / "long.pdf",
            [
                [
                    f"Page {n}, line {k}: the quick brown fox jumps over the lazy dog."
                    for k in range(LINES)
                ]
                for n in range(1, pages + 1)
            ],
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu = time.perf_counter(), time.process_time()
        body = read_pdf(path).body
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        text = sum(len(page.text) for page in body.pages)
        print(
            f"{pages}-page document ({text / 1e6:.1f} M characters kept): {wall:.1f} s wall, "
            f"{cpu:.1f} s CPU, {pages / wall:.0f} pages/s; peak RSS {peak / 1024:.0f} MiB "
            f"({(peak - before) / 1024:.0f} MiB more than before reading)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--long-pages", type=int, default=1000)
    parser.add_argument("--long-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.long_only:
        long_document(args.long_pages)
        return
    total_pages = papers = 0
    best_wall = best_cpu = 0.0
    print(f"{'paper':58} {'pages':>5} {'best s':>7} {'median s':>8} {'CPU s':>6} {'pages/s':>8}")
    for path in sorted(PDFS.glob("*.pdf")):
        try:
            pages, walls, cpus = time_paper(path, args.repeats)
        except InputError:
            continue  # the password-protected file: nothing to time
        total_pages += pages
        papers += 1
        best_wall += min(walls)
        best_cpu += min(cpus)
        print(
            f"{path.stem[:58]:58} {pages:5d} {min(walls):7.3f} {statistics.median(walls):8.3f} "
            f"{min(cpus):6.3f} {pages / min(walls):8.1f}"
        )
    print(
        f"all {total_pages} pages: {total_pages / best_wall:.1f} pages/s wall "
        f"({total_pages / best_cpu:.1f} per CPU second), "
        f"{best_wall / papers:.2f} s a paper on average over {papers} (best runs)"
    )
    subprocess.run(
        [sys.executable, __file__, "--long-only", "--long-pages", str(args.long_pages)],
        check=True,
    )


if __name__ == "__main__":
    main()
