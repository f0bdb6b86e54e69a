"""What every scholarly API client returns, and the two interfaces they implement.

A ``Work`` is one record of one API: its metadata and abstract as a ``Paper`` (no sources: it was
not read from the user's files), the API's own id for it, the URL it was read from, whether the
API says it was retracted, and the ids of the works it cites when the answer lists them.

``MetadataApi`` is what ``enrich`` and ``discover`` search with (all four APIs); ``CitationGraph``
is what snowballing walks (OpenAlex, Semantic Scholar). A lookup that finds nothing returns None
or an empty list only when the API said so; any failure raises an ``ApiError``.
"""

from dataclasses import dataclass
from typing import Literal, Protocol

from assistant.corpus.paper import Paper, Source
from assistant.settings import ApiName

Lookup = Literal["doi", "arxiv", "title"]

LABELS: dict[str, str] = {
    "openalex": "OpenAlex",
    "crossref": "Crossref",
    "semanticscholar": "Semantic Scholar",
    "arxiv": "arXiv",
}


@dataclass(frozen=True)
class Work:
    api: ApiName
    key: str
    """The API's own id: "W2109415576", a Semantic Scholar paperId, a DOI, an arXiv id."""

    url: str
    """Where it was read: the API request (without any key)."""

    paper: Paper
    retracted: bool = False
    references: tuple[str, ...] | None = None
    """The API ids of the works it cites, when the answer lists them (None: not given)."""

    cited_by: int | None = None

    def as_paper(self) -> Paper:
        """The work as a paper of the library: its source is the API record."""
        return self.paper.model_copy(
            update={
                "sources": [Source(path=self.url, format=self.api)],
                "retracted": self.retracted,
            }
        )


class MetadataApi(Protocol):
    name: ApiName
    lookups: frozenset[Lookup]
    """Which of ``by_doi``, ``by_arxiv``, ``by_title`` this API can answer."""

    def by_doi(self, doi: str) -> Work | None: ...

    def by_arxiv(self, arxiv_id: str) -> Work | None: ...

    def by_title(self, title: str, limit: int = 5) -> list[Work]:
        """Works whose title matches ``title``, best first (unverified: see ``matching``)."""
        ...

    def search(self, query: str, limit: int = 25) -> list[Work]:
        """Works relevant to a question, in the API's own relevance order."""
        ...


class CitationGraph(Protocol):
    name: ApiName

    def find(self, paper: Paper) -> Work | None:
        """The API's record of a library paper, by DOI, then arXiv id (None: not found)."""
        ...

    def references(self, work: Work, limit: int) -> list[Work]:
        """The works ``work`` cites (at most ``limit``)."""
        ...

    def citing(self, work: Work, limit: int) -> list[Work]:
        """Works that cite ``work``, most cited first where the API can sort (at most
        ``limit``)."""
        ...
