"""A pool of works served in OpenAlex's shape: what the discovery tests and the discovery
evaluation search and snowball through, from the replay server (``tests/scholarly_server.py``).

``OpenAlexPool(works).mount(server)`` answers, under ``/openalex/works``:

* ``/works/W123`` and ``/works/doi:10.x/y``: one work, or OpenAlex's 404;
* ``?filter=openalex_id:W1|W2``: those works; ``?filter=cites:W1``: the works whose
  ``referenced_works`` hold W1; ``?filter=title.search:words``: BM25 over titles;
* ``?search=words``: BM25 over title and abstract (citewise's own BM25, Lucene's formula, with
  Snowball stemming and stop words: an imitation of a search engine's relevance, not OpenAlex's
  exact ranking);

paged by ``per_page`` and ``page``, with ``meta.count`` the number of matches. Works are plain
dictionaries with the fields citewise's client requires (``work()`` makes one).
"""

from collections.abc import Sequence
from typing import Any

from assistant.corpus.readers.openalex import rebuild_abstract
from assistant.index.bm25 import Bm25, Doc
from assistant.index.lexical import terms
from tests.scholarly_server import Answer, Request, ScholarlyServer

Work = dict[str, Any]


def work(
    key: str,
    title: str,
    abstract: str = "",
    *,
    year: int | None = None,
    authors: Sequence[str] = (),
    doi: str | None = None,
    references: Sequence[str] = (),
) -> Work:
    """One work in OpenAlex's shape (the abstract as an inverted index)."""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(abstract.split()):
        index.setdefault(word, []).append(position)
    return {
        "id": f"https://openalex.org/{key}",
        "doi": f"https://doi.org/{doi}" if doi else None,
        "title": title,
        "display_name": title,
        "publication_year": year,
        "authorships": [{"author": {"display_name": name}} for name in authors],
        "abstract_inverted_index": index or None,
        "is_retracted": False,
        "cited_by_count": 0,
        "referenced_works": [f"https://openalex.org/{r}" for r in references],
        "ids": {"openalex": f"https://openalex.org/{key}"},
        "primary_location": None,
        "locations": [],
    }


class OpenAlexPool:
    def __init__(self, works: Sequence[Work]) -> None:
        self.works = {str(w["id"]).rsplit("/", 1)[-1]: w for w in works}
        self._by_doi = {
            str(w["doi"]).removeprefix("https://doi.org/"): w for w in works if w["doi"]
        }
        self._cited: dict[str, list[str]] = {}
        for key, item in self.works.items():
            for reference in item["referenced_works"]:
                self._cited.setdefault(reference.rsplit("/", 1)[-1], []).append(key)
        self._text = self._index(
            lambda w: f"{w['title']} {rebuild_abstract(w['abstract_inverted_index'])}"
        )
        self._titles = self._index(lambda w: str(w["title"]))

    def _index(self, text: Any) -> Bm25:
        return Bm25.build(Doc(key, terms(text(w)), key, 0, [], []) for key, w in self.works.items())

    def mount(self, server: ScholarlyServer) -> None:
        server.add("/openalex/works*", self)

    def search(self, query: str, n: int) -> list[str]:
        """The keys of the ``n`` best works for ``query`` (title and abstract), best first."""
        return [key for key, _ in self._text.search(terms(query), n)]

    def __call__(self, request: Request) -> Answer:
        rest = request.path.removeprefix("/openalex/works").lstrip("/")
        if rest:
            found = (
                self._by_doi.get(rest.removeprefix("doi:"))
                if rest.startswith("doi:")
                else self.works.get(rest)
            )
            return Answer.json(found) if found else Answer.file("openalex/404.html", 404)
        query = request.query
        kind, _, value = query.get("filter", "").partition(":")
        if kind == "openalex_id":
            keys = [k for k in value.split("|") if k in self.works]
        elif kind == "cites":
            keys = self._cited.get(value, [])
        elif kind == "title.search":
            keys = [k for k, _ in self._titles.search(terms(value), len(self.works))]
        elif "search" in query:
            keys = self.search(query["search"], len(self.works))
        else:
            return Answer.json({"error": f"the test pool does not answer {query}"}, 400)
        per_page, page = int(query.get("per_page", "25")), int(query.get("page", "1"))
        chosen = keys[(page - 1) * per_page : page * per_page]
        meta = {"count": len(keys), "db_response_time_ms": 1, "page": page, "per_page": per_page}
        return Answer.json(
            {"meta": meta, "results": [self.works[k] for k in chosen], "group_by": []}
        )
