"""A reference-manager record's PDF, read into its paper's full text.

Zotero's database and the ``file`` field of a BibTeX entry name the PDF that belongs to a record;
``with_full_text`` reads it with the PDF reader and gives the record its ``body``. The record's
own metadata wins over anything guessed from the PDF (title, authors, identifiers, its citation
key); only an abstract the record lacks is taken from the PDF. A file that is missing or cannot
be read is a caveat: the record is kept with its metadata.
"""

import re
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

from assistant.corpus.paper import Paper, PdfRecord
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.pdf import PdfParser
from assistant.errors import InputError

_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")
_UNESCAPED_COLON = re.compile(r"(?<!\\):")
_BACKSLASH = re.compile(r"\$\\backslash\$")
"""Mendeley writes a backslash so."""
_ESCAPED = re.compile(r"\\([:;_&%#$~{}])")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_FILE_TYPE = re.compile(r"^(?:pdf|application/pdf|[a-z]+/[\w.+-]+|[A-Za-z]{2,5})$")


def with_full_text(paper: Paper, pdf: Path, parse: PdfParser, where: ReadIssue) -> Iterator[Item]:
    """``paper`` with the full text of ``pdf``, then a caveat for anything that went wrong.
    ``where`` says where the record is (its file and line or record), for the caveats."""
    try:
        read = parse(pdf)
    except InputError as error:
        yield paper
        missing = not pdf.is_file()
        reason = "is missing" if missing else f"cannot be read: {error.message}"
        yield _caveat(where, f"attachment {pdf} {reason}; the record is kept without its text")
        return
    update: dict[str, object] = {"body": read.body, "pdf": PdfRecord.of(pdf.resolve(), read.body)}
    if not paper.has_abstract and read.abstract:
        update["abstract"] = read.abstract
    yield paper.model_copy(update=update)
    for reason in (*read.caveats, *read.body.issues):
        yield _caveat(where, f"attachment {pdf.name}: {reason}")


def bibtex_pdfs(value: str, folder: Path) -> list[Path]:
    """The local PDFs a BibTeX ``file`` field names, relative ones taken from ``folder`` (the
    .bib file's). JabRef writes ``:papers/x.pdf:PDF``, Zotero and Better BibTeX ``Full Text
    PDF:/abs/x.pdf:application/pdf`` or a bare path, Mendeley ``:C$\\backslash$:/x.pdf:pdf``
    (colons escaped); several files are separated by ``;``. Links (``http://``) and files of
    other types are left alone."""
    pdfs: list[Path] = []
    for entry in _UNESCAPED_SEMICOLON.split(_BACKSLASH.sub(r"\\", value)):
        parts = _UNESCAPED_COLON.split(entry.strip())
        kind = ""
        if len(parts) >= 3 and _FILE_TYPE.match(parts[-1].strip()):
            kind, parts = parts[-1].strip(), parts[1:-1]  # description:path:type
        raw = _ESCAPED.sub(r"\1", ":".join(parts).strip()).replace("{", "").replace("}", "")
        if not raw or _URL.match(raw):
            continue
        path = _local(raw.replace("\\\\", "\\"))
        if "pdf" in kind.lower() or path.suffix.lower() == ".pdf":
            pdfs.append(_located(path, folder))
    return pdfs


def _local(raw: str) -> Path:
    """A path as written, its Windows separators turned when it is relative (JabRef on
    Windows writes ``JabRef\\\\paper.pdf``)."""
    windows = PureWindowsPath(raw)
    if "\\" in raw and "/" not in raw and not windows.drive:
        return Path(*windows.parts)
    return Path(raw).expanduser()


def _located(path: Path, folder: Path) -> Path:
    """An absolute path as it is; a relative one in ``folder``, unless only the same path from
    the root exists (Mendeley on Linux and macOS drops the leading "/": ``:home/me/x.pdf:pdf``)."""
    if path.is_absolute():
        return path
    rooted = Path("/") / path
    return rooted if not (folder / path).exists() and rooted.exists() else folder / path


def _caveat(where: ReadIssue, reason: str) -> ReadIssue:
    return ReadIssue(where.path, reason, line=where.line, record=where.record, caveat=True)
