"""The readers, and the choice of one for a file by its content as well as its extension."""

from pathlib import Path

from assistant.corpus.readers.arxiv_atom import ArxivAtomReader
from assistant.corpus.readers.base import Item, Reader, ReadIssue
from assistant.corpus.readers.beir import BeirReader
from assistant.corpus.readers.bibtex import BibtexReader
from assistant.corpus.readers.csl_json import CslJsonReader
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.corpus.readers.openalex import OpenAlexReader
from assistant.corpus.readers.pdf import PdfReader, cached, is_pdf, read_pdf
from assistant.corpus.readers.ris import RisReader
from assistant.corpus.readers.tabular import CsvReader, JsonLinesReader
from assistant.corpus.readers.text import head_text, looks_binary, read_head
from assistant.corpus.readers.zotero import SQLITE_HEADER, ZoteroReader, is_zotero_database
from assistant.errors import InputError

__all__ = ["Item", "ReadIssue", "Reader", "choose_reader", "make_readers"]

# Many unrelated files end in these: only content may pick a reader for them.
_AMBIGUOUS_SUFFIXES = {".txt", ".json", ".xml"}


def make_readers(columns: dict[str, str] | None = None) -> list[Reader]:
    """Every reader, most specific first (BEIR before generic JSON Lines, and so on).

    ``columns`` maps Paper fields to column names for CSV and JSON Lines input. BibTeX entries
    and Zotero items with a PDF get its full text; a PDF read before (the same bytes, name and
    reader) is taken from the cache instead of read again.
    """
    parse = cached(read_pdf)
    return [
        PdfReader(parse),
        BibtexReader(pdf=parse),
        RisReader(),
        ArxivAtomReader(),
        OpenAlexReader(),
        CslJsonReader(),
        BeirReader(),
        JsonLinesReader(columns),
        CsvReader(columns),
        DailyPapersReader(),
        ZoteroReader(pdf=parse),
    ]


def choose_reader(path: Path, readers: list[Reader]) -> Reader:
    """The reader for ``path``: one whose extension and content agree, else content, else name."""
    try:
        head = read_head(path)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
    if not head.strip():
        raise InputError(f"{path}: empty file")
    zotero = next((r for r in readers if isinstance(r, ZoteroReader)), None)
    if zotero and head.startswith(SQLITE_HEADER) and is_zotero_database(path):
        return zotero  # binary, but a database we read
    pdf = next((r for r in readers if isinstance(r, PdfReader)), None)
    if pdf and is_pdf(head):
        return pdf  # whatever its name
    if path.suffix.lower() == ".pdf":
        raise InputError(f"{path}: named .pdf but not a PDF (no %PDF- header)")
    if looks_binary(head):
        raise InputError(f"{path}: binary file, not a bibliography or text export")
    text = head_text(path)
    suffix = "".join(path.suffixes[-1:]).lower()
    by_extension = [r for r in readers if suffix in r.extensions]
    for reader in by_extension:
        if reader.sniff(text):
            return reader
    for reader in readers:
        if reader.sniff(text):
            return reader
    if by_extension and suffix not in _AMBIGUOUS_SUFFIXES:
        return by_extension[0]
    raise InputError(
        f"{path}: unrecognised format",
        hint="supported: BibTeX, RIS, CSL JSON, JSON Lines, CSV, arXiv Atom, OpenAlex JSON, "
        "BEIR corpus.jsonl, daily-papers text, Zotero database (zotero.sqlite), PDF",
    )
