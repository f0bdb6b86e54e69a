"""What PDFs say, kept, so that ingesting a folder again reads only the PDFs that changed.

``cached(read_pdf)`` is a ``PdfParser`` that looks a PDF up before reading it. The cache lives in
the cache dir (``paths.cache_dir() / "pdf"``: rebuildable data), one file per PDF read, named by
the SHA-256 of the PDF's bytes and of its file name (a title guessed from the name depends on
it), in a folder named by the reader's own code: a changed reader reads every PDF anew, and the
folders of older readers are removed when the first PDF is kept under a new one. A file that
cannot be loaded is read again and replaced; a cache that cannot be written is skipped. Files
are written whole and then renamed into place, so two processes ingesting at once at worst both
read the same PDF.
"""

import contextlib
import gzip
import hashlib
import os
import pickle
import shutil
import tempfile
from functools import cache
from pathlib import Path

from assistant import paths
from assistant.corpus import fulltext
from assistant.corpus.readers import fields
from assistant.corpus.readers.pdf.reader import PdfParser, PdfRead, file_sha256

_READER_DIR = Path(__file__).parent
_READER_CODE = (*sorted(_READER_DIR.glob("*.py")), Path(fulltext.__file__), Path(fields.__file__))
"""The code a ``PdfRead`` depends on: the PDF reader's modules, the full-text model, the fields'
cleaning."""


@cache
def reader_version() -> str:
    """A digest of the reader's code: it names the folder of what this reader read."""
    digest = hashlib.sha256()
    for path in _READER_CODE:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    return paths.cache_dir() / "pdf"


def cached(parse: PdfParser, folder: Path | None = None) -> PdfParser:
    """``parse``, with what it reads kept in ``folder`` (the cache dir's, by default)."""

    def read(path: Path) -> PdfRead:
        root = folder or cache_folder()
        try:
            name = hashlib.sha256(path.name.encode()).hexdigest()[:16]
            kept = root / reader_version() / f"{file_sha256(path)}-{name}.pickle.gz"
        except OSError:
            return parse(path)  # unreadable: let the parser say why
        found = _load(kept)
        if found is not None:
            return found
        result = parse(path)
        _keep(kept, result)
        return result

    return read


def _load(kept: Path) -> PdfRead | None:
    try:
        with gzip.open(kept, "rb") as handle:
            found = pickle.load(handle)
    except gzip.BadGzipFile:
        found = None
    except OSError:
        return None  # not kept, or no cache folder to look in
    except Exception:  # truncated, or a pickle of what this reader no longer has
        found = None
    if isinstance(found, PdfRead):
        return found
    with contextlib.suppress(OSError):
        kept.unlink()  # unusable: the next read replaces it
    return None


def _keep(kept: Path, result: PdfRead) -> None:
    try:
        if not kept.parent.is_dir():
            kept.parent.mkdir(parents=True, exist_ok=True)
            for older in kept.parent.parent.iterdir():
                if older.is_dir() and older != kept.parent:
                    shutil.rmtree(older, ignore_errors=True)
        handle, temporary = tempfile.mkstemp(dir=kept.parent, suffix=".part")
    except OSError:
        return  # a read-only cache dir costs a re-read next time, nothing more
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as packed:
            pickle.dump(result, packed, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, kept)
    except OSError:
        Path(temporary).unlink(missing_ok=True)  # a full disk: the same
