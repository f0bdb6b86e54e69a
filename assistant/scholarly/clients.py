"""The clients, made from the settings: one HTTP layer (and cache) shared by all of them."""

from collections.abc import Sequence
from dataclasses import dataclass

from assistant import paths
from assistant.errors import ConfigError
from assistant.scholarly.arxiv import Arxiv
from assistant.scholarly.cache import ResponseCache
from assistant.scholarly.crossref import Crossref
from assistant.scholarly.http import Http
from assistant.scholarly.openalex import OpenAlex
from assistant.scholarly.semanticscholar import SemanticScholar
from assistant.scholarly.work import LABELS, CitationGraph, MetadataApi
from assistant.settings import ScholarlySettings


@dataclass
class Apis:
    """Every client, over one HTTP layer; ``close()`` it when done (``contextlib.closing``)."""

    http: Http
    openalex: OpenAlex
    crossref: Crossref
    semanticscholar: SemanticScholar
    arxiv: Arxiv

    @classmethod
    def open(cls, settings: ScholarlySettings, http: Http | None = None) -> "Apis":
        if http is None:
            cache = ResponseCache(
                paths.cache_dir() / "scholarly.sqlite", settings.cache_days * 86400
            )
            http = Http(settings, cache)
        return cls(
            http,
            OpenAlex(http, settings),
            Crossref(http, settings),
            SemanticScholar(http, settings),
            Arxiv(http, settings),
        )

    def metadata(self, names: Sequence[str]) -> list[MetadataApi]:
        """The clients named (in that order); an unknown name is a configuration error."""
        return [self._named(name) for name in names]

    def graph(self, name: str) -> CitationGraph:
        graphs: dict[str, CitationGraph] = {
            "openalex": self.openalex,
            "semanticscholar": self.semanticscholar,
        }
        if name not in graphs:
            raise ConfigError(
                f"{LABELS.get(name, name)} cannot walk citations",
                hint=f"use one of: {', '.join(graphs)}",
            )
        return graphs[name]

    def _named(self, name: str) -> MetadataApi:
        clients: dict[str, MetadataApi] = {
            "openalex": self.openalex,
            "crossref": self.crossref,
            "semanticscholar": self.semanticscholar,
            "arxiv": self.arxiv,
        }
        if name not in clients:
            raise ConfigError(
                f"no scholarly API called {name!r}", hint=f"choose from: {', '.join(clients)}"
            )
        return clients[name]

    def close(self) -> None:
        self.http.close()
