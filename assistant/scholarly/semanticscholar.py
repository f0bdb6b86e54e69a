"""Semantic Scholar Graph API: a paper (``/paper/DOI:...``, ``ARXIV:...``, or its id), its
references and citations (paged), search, and ``/paper/search/match`` for a title. The key, when
set, goes in the ``x-api-key`` header.

Semantic Scholar leaves out of a record the fields that were not asked for, so only ``paperId``
and ``title`` are required of each; the pages' own fields (``data``, ``citedPaper``,
``citingPaper``) are required wherever results are due. It says nothing about retractions.
"""

from functools import partial
from urllib.parse import quote

from assistant.corpus.normalize import normalize_arxiv_id, normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.fields import clean_abstract, strip_markup, text_value, unique
from assistant.errors import ApiShapeChanged
from assistant.scholarly.http import Endpoint, Http, Reply
from assistant.scholarly.shape import JsonObject, an_object, nullable, objects, optional, required
from assistant.scholarly.work import Lookup, Work
from assistant.settings import ApiName, ScholarlySettings

API = "Semantic Scholar"
FIELDS = "paperId,externalIds,title,abstract,year,authors,venue,citationCount,url"
PAGE = 100


class SemanticScholar:
    name: ApiName = "semanticscholar"
    lookups: frozenset[Lookup] = frozenset({"doi", "arxiv", "title"})

    def __init__(self, http: Http, settings: ScholarlySettings) -> None:
        self.http = http
        s2 = settings.semanticscholar
        headers = {"x-api-key": s2.api_key.get_secret_value()} if s2.api_key else {}
        self.endpoint = Endpoint(API, s2.base_url, s2.interval(), private_headers=headers)

    # Lookups

    def by_doi(self, doi: str) -> Work | None:
        return self.by_id(f"DOI:{doi}")

    def by_arxiv(self, arxiv_id: str) -> Work | None:
        return self.by_id(f"ARXIV:{arxiv_id}")

    def by_id(self, key: str) -> Work | None:
        path = f"/paper/{quote(key, safe='/:()')}"
        return self.http.get(self.endpoint, path, {"fields": FIELDS}, self._parse_one)

    def by_title(self, title: str, limit: int = 5) -> list[Work]:
        """Semantic Scholar's single best title match (404 when it has none)."""
        params = {"query": title, "fields": FIELDS}
        return self.http.get(self.endpoint, "/paper/search/match", params, self._parse_match)

    def search(self, query: str, limit: int = 25) -> list[Work]:
        return self._pages("/paper/search", {"query": query}, limit, None)

    # The citation graph

    def find(self, paper: Paper) -> Work | None:
        if paper.doi:
            return self.by_doi(paper.doi)
        return self.by_arxiv(paper.arxiv_id) if paper.arxiv_id else None

    def references(self, work: Work, limit: int) -> list[Work]:
        return self._pages(f"/paper/{work.key}/references", {}, limit, "citedPaper")

    def citing(self, work: Work, limit: int) -> list[Work]:
        return self._pages(f"/paper/{work.key}/citations", {}, limit, "citingPaper")

    # Requests

    def _pages(
        self, path: str, params: dict[str, str], limit: int, inner: str | None
    ) -> list[Work]:
        works: list[Work] = []
        offset: int | None = 0
        while offset is not None and len(works) < limit:
            query: dict[str, str | int] = {
                **params,
                "fields": FIELDS,
                "offset": offset,
                "limit": min(PAGE, limit),
            }
            parse = partial(self._parse_page, inner, offset)
            batch, offset = self.http.get(self.endpoint, path, query, parse)
            works.extend(batch)
        return works[:limit]

    def _parse_one(self, reply: Reply) -> Work | None:
        if reply.status == 404:
            return None
        return parse_paper(an_object(API, reply.json(), "body"), self.endpoint.base_url, "body")

    def _parse_match(self, reply: Reply) -> list[Work]:
        if reply.status == 404:  # "Title match not found"
            return []
        body = an_object(API, reply.json(), "body")
        data = objects(API, required(API, body, "data", list), "data")
        base = self.endpoint.base_url
        return [w for i, d in enumerate(data) if (w := parse_paper(d, base, f"data[{i}]"))]

    def _parse_page(
        self, inner: str | None, offset: int, reply: Reply
    ) -> tuple[list[Work], int | None]:
        """One page's works, and the offset of the next page (None: the last)."""
        if reply.status == 404:
            raise ApiShapeChanged(API, reply.url.split("?")[0], "answered 404 (the paper is gone?)")
        body = an_object(API, reply.json(), "body")
        following = optional(API, body, "next", int)
        total = optional(API, body, "total", int)
        due = offset > 0 or following is not None or (total is not None and total > offset)
        if "data" not in body and not due:
            return [], None  # an empty search leaves "data" out: {"total": 0, "offset": 0}
        data = objects(API, required(API, body, "data", list), "data")
        if due and not data:
            raise ApiShapeChanged(API, "data", f"is empty at offset {offset} with more announced")
        base, works = self.endpoint.base_url, []
        for i, item in enumerate(data):
            where = f"data[{i}]"
            if inner:
                item, where = required(API, item, inner, dict, where), f"{where}.{inner}"
            work = parse_paper(item, base, where)
            if work is not None:
                works.append(work)
        return works, following


def parse_paper(item: JsonObject, base_url: str, where: str) -> Work | None:
    """One paper; None when it has no id or no title (an unresolved reference)."""
    key = nullable(API, item, "paperId", str, where)
    title = strip_markup(nullable(API, item, "title", str, where))
    if not key or not title:
        return None
    ids = optional(API, item, "externalIds", dict, where) or {}
    authors = objects(API, optional(API, item, "authors", list, where) or [], f"{where}.authors")
    doi = normalize_doi(text_value(ids.get("DOI")))
    paper = Paper(
        title=title,
        abstract=clean_abstract(optional(API, item, "abstract", str, where)),
        authors=unique(text_value(a.get("name")) for a in authors),
        year=optional(API, item, "year", int, where),
        venue=text_value(optional(API, item, "venue", str, where)) or None,
        doi=doi,
        arxiv_id=normalize_arxiv_id(text_value(ids.get("ArXiv"))),
        url=optional(API, item, "url", str, where) or (f"https://doi.org/{doi}" if doi else None),
    )
    cited_by = optional(API, item, "citationCount", int, where)
    return Work("semanticscholar", key, f"{base_url}/paper/{key}", paper, False, None, cited_by)
