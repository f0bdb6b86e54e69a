"""CSL JSON: the citation format of Zotero (plain and Better CSL JSON), Manubot and pandoc."""

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.normalize import normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import (
    clean_abstract,
    find_arxiv_id,
    parse_year,
    source,
    split_list,
    strip_markup,
    text_value,
    unique,
)
from assistant.corpus.readers.jsondoc import (
    JsonObject,
    has_keys,
    load_document,
    numbered_records,
)
from assistant.errors import InputError

_ARXIV_IN_NOTE = re.compile(
    r"\barxiv:\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE
)
_OPENALEX_ID = re.compile(r'"id"\s*:\s*"https://openalex\.org/W\d+"')


class CslJsonReader:
    """A JSON array of CSL items: ``title``, ``author``, ``issued``, ``DOI``, ``id``…"""

    name = "csl-json"
    extensions: tuple[str, ...] = (".json", ".csl.json")

    def sniff(self, head: str) -> bool:
        start = head.lstrip("\ufeff \t\r\n")
        return (
            start.startswith("[")
            and not _OPENALEX_ID.search(head)
            and has_keys(start, "type")
            and any(has_keys(start, key) for key in ("title", "author", "issued"))
        )

    def read(self, path: Path) -> Iterator[Item]:
        document = load_document(path)
        if isinstance(document, dict) and "type" in document:
            document = [document]
        if not isinstance(document, list):
            raise InputError(f"{path}: not CSL JSON (expected an array of items)")
        for numbered in numbered_records(path, document):
            if isinstance(numbered, ReadIssue):
                yield numbered
                continue
            number, item = numbered
            title = strip_markup(item.get("title"))
            if not title:
                yield ReadIssue(str(path), "item has no title", record=number)
                continue
            yield Paper(
                title=title,
                abstract=clean_abstract(item.get("abstract")),
                authors=_authors(item.get("author")),
                year=_year(item.get("issued")),
                venue=_first(item.get("container-title")) or None,
                doi=normalize_doi(text_value(item.get("DOI"))),
                arxiv_id=_arxiv_id(item),
                url=text_value(item.get("URL")) or None,
                citation_key=_citation_key(item),
                tags=unique(
                    [*split_list(item.get("keyword")), *split_list(item.get("categories"))]
                ),
                sources=[source(path, self.name, record=number)],
            )


def _authors(value: object) -> list[str]:
    """CSL names: ``{"family", "given", "non-dropping-particle"}`` or ``{"literal"}``."""
    if not isinstance(value, list):
        return []
    names = []
    for person in value:
        if not isinstance(person, dict):
            continue
        literal = text_value(person.get("literal"))
        parts = (
            person.get(key)
            for key in ("given", "dropping-particle", "non-dropping-particle", "family")
        )
        names.append(literal or " ".join(filter(None, map(text_value, parts))))
    return unique(names)


def _year(issued: object) -> int | None:
    """``{"date-parts": [[2021, 5]]}``, or the ``raw``/``literal`` forms."""
    if not isinstance(issued, dict):
        return parse_year(issued)
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = parse_year(parts[0][0])
        if year:
            return year
    return parse_year(issued.get("raw")) or parse_year(issued.get("literal"))


def _first(value: object) -> str:
    """A string, or the first of a list (old CSL exports give ``container-title`` as a list)."""
    if isinstance(value, list):
        return strip_markup(value[0]) if value else ""
    return strip_markup(value)


def _arxiv_id(item: JsonObject) -> str | None:
    """From the URL, an arXiv DOI, ``number`` when the item is an arXiv preprint, or the note."""
    number = text_value(item.get("number"))
    context = " ".join(
        text_value(item.get(key)) for key in ("archive", "publisher", "container-title")
    )
    note = _ARXIV_IN_NOTE.search(text_value(item.get("note")))
    return find_arxiv_id(
        item.get("URL"),
        item.get("DOI"),
        number if "arxiv" in f"{context} {number}".casefold() else None,
        note.group(1) if note else None,
    )


def _citation_key(item: JsonObject) -> str | None:
    """``citation-key`` (Better CSL JSON), else ``id`` unless it is a URI such as Zotero's."""
    for value in (item.get("citation-key"), item.get("citationKey"), item.get("id")):
        key = text_value(value) if isinstance(value, str) else ""
        if key and "://" not in key and " " not in key:
            return key
    return None
