"""PDFs: per-page text in reading order, sections, references and identity, with pdfium.

``PdfReader`` reads a PDF file into a paper; ``read_pdf`` is what other readers call for an
attachment; ``cached`` wraps it so that a PDF read before is not read again.
"""

from assistant.corpus.readers.pdf.cache import cached
from assistant.corpus.readers.pdf.document import is_pdf
from assistant.corpus.readers.pdf.reader import (
    PdfParser,
    PdfRead,
    PdfReader,
    file_sha256,
    paper_from_pdf,
    read_pdf,
)

__all__ = [
    "PdfParser",
    "PdfRead",
    "PdfReader",
    "cached",
    "file_sha256",
    "is_pdf",
    "paper_from_pdf",
    "read_pdf",
]
