"""The library: one object over the store, the lexical index, ingestion and search, assembled
here from the settings (``make_embedder`` chooses the embedding model).

The CLI and the TUI hold a ``Library``; they never reach into the index package themselves.
"""

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from assistant import paths
from assistant.corpus.normalize import normalize_arxiv_id, normalize_doi
from assistant.corpus.paper import Paper
from assistant.errors import ConfigError, InputError
from assistant.index.embeddings import MINILM, Embedder
from assistant.index.filters import Filters
from assistant.index.ingest import Ingestor, IngestReport
from assistant.index.lexical import LexicalIndex
from assistant.index.lock import write_lock
from assistant.index.store import ChunkStore
from assistant.progress import Progress
from assistant.retrieval import Mode, PaperHit, Retriever
from assistant.settings import EmbeddingSettings, Settings


class Library:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedding)
        self.store = ChunkStore(settings.store, self.embedder)
        self._lexical: LexicalIndex | None = None
        self.retriever = Retriever(self.store, self.lexical, self.embedder, settings.retrieval)

    @property
    def location(self) -> str:
        return self.store.location

    # Writing

    def ingest(
        self,
        sources: Sequence[Path],
        progress: Progress | None = None,
        columns: dict[str, str] | None = None,
    ) -> IngestReport:
        with self._writing():
            ingestor = Ingestor(self.store, self.embedder, self.settings.chunking, columns=columns)
            report = ingestor.ingest(sources, progress)
        self.lexical()
        return report

    def add_papers(self, papers: Iterable[Paper], progress: Progress | None = None) -> IngestReport:
        with self._writing():
            ingestor = Ingestor(self.store, self.embedder, self.settings.chunking)
            report = ingestor.add_papers(papers, progress)
        self.lexical()
        return report

    def replace_papers(
        self, papers: Iterable[Paper], progress: Progress | None = None
    ) -> IngestReport:
        """Write new versions of papers already stored (enrichment): re-embedded only where
        their text changed."""
        with self._writing():
            ingestor = Ingestor(self.store, self.embedder, self.settings.chunking)
            report = ingestor.replace_papers(papers, progress)
        self.lexical()
        return report

    def remove(self, paper_ids: Collection[str]) -> int:
        """Take papers out of the store (chunks, vectors and metadata); how many were there.
        Ingesting a file that holds them again brings them back."""
        chunks = [c for paper_id in set(paper_ids) for c in self.store.chunks_of(paper_id)]
        if not chunks:
            return 0
        empty = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        with self._writing():
            self.store.write([], empty, {}, delete=[c.id for c in chunks])
        self.lexical()
        return len({c.paper.id for c in chunks})

    def _writing(self) -> AbstractContextManager[None]:
        if self.settings.store.server_url:
            return nullcontext()  # writers take turns per batch (ChunkStore.turn)
        return write_lock(self.settings.store.path)

    # Reading

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        mmr_lambda: float | None = None,
    ) -> list[PaperHit]:
        return self.retriever.search(query, k, filters, mode, mmr_lambda)

    def papers(self) -> list[Paper]:
        return sorted((s.paper for s in self.store.papers()), key=lambda p: p.title.casefold())

    def generation(self) -> str:
        """The store's generation token: it changes whenever a write (this process's or
        another's) may have changed the papers."""
        return self.store.generation()

    def count_chunks(self) -> int:
        return self.store.count()

    def find(self, reference: str) -> Paper:
        """A paper by id (or a unique prefix of one), citation key, DOI or arXiv id."""
        reference = reference.strip()
        doi, arxiv = normalize_doi(reference), normalize_arxiv_id(reference)
        candidates = [
            p
            for p in self.papers()
            if p.id.startswith(reference)
            or reference == p.citation_key
            or (doi is not None and doi == p.doi)
            or (arxiv is not None and arxiv == p.arxiv_id)
        ]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise InputError(f"no paper matches {reference!r}", hint="`citewise papers` lists ids")
        raise InputError(f"{len(candidates)} papers match {reference!r}; give more of the id")

    def chunk_texts(self, paper: Paper) -> list[str]:
        return [c.text for c in self.store.chunks_of(paper.id)]

    def lexical(self) -> LexicalIndex:
        """The lexical index, caught up first if the store changed since it was read."""
        generation = self.store.generation()
        if self._lexical is not None and self._lexical.current(generation):
            return self._lexical
        directory = self.lexical_dir
        index = self._lexical or LexicalIndex.load(directory)
        if index is None or not index.current(generation):
            index = LexicalIndex.build(self.store) if index is None else index.caught_up(self.store)
            index.save(directory)
        self._lexical = index
        return index

    @property
    def lexical_dir(self) -> Path:
        """Where this library keeps its lexical index (derived data, per store)."""
        store = self.settings.store
        if not store.server_url:
            return store.path / "lexical" / store.collection
        key = store.server_key()
        return paths.cache_dir() / "lexical" / key


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder the settings ask for; the heavy modules are imported only when chosen."""
    if settings.backend == "openai":
        from assistant.llm.embeddings import OpenAIEmbedder

        return OpenAIEmbedder(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            batch_size=settings.batch_size,
        )
    if settings.model != MINILM:
        raise ConfigError(
            f"the 'minilm' embedding backend serves only {MINILM}, not {settings.model!r}",
            hint="unset CITEWISE_EMBEDDING__MODEL, or set CITEWISE_EMBEDDING__BACKEND=openai "
            "to use a model an OpenAI-compatible endpoint serves",
        )
    from assistant.index.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(quantize=settings.quantize, batch_size=settings.batch_size)
