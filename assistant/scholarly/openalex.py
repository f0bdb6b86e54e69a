"""OpenAlex: works by DOI, id or search; the works one cites (``referenced_works``) and the works
citing it (``filter=cites:``). Abstracts are rebuilt from ``abstract_inverted_index`` by the
OpenAlex reader's own code. The API key goes in the ``api_key`` parameter, as OpenAlex asks.

Each work must carry the fields citewise reads (``id``, ``display_name``, ``publication_year``,
``authorships``, ``abstract_inverted_index``, ``doi``, ``is_retracted``), null or not: a field
renamed or gone is an error naming it, not a paper silently without an abstract.
"""

import re
from collections.abc import Iterator

from assistant.corpus.paper import Paper
from assistant.corpus.readers.openalex import work_paper
from assistant.errors import ApiShapeChanged
from assistant.scholarly.http import Endpoint, Http, Reply
from assistant.scholarly.shape import JsonObject, an_object, nullable, objects, optional, required
from assistant.scholarly.work import Lookup, Work
from assistant.settings import ApiName, ScholarlySettings

API = "OpenAlex"
FIELDS = (
    "id,doi,title,display_name,publication_year,publication_date,authorships,"
    "abstract_inverted_index,is_retracted,primary_location,locations,ids,referenced_works,"
    "cited_by_count,keywords,primary_topic,type"
)
PAGE = 200
"""OpenAlex's largest page."""
IDS_PER_REQUEST = 50
"""Work ids per ``openalex_id:`` filter (OpenAlex takes up to 100 values joined by ``|``)."""
_FILTER_UNSAFE = re.compile(r"[,:|]+")
_WORK_ID = re.compile(r"W\d+$")


class OpenAlex:
    name: ApiName = "openalex"
    lookups: frozenset[Lookup] = frozenset({"doi", "arxiv", "title"})

    def __init__(self, http: Http, settings: ScholarlySettings) -> None:
        self.http = http
        private = {"mailto": settings.mailto} if settings.mailto else {}
        if settings.openalex.api_key:
            private["api_key"] = settings.openalex.api_key.get_secret_value()
        self.endpoint = Endpoint(
            API, settings.openalex.base_url, settings.openalex.interval_s, private
        )

    # Lookups

    def by_doi(self, doi: str) -> Work | None:
        return self._one(f"/works/doi:{doi}")

    def by_arxiv(self, arxiv_id: str) -> Work | None:
        """arXiv preprints are in OpenAlex under arXiv's DataCite DOI."""
        return self.by_doi(f"10.48550/arxiv.{arxiv_id}")

    def by_id(self, key: str) -> Work | None:
        return self._one(f"/works/{key}")

    def by_title(self, title: str, limit: int = 5) -> list[Work]:
        words = _FILTER_UNSAFE.sub(" ", title).strip()
        return self._list({"filter": f"title.search:{words}", "per_page": limit}, limit)

    def search(self, query: str, limit: int = 25) -> list[Work]:
        return self._list({"search": query, "per_page": min(limit, PAGE)}, limit)

    # The citation graph

    def find(self, paper: Paper) -> Work | None:
        if paper.doi:
            return self.by_doi(paper.doi)
        return self.by_arxiv(paper.arxiv_id) if paper.arxiv_id else None

    def references(self, work: Work, limit: int) -> list[Work]:
        keys = work.references
        if keys is None:  # a record read without its reference list
            full = self.by_id(work.key)
            keys = full.references if full else ()
        wanted = list(keys or ())[:limit]
        found: dict[str, Work] = {}
        for start in range(0, len(wanted), IDS_PER_REQUEST):
            batch = wanted[start : start + IDS_PER_REQUEST]
            params: dict[str, str | int] = {
                "filter": "openalex_id:" + "|".join(batch),
                "per_page": len(batch),
            }
            found.update((w.key, w) for w in self._list(params, len(batch)))
        return [found[key] for key in wanted if key in found]

    def citing(self, work: Work, limit: int) -> list[Work]:
        params: dict[str, str | int] = {
            "filter": f"cites:{work.key}",
            "sort": "cited_by_count:desc",
            "per_page": min(limit, PAGE),
        }
        return self._list(params, limit)

    # Requests

    def _one(self, path: str) -> Work | None:
        return self.http.get(self.endpoint, path, {"select": FIELDS}, self._parse_one)

    def _list(self, params: dict[str, str | int], limit: int) -> list[Work]:
        works: list[Work] = []
        page = 1
        while len(works) < limit:
            query = params | {"select": FIELDS, "page": page}
            batch, more = self.http.get(self.endpoint, "/works", query, self._parse_page)
            works.extend(batch)
            if not more:
                break
            page += 1
        return works[:limit]

    def _parse_one(self, reply: Reply) -> Work | None:
        if reply.status == 404:
            return None
        return parse_work(an_object(API, reply.json(), "body"), self.endpoint.base_url, "body")

    def _parse_page(self, reply: Reply) -> tuple[list[Work], bool]:
        """The works of one page, and whether another page follows."""
        if reply.status == 404:
            raise ApiShapeChanged(API, "/works", "answered 404 (the endpoint moved?)")
        body = an_object(API, reply.json(), "body")
        meta = an_object(API, required(API, body, "meta", dict), "meta")
        count = required(API, meta, "count", int, "meta")
        page = required(API, meta, "page", int, "meta")
        per_page = required(API, meta, "per_page", int, "meta")
        results = objects(API, required(API, body, "results", list), "results")
        if count > (page - 1) * per_page and not results:
            raise ApiShapeChanged(
                API, "results", f"is empty on page {page} although meta.count is {count}"
            )
        works = [
            w
            for i, item in enumerate(results)
            if (w := parse_work(item, self.endpoint.base_url, f"results[{i}]")) is not None
        ]
        return works, page * per_page < count and bool(results)


def parse_work(item: JsonObject, base_url: str, where: str) -> Work | None:
    """One OpenAlex work (its URL: the API's record of it); None when it has no title."""
    key = required(API, item, "id", str, where).rsplit("/", 1)[-1]
    if not _WORK_ID.match(key):
        raise ApiShapeChanged(API, f"{where}.id", f"is {key!r}, not a work id (W…)")
    nullable(API, item, "display_name", str, where)
    nullable(API, item, "publication_year", int, where)
    nullable(API, item, "doi", str, where)
    nullable(API, item, "abstract_inverted_index", dict, where)
    objects(API, required(API, item, "authorships", list, where), f"{where}.authorships")
    retracted = required(API, item, "is_retracted", bool, where)
    references = optional(API, item, "referenced_works", list, where)
    paper = work_paper(item, [])
    if paper is None:
        return None
    return Work(
        api="openalex",
        key=key,
        url=f"{base_url}/works/{key}",
        paper=paper,
        retracted=retracted,
        references=None if references is None else tuple(_keys(references, where)),
        cited_by=optional(API, item, "cited_by_count", int, where),
    )


def _keys(references: list[object], where: str) -> Iterator[str]:
    for i, reference in enumerate(references):
        if not isinstance(reference, str):
            raise ApiShapeChanged(API, f"{where}.referenced_works[{i}]", "is not a work id")
        yield reference.rsplit("/", 1)[-1]
