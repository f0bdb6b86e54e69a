"""Crossref: works by DOI (``/works/{doi}``) and by query (``/works?query...``), with ``mailto`` for
the polite pool. Abstracts arrive as JATS XML and are read as plain text (section titles kept as
"Background: ..."). A work is flagged retracted when an ``updated-by`` notice (from the publisher
or Retraction Watch) is a retraction, withdrawal or removal; a correction is not one.

Crossref holds no arXiv preprints (their DOIs are DataCite's), and has no citing-works endpoint,
so it serves lookups and search, not snowballing.
"""

import re
from functools import partial
from urllib.parse import quote

from assistant.corpus.normalize import normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.fields import (
    arxiv_from_doi,
    clean_abstract,
    strip_markup,
    text_value,
    unique,
)
from assistant.errors import ApiShapeChanged
from assistant.scholarly.http import Endpoint, Http, Reply
from assistant.scholarly.shape import JsonObject, an_object, objects, optional, required
from assistant.scholarly.work import Lookup, Work
from assistant.settings import ApiName, ScholarlySettings

API = "Crossref"
RETRACTING = frozenset({"retraction", "withdrawal", "removal"})
"""``updated-by`` types that withdraw a work (a partial retraction or correction does not)."""
ROWS = 100
_JATS_TITLE_END = re.compile(r"\s*</(?:jats:)?title>\s*")


class Crossref:
    name: ApiName = "crossref"
    lookups: frozenset[Lookup] = frozenset({"doi", "title"})

    def __init__(self, http: Http, settings: ScholarlySettings) -> None:
        self.http = http
        private = {"mailto": settings.mailto} if settings.mailto else {}
        self.endpoint = Endpoint(
            API, settings.crossref.base_url, settings.crossref.interval_s, private
        )

    def by_doi(self, doi: str) -> Work | None:
        path = f"/works/{quote(doi, safe='/():;')}"
        return self.http.get(self.endpoint, path, {}, self._parse_one)

    def by_arxiv(self, arxiv_id: str) -> Work | None:
        """Never in Crossref: arXiv's DOIs are registered with DataCite."""
        return None

    def by_title(self, title: str, limit: int = 5) -> list[Work]:
        return self._list({"query.bibliographic": title}, limit)

    def search(self, query: str, limit: int = 25) -> list[Work]:
        return self._list({"query": query}, limit)

    def _list(self, params: dict[str, str | int], limit: int) -> list[Work]:
        works: list[Work] = []
        offset = 0
        while len(works) < limit:
            rows = min(ROWS, limit - len(works))
            query = params | {"rows": rows, "offset": offset}
            parse = partial(self._parse_page, offset)
            batch, total = self.http.get(self.endpoint, "/works", query, parse)
            works.extend(batch)
            offset += rows
            if offset >= total or not batch:
                break
        return works[:limit]

    def _parse_one(self, reply: Reply) -> Work | None:
        if reply.status == 404:
            return None
        message = _message(reply, "work")
        return parse_item(message, self.endpoint.base_url, "message")

    def _parse_page(self, offset: int, reply: Reply) -> tuple[list[Work], int]:
        if reply.status == 404:
            raise ApiShapeChanged(API, "/works", "answered 404 (the endpoint moved?)")
        message = _message(reply, "work-list")
        total = required(API, message, "total-results", int, "message")
        items = objects(API, required(API, message, "items", list, "message"), "message.items")
        if total > offset and not items:
            raise ApiShapeChanged(
                API, "message.items", f"is empty at offset {offset} of {total} total-results"
            )
        base = self.endpoint.base_url
        works = [
            w
            for i, item in enumerate(items)
            if (w := parse_item(item, base, f"message.items[{i}]")) is not None
        ]
        return works, total


def _message(reply: Reply, kind: str) -> JsonObject:
    body = an_object(API, reply.json(), "body")
    found = required(API, body, "message-type", str)
    if found != kind:
        raise ApiShapeChanged(API, "message-type", f"is {found!r}, not {kind!r}")
    return an_object(API, required(API, body, "message", dict), "message")


def parse_item(item: JsonObject, base_url: str, where: str) -> Work | None:
    """One Crossref work; None when it has no title."""
    doi = normalize_doi(required(API, item, "DOI", str, where))
    if doi is None:
        raise ApiShapeChanged(API, f"{where}.DOI", "is not a DOI")
    titles = optional(API, item, "title", list, where) or []
    title = next((strip_markup(t) for t in titles if strip_markup(t)), "")
    if not title:
        return None
    abstract = optional(API, item, "abstract", str, where) or ""
    authors = objects(API, optional(API, item, "author", list, where) or [], f"{where}.author")
    venues = optional(API, item, "container-title", list, where) or []
    updates = objects(
        API, optional(API, item, "updated-by", list, where) or [], f"{where}.updated-by"
    )
    paper = Paper(
        title=title,
        abstract=clean_abstract(_JATS_TITLE_END.sub(": ", abstract)),
        authors=unique(_author(a) for a in authors),
        year=_year(item, where),
        venue=next((text_value(v) for v in venues if text_value(v)), None),
        doi=doi,
        arxiv_id=arxiv_from_doi(doi),
        url=text_value(item.get("URL")) or f"https://doi.org/{doi}",
    )
    retracted = any(text_value(u.get("type")).lower() in RETRACTING for u in updates)
    cited_by = optional(API, item, "is-referenced-by-count", int, where)
    return Work("crossref", doi, f"{base_url}/works/{doi}", paper, retracted, None, cited_by)


def _author(author: JsonObject) -> str:
    name = " ".join(text_value(author.get(k)) for k in ("given", "family")).strip()
    return name or text_value(author.get("name"))


def _year(item: JsonObject, where: str) -> int | None:
    """The year of ``issued`` (else ``published``): ``{"date-parts": [[2020, 8, 17]]}``."""
    for key in ("issued", "published"):
        date = optional(API, item, key, dict, where)
        parts = optional(API, date, "date-parts", list, f"{where}.{key}") if date else None
        first = parts[0] if parts and isinstance(parts[0], list) and parts[0] else None
        if first and isinstance(first[0], int) and not isinstance(first[0], bool):
            return first[0]
    return None
