"""PDFs: per-page text in reading order, sections, references and identity, with pdfium.

``PdfReader`` reads a PDF file into a paper; ``read_pdf`` is what other readers call for an
attachment; ``file_sha256`` lets a caller skip a file it has read before.
"""

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
    "file_sha256",
    "is_pdf",
    "paper_from_pdf",
    "read_pdf",
]
