"""The PDF reader: one paper per file, with its full text as ``Paper.body``."""

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.corpus.fulltext import Body
from assistant.corpus.paper import Paper, PdfRecord
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import clean_abstract, source
from assistant.corpus.readers.pdf.assemble import assemble
from assistant.corpus.readers.pdf.document import (
    PageFailure,
    PdfPage,
    is_pdf,
    metadata,
    open_pdf,
    pages,
)
from assistant.corpus.readers.pdf.furniture import furniture
from assistant.corpus.readers.pdf.identity import FirstPage, Identity, cited_as, identify
from assistant.corpus.readers.pdf.references import parse_references
from assistant.corpus.readers.text import read_head
from assistant.errors import InputError

_OCR_SHARE = 0.5
"""When at least this share of the characters is drawn invisibly, the text layer is OCR."""
_OCR_PRODUCERS = re.compile(r"abbyy|finereader|ocr|tesseract|omnipage|readiris|scansoft", re.I)
_ABSTRACT_ENDS = re.compile(
    r"\n\n(?:keywords|key words|index terms|subjects|ccs concepts|jel)\b", re.IGNORECASE
)
_MIN_ABSTRACT_WORDS = 40
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class PdfRead:
    """What a PDF says about its paper."""

    identity: Identity
    abstract: str
    body: Body
    caveats: list[str]
    """About the whole file: a title guessed, an OCR text layer. Page problems are in
    ``body.issues``."""


PdfParser = Callable[[Path], PdfRead]
"""What the readers of reference-manager exports call to read an attachment (``read_pdf``,
or a caching wrapper around it)."""


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def read_pdf(path: Path) -> PdfRead:
    """Read the PDF at ``path``; ``InputError`` when the file as a whole cannot be read."""
    try:
        head = read_head(path)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
    if not is_pdf(head):
        raise InputError(f"{path}: not a PDF (no %PDF- header)", hint="is it a web page saved?")
    sha256 = file_sha256(path)
    document = open_pdf(path)
    try:
        meta = metadata(document)
        read = [*pages(document)]
    finally:
        document.close()
    found = [page for page in read if isinstance(page, PdfPage) and page.chars]
    if not found:
        raise InputError(
            f"{path}: no text layer (a scanned PDF?)", hint="run OCR on it (e.g. ocrmypdf) first"
        )
    first, last = found[0], found[-1]
    identity = identify(
        path,
        meta,
        FirstPage(first.height, first.lines, first.side_text),
        cited_as([placed.line.text for placed in last.lines]),
    )
    body = _body(read, sha256, identity.doi)
    caveats = identity.caveats[:]
    chars = sum(page.chars for page in found)
    invisible = sum(page.invisible for page in found)
    if invisible >= _OCR_SHARE * chars or _OCR_PRODUCERS.search(meta.get("Producer", "")):
        caveats.append("the text layer looks like OCR of scanned pages: expect misread words")
    return PdfRead(identity, _abstract(body), body, caveats)


def _body(read: list[PdfPage | PageFailure], sha256: str, own_doi: str | None) -> Body:
    issues = [
        f"page {page.number}: {page.reason}"
        if isinstance(page, PageFailure)
        else f"page {page.number}: no text on it (a figure, or a scanned page?)"
        for page in read
        if isinstance(page, PageFailure) or not page.chars
    ]
    layouts = [
        page if isinstance(page, PdfPage) else PdfPage(page.number, 0.0, [], "", 0, 0)
        for page in read
    ]
    dropped = furniture([(page.height, page.lines) for page in layouts])
    assembled, vocabulary = assemble(layouts, dropped)
    references = [
        replace(reference, doi=None) if own_doi and reference.doi == own_doi else reference
        for reference in parse_references(assembled.reference_lines, vocabulary.join)
    ]  # the paper's own DOI, printed after its list ("Cite this article as"), cites nothing
    return Body(
        pages=tuple(assembled.pages),
        spans=tuple(assembled.spans),
        references=tuple(references),
        issues=tuple(issues),
        sha256=sha256,
    )


def _abstract(body: Body) -> str:
    """The Abstract section's text; without one, the first long paragraph on the first page
    before any heading (RevTeX prints the abstract without a heading)."""
    kinds = {span.section: span.kind for span in body.spans}
    section = next((name for name, kind in kinds.items() if kind == "abstract"), None)
    if section is not None:
        text = body.section_text(section)
    else:
        front = [body.text(span) for span in body.spans if span.kind == "front" and span.page == 1]
        paragraphs = [p for text in front for p in text.split("\n\n")]
        long = (p for p in paragraphs if len(p.split()) >= _MIN_ABSTRACT_WORDS)
        text = next(long, "")
    return clean_abstract(_ABSTRACT_ENDS.split(text, maxsplit=1)[0])


class PdfReader:
    """Reads a PDF into one paper with its full text."""

    name = "pdf"
    extensions: tuple[str, ...] = (".pdf",)

    def __init__(self, parse: PdfParser = read_pdf) -> None:
        self.parse = parse

    def sniff(self, head: str) -> bool:
        return is_pdf(head.encode("latin-1", errors="replace"))

    def read(self, path: Path) -> Iterator[Item]:
        read = self.parse(path)
        yield paper_from_pdf(path, self.name, read)
        for reason in (*read.caveats, *read.body.issues):
            yield ReadIssue(str(path), reason, caveat=True)


def paper_from_pdf(path: Path, fmt: str, read: PdfRead) -> Paper:
    identity = read.identity
    return Paper(
        title=identity.title,
        abstract=read.abstract,
        authors=identity.authors,
        year=identity.year,
        doi=identity.doi,
        arxiv_id=identity.arxiv_id,
        sources=[source(path, fmt)],
        pdf=PdfRecord.of(path.resolve(), read.body),
        body=read.body,
    )
