"""arXiv API responses: Atom feeds of ``<entry>`` elements, streamed.

Both feed generations are read: the one served until 2024 (namespaces declared on each element,
``<title type="html">``) and the current one (namespaces on ``<feed>``, element order changed).
Documents with a DOCTYPE are refused, so entity expansion ("billion laughs") cannot happen.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from assistant.corpus.normalize import clean_text, normalize_arxiv_id, normalize_doi
from assistant.corpus.paper import Paper, Source
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import clean_abstract, parse_year, source, unique
from assistant.errors import InputError

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_CHUNK = 64 * 1024
_FORBIDDEN = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


class ArxivAtomReader:
    """An arXiv API ``/api/query`` response saved as XML."""

    name = "arxiv"
    extensions: tuple[str, ...] = (".xml", ".atom")

    def sniff(self, head: str) -> bool:
        start = head.lstrip("\ufeff \t\r\n")
        return (
            start.startswith("<")
            and "<feed" in head
            and "http://www.w3.org/2005/Atom" in head
            and "arxiv.org" in head
        )

    def read(self, path: Path) -> Iterator[Item]:
        with path.open("rb") as handle:
            yield from read_feed(handle, str(path), partial(self._source, path))

    def _source(self, path: Path, number: int) -> Source:
        return source(path, self.name, record=number)


def read_feed(handle: BinaryIO, name: str, locate: Callable[[int], Source]) -> Iterator[Item]:
    """The entries of an Atom feed read from ``handle`` (``name`` in messages; ``locate`` gives
    the n-th entry its source): shared by this reader and the arXiv API client."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    feed = _Feed(name, locate)
    try:
        tail = b""
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            window = tail + chunk
            if any(marker in window for marker in _FORBIDDEN):
                raise InputError(f"{name}: XML with a DOCTYPE or entity declarations is refused")
            tail = window[-32:]
            _step(name, partial(parser.feed, chunk))
            yield from feed.take(parser)
        _step(name, parser.close)
        yield from feed.take(parser)
    except ET.ParseError as error:
        # The parser reports the error after handing over every entry that ended before it.
        line, _column = error.position
        yield ReadIssue(name, f"malformed XML, reading stopped ({error})", line=line)


def _step(name: str, step: Callable[[], None]) -> None:
    """Feed or close the parser; a declared encoding expat cannot read refuses the file."""
    try:
        step()
    except (LookupError, ValueError) as error:  # encoding="bogus", or a multi-byte one
        raise InputError(f"{name}: XML in an encoding that cannot be read ({error})") from error


class _Feed:
    """Turns parser events into items, dropping each entry's elements once read."""

    def __init__(self, name: str, locate: Callable[[int], Source]) -> None:
        self.name = name
        self.locate = locate
        self.root: ET.Element | None = None
        self.entries = 0

    def take(self, parser: "ET.XMLPullParser[ET.Element]") -> Iterator[Item]:
        for event in parser.read_events():
            kind, element = event[0], event[-1]
            if not isinstance(element, ET.Element):
                continue
            if kind == "start" and self.root is None:
                if element.tag != f"{ATOM}feed":
                    raise InputError(f"{self.name}: not an Atom feed (root is <{element.tag}>)")
                self.root = element
            elif kind == "end" and element.tag == f"{ATOM}entry":
                self.entries += 1
                yield _entry(element, self.name, self.locate, self.entries)
                if self.root is not None:
                    self.root.clear()


def _entry(entry: ET.Element, name: str, locate: Callable[[int], Source], number: int) -> Item:
    entry_id = _text(entry, f"{ATOM}id")
    summary = _text(entry, f"{ATOM}summary")
    if "/api/errors" in entry_id:
        return ReadIssue(name, f"arXiv API error: {summary or entry_id}", record=number)
    title = _text(entry, f"{ATOM}title")
    if not title:
        return ReadIssue(name, "entry has no title", record=number)
    dois = _text(entry, f"{ARXIV}doi").split()
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary, *entry.findall(f"{ATOM}category")]
    alternate = next(
        (
            clean_text(link.get("href"))
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel") == "alternate"
        ),
        None,
    )
    return Paper(
        title=title,
        abstract=clean_abstract(summary),
        authors=unique(_text(author, f"{ATOM}name") for author in entry.findall(f"{ATOM}author")),
        year=parse_year(_text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")),
        venue=_text(entry, f"{ARXIV}journal_ref") or None,
        doi=normalize_doi(dois[0]) if dois else None,
        arxiv_id=normalize_arxiv_id(entry_id),
        url=alternate or entry_id or None,
        tags=unique(c.get("term", "") for c in categories if c is not None),
        sources=[locate(number)],
    )


def _text(element: ET.Element, tag: str) -> str:
    return clean_text(element.findtext(tag))
