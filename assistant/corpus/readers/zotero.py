"""Zotero's own database (``zotero.sqlite`` in the Zotero data directory), read-only and offline.

The file is opened with SQLite's ``immutable`` flag: no lock is taken or waited for (Zotero holds
an exclusive lock while it runs) and nothing is ever written beside it. When that cannot work (a
write-ahead log with changes not yet checkpointed, a page caught mid-write) the database is
copied to a temporary directory and the copy is read instead.

Every regular item that is not in the trash becomes a Paper; attachments, notes, annotations and
feed items are skipped. Fields are looked up by name, not number (their ids differ between
Zotero 6 and 7). Creators keep Zotero's order: authors, or when an item has none, the creators of
its first creator's type (the editors of an edited book). Collections become ``Parent/Child``
paths and tags (manual and automatic alike) become tags. The item type is not kept: tags are the
user's own vocabulary, and "type:journalArticle" would only clutter tag filters.

Citation keys: Better BibTeX's (``better-bibtex.sqlite`` beside the database, read the same
way), else Zotero 7's own ``citationKey`` field, else a "Citation Key:" line in Extra, else
``citations.keys.generate_key``, unique within the library. Extra may also give "arXiv:" and
"DOI:" lines.

Given a ``pdf`` parser, an item with a PDF attachment (its first, by the order they were added)
gets that PDF's full text: a stored file is ``storage/<attachment key>/<name>`` in the data
directory beside the database, a linked file its absolute path.
"""

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from assistant.corpus.keys import unique_keys
from assistant.corpus.normalize import clean_text, normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.attachments import with_full_text
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import (
    clean_abstract,
    find_arxiv_id,
    parse_year,
    source,
    strip_markup,
    unique,
)
from assistant.corpus.readers.pdf import PdfParser
from assistant.corpus.walk import ZOTERO_DATABASE
from assistant.errors import InputError

BETTER_BIBTEX_NAME = "better-bibtex.sqlite"
STORAGE = "storage"
_STORED = "storage:"
"""A file Zotero keeps in ``storage/<attachment key>/``."""
_RELATIVE_TO_BASE = "attachments:"
"""A linked file relative to the base directory set in Zotero's preferences."""
SQLITE_HEADER = b"SQLite format 3\x00"

_SKIPPED_TYPES = ("attachment", "note", "annotation")
_VENUE_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "conferenceName")
_ARXIV_FIELDS = ("archiveID", "reportNumber")
_FIELDS = ("title", "abstractNote", "date", "DOI", "url", "extra", "citationKey")
_JOURNAL_FILES = ("-wal", "-journal")
"""Changes SQLite keeps beside a database; ``immutable`` would ignore them."""

T = TypeVar("T")


@dataclass
class _Item:
    """One regular item's rows, gathered from Zotero's tables."""

    id: int
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[tuple[str, str]] = field(default_factory=list)
    """(creator type, display name), in Zotero's order."""
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)


class ZoteroReader:
    """Reads a Zotero database without ever locking or changing it."""

    name = "zotero"
    extensions: tuple[str, ...] = (".sqlite",)

    def __init__(self, pdf: PdfParser | None = None) -> None:
        self.pdf = pdf

    def sniff(self, head: str) -> bool:
        # A database is binary: ``choose_reader`` routes it with ``is_zotero_database``.
        return head.startswith(SQLITE_HEADER.decode())

    def read(self, path: Path) -> Iterator[Item]:
        if not _has_sqlite_header(path):
            raise InputError(f"{path}: not a SQLite database")
        try:
            items = read_database(path, _items)
        except sqlite3.Error as error:
            raise InputError(f"{path}: not a readable Zotero database ({error})") from error
        bbt: dict[int | str, str] = {}
        better_bibtex = path.with_name(BETTER_BIBTEX_NAME)
        if better_bibtex.is_file():
            try:
                bbt = read_database(better_bibtex, _bbt_keys)
            except sqlite3.Error as error:
                reason = f"{BETTER_BIBTEX_NAME} unreadable ({error}); its keys are not used"
                yield ReadIssue(str(path), reason)
        papers: list[Paper] = []
        for item in items:
            paper = self._paper(path, item, bbt.get(item.id) or bbt.get(item.key))
            if paper is None:
                reason = f"item {item.key} has no title"
                yield ReadIssue(str(path), reason, record=item.id)
            else:
                papers.append(paper)
        pdfs = self._pdfs(path)
        for paper, key in zip(papers, unique_keys(papers), strict=True):
            keyed = paper.model_copy(update={"citation_key": key})
            record = paper.sources[0].record
            attachment = pdfs.by_item.get(record or 0)
            if self.pdf and attachment:
                where = ReadIssue(str(path), "", record=record)
                yield from with_full_text(keyed, attachment, self.pdf, where)
            else:
                yield keyed
            if record in pdfs.notes:
                yield ReadIssue(str(path), pdfs.notes[record], record=record)
        if self.pdf and pdfs.unresolved:
            yield ReadIssue(str(path), pdfs.unresolved)

    def _pdfs(self, path: Path) -> "_Attachments":
        if self.pdf is None:
            return _Attachments()
        try:
            rows = read_database(path, _pdf_attachments)
        except sqlite3.Error as error:
            return _Attachments(unresolved=f"attachments unreadable ({error}); no full text read")
        return _Attachments.resolve(rows, path.parent)

    def _paper(self, path: Path, item: _Item, bbt_key: str | None) -> Paper | None:
        fields = item.fields
        title = strip_markup(fields.get("title"))
        if not title:
            return None
        extra = _extra(fields.get("extra", ""))
        doi = normalize_doi(fields.get("DOI")) or normalize_doi(extra.get("doi"))
        venue = next(filter(None, (strip_markup(fields.get(f)) for f in _VENUE_FIELDS)), None)
        in_venue = [word for word in (venue or "").split() if word.lower().startswith("arxiv:")]
        own_key = (
            clean_text(bbt_key)
            or clean_text(fields.get("citationKey"))
            or extra.get("citation key")
        )
        arxiv = [extra.get("arxiv"), *(fields.get(name) for name in _ARXIV_FIELDS), *in_venue]
        return Paper(
            title=title,
            abstract=clean_abstract(fields.get("abstractNote")),
            authors=_authors(item.creators),
            year=parse_year(fields.get("date")),
            venue=venue,
            doi=doi,
            arxiv_id=find_arxiv_id(*arxiv, doi, fields.get("url")),
            url=clean_text(fields.get("url")) or None,
            citation_key=own_key,
            tags=unique(item.tags),
            collections=sorted(set(item.collections)),
            sources=[source(path, self.name, record=item.id)],
        )


@dataclass
class _Attachments:
    """Each parent item's first PDF attachment, as a path, and why some could not be placed."""

    by_item: dict[int, Path] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    """Why an item's PDF cannot be found."""
    unresolved: str = ""

    @classmethod
    def resolve(cls, rows: list[tuple[int, str, str]], directory: Path) -> "_Attachments":
        """``rows``: (parent item, attachment key, path) as Zotero stores them."""
        found = cls()
        storage = directory / STORAGE
        without_storage = 0
        for parent, key, stored in rows:
            if parent in found.by_item or parent in found.notes:
                continue
            if stored.startswith(_STORED):
                if not storage.is_dir():
                    without_storage += 1
                    continue
                found.by_item[parent] = storage / key / stored.removeprefix(_STORED)
            elif stored.startswith(_RELATIVE_TO_BASE):
                found.notes[parent] = (
                    f"attachment {stored} is linked relative to the base directory set in "
                    "Zotero's preferences, which the database does not record: not read"
                )
            else:
                found.by_item[parent] = Path(stored)
        if without_storage:
            found.unresolved = (
                f"{without_storage} items have PDFs in Zotero's storage, but there is no "
                f"{STORAGE}/ folder beside the database: their full text is not read"
            )
        return found


def is_zotero_database(path: Path) -> bool:
    """True for a SQLite file named ``zotero.sqlite``, or holding Zotero's item tables (a
    ``zotero.sqlite.bak`` backup named on purpose)."""
    if not _has_sqlite_header(path):
        return False
    if path.name.lower() == ZOTERO_DATABASE:
        return True
    try:
        with closing(_connect_immutable(path)) as db:
            return {"items", "itemDataValues"} <= _tables(db)
    except sqlite3.Error:
        return False


def read_database(path: Path, query: Callable[[sqlite3.Connection], T]) -> T:
    """``query``'s result on the database at ``path``, which is never locked or written.

    Read in place (``immutable``) unless changes wait in a journal beside it or the read
    fails; then read from a private copy, journal included, which SQLite may recover freely.
    """
    if not any(_has_content(_beside(path, suffix)) for suffix in _JOURNAL_FILES):
        try:
            with closing(_connect_immutable(path)) as db:
                return query(db)
        except sqlite3.DatabaseError:
            pass  # caught mid-write, or a WAL database this SQLite cannot read immutably
    with tempfile.TemporaryDirectory(prefix="citewise-zotero-") as directory:
        copy = Path(directory) / path.name
        shutil.copyfile(path, copy)
        for suffix in _JOURNAL_FILES:
            if _has_content(_beside(path, suffix)):
                shutil.copyfile(_beside(path, suffix), _beside(copy, suffix))
        with closing(sqlite3.connect(copy)) as db:
            db.text_factory = _decode
            return query(db)


def _connect_immutable(path: Path) -> sqlite3.Connection:
    # as_uri() percent-encodes the path, so "?" or "#" in a folder name cannot cut it short.
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    db.text_factory = _decode
    return db


def _decode(data: bytes) -> str:
    """Text that is not UTF-8 (a damaged value) gets U+FFFD, rather than failing every read."""
    return data.decode("utf-8", errors="replace")


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _items(db: sqlite3.Connection) -> list[_Item]:
    """Every regular item outside the trash and feeds, in itemID order, with its rows."""
    tables = _tables(db)
    types = "itemTypesCombined" if "itemTypesCombined" in tables else "itemTypes"
    names = "fieldsCombined" if "fieldsCombined" in tables else "fields"
    skipped = ", ".join(f"'{name}'" for name in _SKIPPED_TYPES)
    rows = db.execute(
        f"""SELECT i.itemID, i.key FROM items i
        JOIN {types} t ON t.itemTypeID = i.itemTypeID
        JOIN libraries l ON l.libraryID = i.libraryID
        WHERE t.typeName NOT IN ({skipped}) AND l.type != 'feed'
        AND i.itemID NOT IN (SELECT itemID FROM deletedItems)
        ORDER BY i.itemID"""
    )
    items = {item_id: _Item(item_id, _string(key)) for item_id, key in rows}
    wanted = ", ".join(f"'{name}'" for name in (*_FIELDS, *_VENUE_FIELDS, *_ARXIV_FIELDS))
    for item_id, name, value in db.execute(
        f"""SELECT d.itemID, f.fieldName, v.value FROM itemData d
        JOIN {names} f ON f.fieldID = d.fieldID
        JOIN itemDataValues v ON v.valueID = d.valueID
        WHERE f.fieldName IN ({wanted})"""
    ):
        if item_id in items and _string(value):
            items[item_id].fields[name] = _string(value)
    for item_id, kind, first, last, single in db.execute(
        """SELECT ic.itemID, ct.creatorType, c.firstName, c.lastName, c.fieldMode
        FROM itemCreators ic JOIN creators c ON c.creatorID = ic.creatorID
        JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID
        ORDER BY ic.itemID, ic.orderIndex"""
    ):
        if item_id in items:
            name = _string(last) if single == 1 else f"{_string(first)} {_string(last)}"
            items[item_id].creators.append((kind, clean_text(name)))
    for item_id, tag in db.execute(
        """SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID
        ORDER BY it.itemID, t.name COLLATE NOCASE"""
    ):
        if item_id in items:
            items[item_id].tags.append(_string(tag))
    paths = _collection_paths(db, tables)
    for item_id, collection in db.execute("SELECT itemID, collectionID FROM collectionItems"):
        if item_id in items and collection in paths:
            items[item_id].collections.append(paths[collection])
    return list(items.values())


def _pdf_attachments(db: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(parent item, attachment key, path) of every PDF attached to an item, oldest first."""
    rows = db.execute(
        """SELECT a.parentItemID, i.key, a.path FROM itemAttachments a
        JOIN items i ON i.itemID = a.itemID
        WHERE a.parentItemID IS NOT NULL AND a.path IS NOT NULL
        AND a.itemID NOT IN (SELECT itemID FROM deletedItems)
        AND (a.contentType = 'application/pdf' OR lower(a.path) LIKE '%.pdf')
        ORDER BY a.itemID"""
    )
    return [(parent, _string(key), _string(stored)) for parent, key, stored in rows]


def _collection_paths(db: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    """``Parent/Child`` for every collection that is not in the trash (nor inside one)."""
    rows = db.execute("SELECT collectionID, collectionName, parentCollectionID FROM collections")
    collections = {cid: (name, parent) for cid, name, parent in rows}
    trashed: set[int] = set()
    if "deletedCollections" in tables:
        trashed = {row[0] for row in db.execute("SELECT collectionID FROM deletedCollections")}
    paths: dict[int, str] = {}
    for cid in collections:
        names: list[str] = []
        current: int | None = cid
        seen: set[int] = set()
        while current is not None and current in collections:
            if current in seen or current in trashed:
                break
            seen.add(current)
            name, current = collections[current]
            names.append(_string(name))
        if current is None:  # reached the library's root without meeting the trash
            paths[cid] = "/".join(reversed(names))
    return paths


def _bbt_keys(db: sqlite3.Connection) -> dict[int | str, str]:
    """Better BibTeX's keys by itemID and by item key, from its ``citationkey`` table."""
    if "citationkey" not in _tables(db):
        return {}  # an older Better BibTeX kept its keys elsewhere
    columns = {row[1] for row in db.execute("PRAGMA table_info(citationkey)")}
    keys: dict[int | str, str] = {}
    for column in ("itemKey", "itemID"):
        if {column, "citationKey"} <= columns:
            rows = db.execute(f"SELECT {column}, citationKey FROM citationkey")
            keys.update((item, _string(key)) for item, key in rows if item is not None and key)
    return keys


def _string(value: object) -> str:
    """A value as text: a damaged database may hold any SQLite type in any column."""
    return "" if value is None or isinstance(value, bytes) else str(value)


def _authors(creators: list[tuple[str, str]]) -> list[str]:
    """Authors, else the creators of the first creator's type (editors, programmers...)."""
    if not creators:
        return []
    kinds = {kind for kind, _ in creators}
    wanted = "author" if "author" in kinds else creators[0][0]
    return unique(name for kind, name in creators if kind == wanted)


def _extra(text: str) -> dict[str, str]:
    """``Key: value`` lines of the Extra field, keys lower-cased ("citation key", "arxiv")."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and value.strip():
            found.setdefault(clean_text(name).lower(), clean_text(value))
    return found
