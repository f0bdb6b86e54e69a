"""arXiv API: ``id_list`` for an arXiv id, ``search_query`` for a title or a question. Its terms ask
for one request every 3 seconds (``scholarly.arxiv.interval_s``). The Atom feed is read by the
arXiv reader's own code (``read_feed``): both feed generations, DOCTYPEs refused.

An id that does not exist is a feed with no entry (not a 404); an error entry (a malformed id)
is an error; a feed that announces results (``opensearch:totalResults``) and carries none is a
changed answer. arXiv cannot be searched by DOI and says nothing about retractions.
"""

import io
import re
from functools import partial

from assistant.corpus.paper import Paper, Source
from assistant.corpus.readers.arxiv_atom import read_feed
from assistant.errors import ApiError, ApiShapeChanged, InputError
from assistant.scholarly.http import Endpoint, Http, Reply
from assistant.scholarly.work import Lookup, Work
from assistant.settings import ApiName, ScholarlySettings

API = "arXiv"
_TOTAL = re.compile(rb"<opensearch:totalResults[^>]*>\s*(\d+)\s*<")
_WORD = re.compile(r"[^\W_]+")
_ANSWERS = frozenset({200, 400, 404})
"""arXiv says what was wrong with a request (400) in an Atom error entry."""
_QUERY_WORDS = 12
"""Words of a question sent (arXiv's query parser slows and errs on long queries)."""


class Arxiv:
    name: ApiName = "arxiv"
    lookups: frozenset[Lookup] = frozenset({"arxiv", "title"})

    def __init__(self, http: Http, settings: ScholarlySettings) -> None:
        self.http = http
        self.endpoint = Endpoint(
            API, settings.arxiv.base_url, settings.arxiv.interval_s, answers=_ANSWERS
        )

    def by_doi(self, doi: str) -> Work | None:
        """Never: the arXiv API cannot be searched by DOI."""
        return None

    def by_arxiv(self, arxiv_id: str) -> Work | None:
        works = self._query({"id_list": arxiv_id, "max_results": 1}, 0)
        return next((w for w in works if w.key == arxiv_id), None)

    def by_title(self, title: str, limit: int = 5) -> list[Work]:
        words = " ".join(_WORD.findall(title))
        return self._query({"search_query": f'ti:"{words}"', "max_results": limit}, 0)

    def search(self, query: str, limit: int = 25) -> list[Work]:
        words = _WORD.findall(query)[:_QUERY_WORDS]
        search = " OR ".join(f"all:{word}" for word in words)
        params: dict[str, str | int] = {
            "search_query": search,
            "sortBy": "relevance",
            "max_results": limit,
        }
        return self._query(params, 0)

    def _query(self, params: dict[str, str | int], start: int) -> list[Work]:
        query = params | {"start": start}
        return self.http.get(self.endpoint, "", query, partial(self._parse, start))

    def _parse(self, start: int, reply: Reply) -> list[Work]:
        if reply.status == 404:
            raise ApiShapeChanged(API, "query", "answered 404 (the endpoint moved?)")
        works: list[Work] = []
        try:
            for item in read_feed(io.BytesIO(reply.body), API, self._source):
                if isinstance(item, Paper):
                    works.append(self._work(item))
                elif item.reason.startswith("arXiv API error"):
                    raise ApiError(API, item.reason.removeprefix("arXiv API error: "))
                elif item.reason.startswith("malformed XML"):
                    raise ApiShapeChanged(API, "feed", f"is not a complete Atom feed ({item})")
        except InputError as error:
            raise ApiShapeChanged(API, "feed", str(error).removeprefix(f"{API}: ")) from None
        if reply.status != 200:
            raise ApiError(API, f"the request was refused ({reply.status})")
        total = _TOTAL.search(reply.body)
        if total is None:
            raise ApiShapeChanged(API, "opensearch:totalResults", "is missing")
        if int(total.group(1)) > start and not works:
            announced = total.group(1).decode()
            raise ApiShapeChanged(API, "entry", f"is absent although totalResults is {announced}")
        return works

    def _source(self, number: int) -> Source:
        return Source(path=self.endpoint.base_url, format=self.name, record=number)

    def _work(self, paper: Paper) -> Work:
        if paper.arxiv_id is None:
            raise ApiShapeChanged(API, "entry.id", f"holds no arXiv id ({paper.url})")
        url = f"{self.endpoint.base_url}?id_list={paper.arxiv_id}"
        return Work("arxiv", paper.arxiv_id, url, paper.model_copy(update={"sources": []}))
