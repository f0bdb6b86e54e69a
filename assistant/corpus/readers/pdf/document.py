"""Opening a PDF with pdfium, and reading it one page at a time.

A file that cannot be opened at all (encrypted, damaged beyond repair, not a PDF, no pages)
raises ``InputError`` with what to do about it. A page that fails is reported and the next one
read: only its own text is lost. Each page is closed before the next is loaded, so memory stays
bounded by one page's objects plus the text kept so far.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assistant.corpus.readers.pdf.extract import read_page
from assistant.corpus.readers.pdf.layout import Placed, reading_order
from assistant.errors import InputError

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024
"""PDF readers accept the header anywhere in the first KiB (some files start with junk)."""
_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: (
        "encrypted: it needs a password to open",
        "save an unprotected copy (e.g. print it to PDF) and ingest that",
    ),
    pdfium_c.FPDF_ERR_SECURITY: (
        "encrypted with a security scheme that cannot be opened",
        "save an unprotected copy (e.g. print it to PDF) and ingest that",
    ),
    pdfium_c.FPDF_ERR_FORMAT: (
        "damaged or truncated: not a readable PDF",
        "download it again, or re-save it from a PDF viewer",
    ),
}
_NO_PAGES = ("the PDF has no pages", "check that it opens in a viewer")
_SMALL = 1 << 20
"""A file this small is searched for an empty page tree when pdfium will not open it."""
_EMPTY_TREE = re.compile(
    rb"/Type\s*/Pages\b.{0,200}?/Count\s+0\b|/Count\s+0\b.{0,200}?/Type\s*/Pages\b", re.S
)
_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


@dataclass(frozen=True)
class PdfPage:
    """One page as read: its lines in reading order and what else was found on it."""

    number: int
    height: float
    lines: list[Placed]
    side_text: str
    """Rotated text along the margins (an arXiv stamp)."""
    chars: int
    invisible: int
    """Characters drawn invisibly: an OCR layer over a scanned image."""


@dataclass(frozen=True)
class PageFailure:
    number: int
    reason: str


def is_pdf(head: bytes) -> bool:
    """Whether the first bytes of a file carry a PDF header."""
    return PDF_MAGIC in head[:MAGIC_WINDOW]


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """The document at ``path``; ``InputError`` when it cannot be read or has no pages."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        # pdfium opens no document without pages, and then reports whatever error came last.
        problem, hint = (
            _NO_PAGES
            if _pageless(path)
            else _OPEN_ERRORS.get(
                error.err_code, (f"cannot be opened ({error})", "check that it opens in a viewer")
            )
        )
        raise InputError(f"{path}: {problem}", hint=hint) from error
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
    if len(document) == 0:
        document.close()
        raise InputError(f"{path}: {_NO_PAGES[0]}", hint=_NO_PAGES[1])
    return document


def _pageless(path: Path) -> bool:
    """Whether a small file's page tree is plainly empty."""
    try:
        if path.stat().st_size > _SMALL:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    return bool(_EMPTY_TREE.search(data)) and not _PAGE.search(data)


def metadata(document: pdfium.PdfDocument) -> dict[str, str]:
    """The document information dictionary (Title, Author, CreationDate...); empty values
    left out."""
    try:
        found = document.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError:
        return {}
    return {key: value for key, value in found.items() if isinstance(value, str)}


def pages(document: pdfium.PdfDocument) -> Iterator[PdfPage | PageFailure]:
    """Each page in turn, or why it could not be read."""
    for index in range(len(document)):
        try:
            page = document[index]
        except pdfium.PdfiumError as error:
            yield PageFailure(index + 1, f"could not be loaded ({error})")
            continue
        try:
            found = read_page(page)
            yield PdfPage(
                number=index + 1,
                height=page.get_height(),
                lines=reading_order(found.lines),
                side_text=found.side_text,
                chars=found.chars,
                invisible=found.invisible,
            )
        except Exception as error:  # one page's failure must not cost the paper
            yield PageFailure(index + 1, f"could not be read ({type(error).__name__}: {error})")
        finally:
            page.close()
