"""Full text end to end: PDFs read, chunked, embedded and stored; then searched beside abstracts.

    .venv/bin/python -m benchmarks.fulltext_ingest [--papers 200]

The vendored papers that read (``tests/data/pdf``: five real papers, 70 pages) are read with
the PDF reader (``PdfReader``, as ingest reads a file) over and over until ``--papers`` have
been read; the copies get numbered titles so that each is a paper of its own (same text, same
pages: the chunker and the embedder do the work they would for different papers). The store
first takes the demo corpus (389 abstracts), then the copies, with the real model (int8
MiniLM). Printed: pages read per second, chunks embedded per second, the end-to-end time of
the full texts (reading + chunking + embedding + writing), disk per chunk, and warm p50/p95 of
a hybrid search (``Library.search``) for the 53 questions of ``evals/data/fulltext`` on the
store of full texts and abstracts.
"""

import argparse
import tempfile
import time
from pathlib import Path

from assistant import paths
from assistant.corpus.paper import Paper
from assistant.corpus.readers.pdf.reader import PdfReader
from assistant.library import Library
from assistant.settings import Settings
from benchmarks.scale import disk_mib, latency_ms
from evals.fulltext_data import PDF_DIR, load_questions


def read_copies(count: int) -> tuple[list[Paper], int, float]:
    """``count`` papers read from the vendored PDFs in turn, their pages and the seconds."""
    sources = sorted({PDF_DIR / q.paper for q in load_questions()})
    reader = PdfReader()
    papers: list[Paper] = []
    pages = 0
    began = time.perf_counter()
    while len(papers) < count:
        path = sources[len(papers) % len(sources)]
        (paper,) = [item for item in reader.read(path) if isinstance(item, Paper)]
        assert paper.body is not None and paper.pdf is not None
        pages += paper.pdf.pages
        copy = len(papers) // len(sources)
        fields = paper.model_dump(exclude={"id", "doi", "arxiv_id"})
        papers.append(Paper(**fields | {"title": f"{paper.title} (copy {copy})"}, body=paper.body))
    return papers, pages, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fulltext_ingest")
    parser.add_argument("--papers", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citewise-fulltext-bench-") as scratch:
        library = Library(Settings(store={"path": Path(scratch)}))
        demo = library.ingest([paths.DEMO_CORPUS_DIR])
        papers, pages, reading = read_copies(args.papers)
        print(
            f"read {len(papers)} PDFs, {pages:,} pages, in {reading:.1f} s: "
            f"{pages / reading:.1f} pages/s, {reading / len(papers):.2f} s a paper"
        )
        began = time.perf_counter()
        report = library.add_papers(papers)
        storing = time.perf_counter() - began
        seconds = report.seconds
        print(
            f"{report.added} full texts, {report.chunks_embedded:,} chunks "
            f"({report.chunks_embedded / report.added:.1f} a paper): embedding "
            f"{report.chunks_embedded / seconds['embed']:.1f} chunks/s; chunking "
            f"{seconds.get('chunk', 0.0):.1f} s, storing {seconds.get('store', 0.0):.1f} s"
        )
        total = reading + storing
        print(
            f"end to end: {total:.0f} s for {len(papers)} PDFs "
            f"({total / len(papers):.2f} s a paper)"
        )
        chunks = library.count_chunks()
        kib = disk_mib(Path(scratch) / "chroma") * 1024
        print(
            f"store: {demo.added} abstracts + {report.added} full texts = {chunks:,} chunks, "
            f"{kib / chunks:.1f} KiB a chunk (Chroma)"
        )
        questions = [q.question for q in load_questions()]
        p50, p95 = latency_ms(library, questions, rounds=2)
        print(
            f"hybrid search, warm, {2 * len(questions)} searches: "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )


if __name__ == "__main__":
    main()
