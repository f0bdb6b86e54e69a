"""PDFs written for tests, with reportlab: the bad input no real paper here could stand for
(a scan with no text layer, a password only its owner needs, a page pdfium cannot load, a
thousand pages) and small papers whose layout a test controls."""

import io
import re
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = A4
MARGIN = 72.0
LEADING = 13.0


def text_pdf(path: Path, pages: Sequence[Sequence[str]], *, title: str = "") -> Path:
    """One column of lines per page, in 10 pt Times, top to bottom."""
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        write_lines(pdf, lines, MARGIN, HEIGHT - MARGIN)
        pdf.showPage()
    pdf.save()
    return path


def paper_pdf(path: Path, title: str, lines: Sequence[str], *, meta_title: str = "") -> Path:
    """A one-page paper: its title in 16 pt bold, then its lines in 10 pt."""
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    if meta_title:
        pdf.setTitle(meta_title)
    y = write_lines(pdf, [title], MARGIN, HEIGHT - MARGIN, size=16, font="Times-Bold")
    write_lines(pdf, lines, MARGIN, y - LEADING)
    pdf.showPage()
    pdf.save()
    return path


def write_lines(
    pdf: Canvas, lines: Sequence[str], x: float, y: float, size: float = 10.0, font: str = ""
) -> float:
    """``lines`` from (x, y) down; the y below the last one."""
    for line in lines:
        pdf.setFont(font or "Times-Roman", size)
        pdf.drawString(x, y, line)
        y -= LEADING * size / 10
    return y


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A scan: each page one image, no text layer."""
    image = Image.effect_noise((400, 560), 60).convert("L")
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        pdf.drawImage(ImageReader(image), 0, 0, WIDTH, HEIGHT)
        pdf.showPage()
    pdf.save()
    return path


def ocr_pdf(path: Path, lines: Sequence[str]) -> Path:
    """A scan with an OCR text layer: an image, and over it the recognised text drawn
    invisibly (render mode 3), as OCR programs write it."""
    image = Image.effect_noise((400, 560), 60).convert("L")
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(image), 0, 0, WIDTH, HEIGHT)
    text = pdf.beginText(MARGIN, HEIGHT - MARGIN)
    text.setTextRenderMode(3)
    text.setFont("Times-Roman", 10)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return path


def owner_password_pdf(path: Path, lines: Sequence[str]) -> Path:
    """Encrypted with an owner password only: it opens without one, as viewers open it."""
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=_owner_only())
    write_lines(pdf, lines, MARGIN, HEIGHT - MARGIN)
    pdf.showPage()
    pdf.save()
    return path


def _owner_only() -> object:
    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption("", ownerPassword="owner", canModify=0, canCopy=0)


def unloadable_page(path: Path, page: int) -> Path:
    """``path`` rewritten so that pdfium cannot load one page (1-based): its dictionary no
    longer says it is a page. The file must have been written uncompressed (``text_pdf``)."""
    data = path.read_bytes()
    starts = [match.start() for match in re.finditer(rb"/Type /Page\b", data)]
    at = starts[page - 1]
    path.write_bytes(data[:at] + b"/Type /Pagx" + data[at + len(b"/Type /Page") :])
    return path


def zero_page_pdf(path: Path) -> Path:
    """A well-formed PDF with an empty page tree, as pdfium itself writes one."""
    buffer = io.BytesIO()
    pdfium.PdfDocument.new().save(buffer)
    path.write_bytes(buffer.getvalue())
    return path
