"""OpenAlex works: a saved ``/works`` response, one work, an array of works, or JSON Lines of them.

OpenAlex does not ship abstracts as text: ``abstract_inverted_index`` maps each word to the
positions where it occurs, and the abstract is rebuilt by putting the words back in order.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.normalize import normalize_doi
from assistant.corpus.paper import Paper, Source
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import (
    clean_abstract,
    find_arxiv_id,
    parse_year,
    source,
    strip_markup,
    text_value,
    unique,
)
from assistant.corpus.readers.jsondoc import (
    JsonObject,
    is_json_lines,
    json_lines,
    load_document,
    numbered_records,
)
from assistant.errors import InputError

_WORK_ID = re.compile(r'"id"\s*:\s*"https://openalex\.org/W\d+"')


class OpenAlexReader:
    """Works from the OpenAlex API, whole documents or one per line."""

    name = "openalex"
    extensions: tuple[str, ...] = (".json", ".jsonl")

    def sniff(self, head: str) -> bool:
        return head.lstrip("\ufeff \t\r\n").startswith(("{", "[")) and bool(_WORK_ID.search(head))

    def read(self, path: Path) -> Iterator[Item]:
        if is_json_lines(path):
            yield from self._lines(path)
            return
        works = _works(load_document(path))
        if works is None:
            raise InputError(
                f"{path}: not OpenAlex works (expected a /works response, a work or an array)"
            )
        for numbered in numbered_records(path, works):
            if isinstance(numbered, ReadIssue):
                yield numbered
            else:
                yield self._work(path, numbered[1], record=numbered[0])

    def _lines(self, path: Path) -> Iterator[Item]:
        """One work, or one whole /works response, a line."""
        for numbered in json_lines(path):
            if isinstance(numbered, ReadIssue):
                yield numbered
                continue
            line, value = numbered
            works = _works(value)
            if works is None:
                yield ReadIssue(str(path), "not an OpenAlex work", line=line)
                continue
            for work in works:
                if isinstance(work, dict):
                    yield self._work(path, work, line=line)
                else:
                    yield ReadIssue(str(path), "a result that is not an object", line=line)

    def _work(
        self, path: Path, work: JsonObject, *, line: int | None = None, record: int | None = None
    ) -> Item:
        paper = work_paper(work, [source(path, self.name, line=line, record=record)])
        return paper or ReadIssue(str(path), "work has no title", line=line, record=record)


def work_paper(work: JsonObject, sources: list[Source]) -> Paper | None:
    """One OpenAlex work as a Paper (None when it has no title): shared by this reader and the
    OpenAlex API client."""
    title = strip_markup(work.get("title")) or strip_markup(work.get("display_name"))
    if not title:
        return None
    doi = normalize_doi(text_value(work.get("doi")))
    primary = _object(work.get("primary_location")) or _object(work.get("host_venue"))
    venue = text_value(_object(primary.get("source")).get("display_name")) or text_value(
        primary.get("display_name")
    )
    return Paper(
        title=title,
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        authors=unique(_author(a) for a in _objects(work.get("authorships"))),
        year=parse_year(work.get("publication_year")) or parse_year(work.get("publication_date")),
        venue=venue or None,
        doi=doi,
        arxiv_id=_arxiv_id(work, doi),
        url=text_value(primary.get("landing_page_url"))
        or (f"https://doi.org/{doi}" if doi else text_value(work.get("id")))
        or None,
        tags=_tags(work),
        sources=sources,
    )


def rebuild_abstract(index: object) -> str:
    """The abstract from ``{"word": [positions]}``; empty when there is none."""
    if not isinstance(index, dict):
        return ""
    placed = sorted(
        (position, word)
        for word, positions in index.items()
        if isinstance(positions, list)
        for position in positions
        if isinstance(position, int) and not isinstance(position, bool)
    )
    return clean_abstract(" ".join(str(word) for _, word in placed))


def _works(document: object) -> list[object] | None:
    """The works in a response (``results``), an array, or a single work; None for other JSON."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        results = document.get("results")
        if isinstance(results, list):
            return results
        if "id" in document and ("title" in document or "display_name" in document):
            return [document]
    return None


def _author(authorship: JsonObject) -> str:
    name = text_value(_object(authorship.get("author")).get("display_name"))
    return name or text_value(authorship.get("raw_author_name"))


def _arxiv_id(work: JsonObject, doi: str | None) -> str | None:
    """From ``ids.arxiv``, an arXiv DOI, or a location on arxiv.org."""
    locations = _objects(work.get("locations"))
    urls = [loc.get(key) for loc in locations for key in ("landing_page_url", "pdf_url")]
    return find_arxiv_id(_object(work.get("ids")).get("arxiv"), doi, *urls)


def _tags(work: JsonObject) -> list[str]:
    """Keywords (old ``keyword`` or new ``display_name`` form) and the primary topic."""
    keywords = [
        text_value(kw.get("display_name")) or text_value(kw.get("keyword"))
        for kw in _objects(work.get("keywords"))
    ]
    topic = text_value(_object(work.get("primary_topic")).get("display_name"))
    return unique([*keywords, topic])


def _object(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
