"""What several test modules share: where the test data is, the scripted texts the UI tests
stream, and a memory probe. Test modules import from here (and from the fakes and the test
servers), never from a conftest or another test module."""

import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DATA = Path(__file__).parent / "data"
UI_DATA = Path(__file__).parent / "ui" / "data"
CORPUS = UI_DATA / "corpus.jsonl"
"""Twelve papers in JSON Lines: the UI tests' library, and a small real corpus elsewhere."""

ANSWER = (
    "Dense retrievers beat a strong BM25 system on passage retrieval [1]. "
    "Reciprocal rank fusion combines the rankings of several systems [2]."
)
"""A model's answer over ``CORPUS``, citing two of its papers."""

DRAFT = (
    "Dense retrieval replaced sparse term matching for passages [1]. Fusion combines "
    "several rankings [2].\n\nTransformers rely on attention alone [3]."
)
"""A model's two-paragraph draft over ``CORPUS``."""


def measured_peak(run: Callable[[], T]) -> tuple[T, int]:
    """``run()``'s result, and the peak of Python's allocated memory while it ran (bytes)."""
    tracemalloc.start()
    try:
        return run(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def zotero_data_dir(root: Path) -> Path:
    """A Zotero data directory under ``root`` holding a copy of the real Zotero 7 database, as
    Zotero lays it out (a storage/ with one of its attachments and a stray .bib, a backup)."""
    database = DATA / "fixtures" / "zotero7.sqlite"
    directory = root / "Zotero"
    (directory / "storage" / "HZU3HNL8").mkdir(parents=True)
    (directory / "storage" / "HZU3HNL8" / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    (directory / "storage" / "notes.bib").write_text("@misc{x, title = {Not a library}}\n")
    shutil.copyfile(database, directory / "zotero.sqlite")
    shutil.copyfile(database, directory / "zotero.sqlite.bak")
    return directory
