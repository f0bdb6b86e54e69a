"""Tables of papers: CSV/TSV (spreadsheets, Scopus and Web of Science exports) and JSON Lines.

Columns are recognised by common names, case and spacing ignored (``Title``, ``Abstract``,
``Authors``, ``Publication Year``, ``DOI``…); a ``columns`` mapping (Paper field -> column name)
overrides them. Both readers stream: a 500 MB file is never loaded whole.
"""

import csv
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from assistant.corpus.normalize import normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import (
    clean_abstract,
    find_arxiv_id,
    parse_year,
    source,
    split_list,
    text_value,
    unique,
)
from assistant.corpus.readers.jsondoc import first_line, head_object, json_lines
from assistant.corpus.readers.names import person_name, split_authors
from assistant.corpus.readers.text import (
    LONG_LINE,
    MAX_LINE_CHARS,
    bounded_lines,
    head_text,
    open_text,
)
from assistant.errors import InputError

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "article_title", "document_title", "ti"),
    "abstract": ("abstract", "summary", "description", "ab", "text"),
    "authors": ("authors", "author", "author_names", "au"),
    "year": ("year", "publication_year", "date", "publication_date", "published", "py"),
    "venue": ("venue", "journal", "source_title", "container_title", "so"),
    "doi": ("doi", "di"),
    "arxiv_id": ("arxiv_id", "arxiv", "eprint"),
    "url": ("url", "link"),
    "citation_key": ("citation_key", "key", "bibkey", "citekey"),
    "tags": ("tags", "keywords", "author_keywords", "de"),
}
"""Column names recognised for each Paper field, normalised; the two-letter ones are Web of
Science's tab-delimited export tags."""

FIELD_SIZE_LIMIT = MAX_LINE_CHARS
"""Largest CSV cell accepted (the csv module's default is 128 KiB, too small for full texts);
the csv module holds a cell as 4 bytes a character, so a 50 MB cell would cost 200 MB."""

_DELIMITERS = ",\t;"
_QUOTED = re.compile(r'"[^"]*"')
_SPACES = re.compile(r"[\s\-]+")

Columns = dict[str, str]
"""Paper field -> the key (column name) that holds it in one file."""


class JsonLinesReader:
    """One JSON object per line, with the columns named as in ``ALIASES`` or mapped."""

    name = "jsonl"
    extensions: tuple[str, ...] = (".jsonl", ".ndjson")

    def __init__(self, columns: dict[str, str] | None = None) -> None:
        self.columns = columns or {}

    def sniff(self, head: str) -> bool:
        line = first_line(head)
        cut_short = "\n" not in head.strip() and line.startswith('{"')
        return cut_short or head_object(head) is not None

    def read(self, path: Path) -> Iterator[Item]:
        known: dict[tuple[str, ...], Columns] = {}
        for numbered in json_lines(path):
            if isinstance(numbered, ReadIssue):
                yield numbered
                continue
            number, record = numbered
            keys = tuple(record)
            columns = known.get(keys)
            if columns is None:
                # The mapping is checked against the first record; later ones may omit keys.
                columns = resolve_columns(list(keys), self.columns, path, strict=not known)
                if len(known) < 64:
                    known[keys] = columns
            yield make_paper(record, columns, path, self.name, line=number)


class CsvReader:
    """A table with a header row; the delimiter (comma, tab, semicolon) is detected."""

    name = "csv"
    extensions: tuple[str, ...] = (".csv", ".tsv")

    def __init__(self, columns: dict[str, str] | None = None) -> None:
        self.columns = columns or {}

    def sniff(self, head: str) -> bool:
        line = first_line(head)
        if line.startswith(("{", "[", "@", "<")):
            return False
        header = next(csv.reader([line], delimiter=_delimiter(line)), [])
        wanted = {_normal(self.columns.get("title", ""))} | set(ALIASES["title"])
        return any(_normal(cell) in wanted for cell in header)

    def read(self, path: Path) -> Iterator[Item]:
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
        delimiter = _delimiter(first_line(head_text(path)))
        with open_text(path) as handle:
            too_long: list[int] = []
            rows = csv.reader(_lines(handle, too_long), delimiter=delimiter, strict=True)
            try:
                header = [cell.strip().lstrip("\ufeff") for cell in next(rows, [])]
            except csv.Error as error:
                raise InputError(f"{path}: unreadable header row ({error})") from error
            if too_long:
                raise InputError(
                    f"{path}:{too_long[0]}: header row over {MAX_LINE_CHARS:,} characters"
                )
            columns = self._columns(path, header)
            end = rows.line_num
            while True:
                start = end + 1
                try:
                    row: list[str] | None = next(rows)
                except StopIteration:
                    row = None
                except csv.Error as error:
                    yield ReadIssue(str(path), f"malformed row ({error})", line=start)
                    continue
                finally:
                    end = rows.line_num
                yield from (ReadIssue(str(path), LONG_LINE, line=number) for number in too_long)
                too_long.clear()
                if row is None:
                    return
                if any(cell.strip() for cell in row[len(header) :]):
                    reason = f"malformed row: {len(row)} fields, the header has {len(header)}"
                    yield ReadIssue(str(path), reason, line=start)
                elif any(cell.strip() for cell in row):
                    record = dict(zip(header, row, strict=False))
                    yield make_paper(record, columns, path, self.name, line=start)

    def _columns(self, path: Path, header: list[str]) -> Columns:
        if not any(header):
            raise InputError(f"{path}: no header row")
        columns = resolve_columns(header, self.columns, path)
        if "title" not in columns:
            raise InputError(
                f"{path}: no title column",
                hint=f"columns in the file: {_listing(header)}; map one of them to 'title'",
            )
        return columns


def resolve_columns(
    keys: list[str], mapping: Mapping[str, str], path: Path, *, strict: bool = True
) -> Columns:
    """Which of ``keys`` holds each Paper field: the mapping first, then the usual names.

    A mapped column that is not among ``keys`` is an InputError when ``strict``.
    """
    by_normal: dict[str, str] = {}
    for key in keys:
        by_normal.setdefault(_normal(key), key)
    chosen: Columns = {}
    for field, column in mapping.items():
        if field not in ALIASES:
            raise InputError(
                f"cannot map a column to '{field}': not a paper field",
                hint=f"fields: {', '.join(ALIASES)}",
            )
        found = column if column in keys else by_normal.get(_normal(column))
        if found is None and strict:
            raise InputError(
                f"{path}: no column '{column}' (mapped to {field})",
                hint=f"columns in the file: {_listing(keys)}",
            )
        chosen[field] = found or column
    claimed = set(chosen.values())
    for field, aliases in ALIASES.items():
        default = next((by_normal[a] for a in aliases if a in by_normal), None)
        if field not in chosen and default is not None and default not in claimed:
            chosen[field] = default
    return chosen


def make_paper(
    record: Mapping[str, object], columns: Columns, path: Path, fmt: str, line: int
) -> Item:
    """A Paper from one row or object, or an issue when it has no title."""

    def value(field: str) -> object:
        return record.get(columns[field]) if field in columns else None

    title = text_value(value("title"))
    if not title:
        return ReadIssue(str(path), "no title", line=line)
    doi = normalize_doi(text_value(value("doi")))
    return Paper(
        title=title,
        abstract=clean_abstract(value("abstract")),
        authors=people(value("authors")),
        year=parse_year(value("year")),
        venue=text_value(value("venue")) or None,
        doi=doi,
        arxiv_id=find_arxiv_id(value("arxiv_id"), doi, value("url")),
        url=text_value(value("url")) or None,
        citation_key=text_value(value("citation_key")) or None,
        tags=split_list(value("tags")),
        sources=[source(path, fmt, line=line)],
    )


def people(value: object) -> list[str]:
    """Authors from a list (of names or name objects) or one string of names.

    A string is split on semicolons, else on " and ", else on commas when every part has a space
    (``Zhang Y., Li X.``); ``Smith, John`` stays one person.
    """
    if isinstance(value, list):
        return unique(_person(item) for item in value)
    text = text_value(value)
    if ";" in text:
        parts = text.split(";")
    else:
        parts = split_authors(text)
        pieces = text.split(",")
        if len(parts) == 1 and len(pieces) > 1 and all(" " in p.strip() for p in pieces):
            parts = pieces
    return unique(person_name(part) for part in parts)


def _person(item: object) -> str:
    if isinstance(item, dict):
        for key in ("name", "display_name", "literal"):
            if text_value(item.get(key)):
                return text_value(item.get(key))
        return " ".join(filter(None, (text_value(item.get(k)) for k in ("given", "family"))))
    return person_name(text_value(item))


def _lines(handle: TextIO, too_long: list[int]) -> Iterator[str]:
    """The lines of ``handle`` for the csv module; a line over ``MAX_LINE_CHARS`` is never held
    whole: it reads as a blank line, and its number goes to ``too_long``."""
    for number, line in enumerate(bounded_lines(handle), start=1):
        if line is None:
            too_long.append(number)
        yield "\n" if line is None else line


def _listing(names: list[str]) -> str:
    """Column names for a message, cut short: a header can be one 16 MB line."""
    listing = ", ".join(names)
    return listing if len(listing) <= 300 else f"{listing[:300]}…"


def _delimiter(line: str) -> str:
    """The delimiter used most in a header line, outside quotes; comma when none is."""
    bare = _QUOTED.sub("", line)
    counts = {delimiter: bare.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _normal(name: str) -> str:
    return _SPACES.sub("_", name.strip().lstrip("\ufeff").casefold())
