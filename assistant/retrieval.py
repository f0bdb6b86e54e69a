"""Hybrid search: dense (Chroma) plus lexical (BM25), fused, aggregated per paper.

Each retriever proposes ``candidates`` chunks; the rankings are fused (by default the mean of
min-max normalised scores, which measured best on SciFact: nDCG@10 0.730 against 0.716 for
reciprocal-rank fusion, see evals/reports/scifact_retrieval.md); chunks are grouped by paper, a
paper scoring as its best chunk and carrying the passages that matched; optional MMR re-ranks
the papers for diversity. Filters on year, tag and collection apply to both retrievers first.
"""

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.corpus.paper import Paper
from assistant.index.embeddings import Embedder
from assistant.index.filters import Filters
from assistant.index.lexical import LexicalIndex
from assistant.index.records import StoredChunk
from assistant.index.store import ChunkStore
from assistant.results import Location
from assistant.settings import RetrievalSettings
from assistant.vectors import mmr

Mode = Literal["hybrid", "dense", "lexical"]


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    text: str
    score: float
    location: Location = field(default_factory=Location)


@dataclass(frozen=True)
class PaperHit:
    paper: Paper
    score: float
    passages: list[Passage]


_QUERY_VECTORS = 256
"""Query vectors kept: a text searched for again (a checked sentence searched in its cited
paper, then in the library for other papers; a question asked again) is embedded once."""


class Retriever:
    def __init__(
        self,
        store: ChunkStore,
        lexical: Callable[[], LexicalIndex],
        embedder: Embedder,
        settings: RetrievalSettings,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings
        self._vectors: dict[str, np.ndarray] = {}
        self._vectors_lock = threading.Lock()

    def query_vector(self, text: str) -> np.ndarray:
        """The embedding of a query, from the last ``_QUERY_VECTORS`` when it is among them."""
        with self._vectors_lock:
            vector = self._vectors.pop(text, None)
        if vector is None:
            vector = self.embedder.embed([text])[0]
        with self._vectors_lock:
            self._vectors[text] = vector
            while len(self._vectors) > _QUERY_VECTORS:
                del self._vectors[next(iter(self._vectors))]
        return vector

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        mmr_lambda: float | None = None,
    ) -> list[PaperHit]:
        k = k or self.settings.k
        # Chunks, not papers: a paper with several chunks takes several places.
        n = max(self.settings.candidates, 2 * k)
        rankings: list[dict[str, float]] = []
        chunks: dict[str, StoredChunk] = {}
        if mode in ("hybrid", "dense"):
            dense = self.store.query(self.query_vector(query), n, filters)
            chunks.update((h.chunk.id, h.chunk) for h in dense)
            rankings.append({h.chunk.id: h.similarity for h in dense})
        if mode in ("hybrid", "lexical"):
            index = self.lexical()
            found = index.search(query, n, filters)
            rankings.append({h.chunk_id: h.score for h in found})
        # The papers to return are among the best fused chunks: read no further than needed.
        fused = dict(itertools.islice(self._fuse(rankings).items(), 4 * k))
        missing = [i for i in fused if i not in chunks]
        chunks.update((c.id, c) for c in self.store.get(missing))
        hits = _by_paper(fused, chunks)
        lam = mmr_lambda if mmr_lambda is not None else self.settings.mmr_lambda
        if lam is not None and len(hits) > k:
            hits = self._mmr(hits[: 4 * k], k, lam)
        return hits[:k]

    def _fuse(self, rankings: list[dict[str, float]]) -> dict[str, float]:
        if len(rankings) == 1:
            return dict(sorted(rankings[0].items(), key=lambda kv: -kv[1]))
        if self.settings.fusion == "convex":
            fused = convex_fusion(rankings)
        else:
            fused = reciprocal_rank_fusion(rankings, self.settings.rrf_k)
        return dict(sorted(fused.items(), key=lambda kv: -kv[1]))

    def _mmr(self, hits: list[PaperHit], k: int, lam: float) -> list[PaperHit]:
        vectors = self.store.vectors([h.passages[0].chunk_id for h in hits])
        matrix = np.stack([vectors[h.passages[0].chunk_id] for h in hits])
        relevance = np.array([h.score for h in hits])
        relevance = relevance / (relevance.max() or 1.0)
        return [hits[i] for i in mmr(relevance, matrix, k, lam)]


def reciprocal_rank_fusion(rankings: list[dict[str, float]], k: int) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        ordered = sorted(ranking, key=lambda i: -ranking[i])
        for rank, chunk_id in enumerate(ordered, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return fused


def convex_fusion(rankings: list[dict[str, float]]) -> dict[str, float]:
    """Mean of min-max normalised scores; a chunk missing from a ranking scores 0 there."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        if not ranking:
            continue
        low, high = min(ranking.values()), max(ranking.values())
        span = (high - low) or 1.0
        for chunk_id, score in ranking.items():
            fused[chunk_id] = fused.get(chunk_id, 0.0) + (score - low) / span / len(rankings)
    return fused


def passage(chunk: StoredChunk, score: float) -> Passage:
    """A stored chunk as a passage of its paper: its text, score and place."""
    where = Location(chunk.section, chunk.page, chunk.page_end, chunk.start, chunk.end)
    return Passage(chunk.id, chunk.text, score, where)


def _by_paper(fused: dict[str, float], chunks: dict[str, StoredChunk]) -> list[PaperHit]:
    grouped: dict[str, list[Passage]] = {}
    papers: dict[str, Paper] = {}
    for chunk_id, score in fused.items():
        chunk = chunks.get(chunk_id)
        if chunk is None:  # deleted since the lexical index was read
            continue
        papers[chunk.paper.id] = chunk.paper
        grouped.setdefault(chunk.paper.id, []).append(passage(chunk, score))
    hits = [PaperHit(papers[pid], passages[0].score, passages) for pid, passages in grouped.items()]
    return sorted(hits, key=lambda h: -h.score)
