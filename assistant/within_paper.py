"""Searching inside one paper: the passages of its full text that best match a text.

Used where a paper is already chosen (a citation being checked): its body chunks are ranked by
the same hybrid as library search, cosine similarity of the stored vectors and BM25 over the
paper's own chunks, fused by the mean of min-max normalised scores. BM25 matters here: the
claims people cite carry figures and names ("41.0 BLEU", "8 heads") that an embedding blurs.

A paper's chunks and vectors are read once per ``PaperSearch`` (one check), then kept; the text
is embedded by the library's retriever, which keeps recent query vectors (a failing sentence is
searched in its paper, then in the library, and embedded once).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.index.bm25 import Bm25, Doc
from assistant.index.lexical import terms
from assistant.index.records import StoredChunk
from assistant.index.store import ChunkStore
from assistant.retrieval import Passage, convex_fusion, passage


@dataclass(frozen=True)
class _Body:
    chunks: dict[str, StoredChunk]
    vectors: np.ndarray
    """One row per chunk, in the order of ``chunks``."""
    lexical: Bm25


class PaperSearch:
    def __init__(self, store: ChunkStore, vector_of: Callable[[str], np.ndarray]) -> None:
        self.store = store
        self.vector_of = vector_of
        self._bodies: dict[str, _Body | None] = {}

    def passages(self, paper_id: str, text: str, k: int) -> list[Passage]:
        """The ``k`` body passages of the paper closest to ``text``, best first (none when the
        paper has no full text in the store)."""
        body = self._body(paper_id)
        if body is None or k <= 0:
            return []
        ids = list(body.chunks)
        dense = dict(zip(ids, (body.vectors @ self.vector_of(text)).tolist(), strict=True))
        lexical = dict(body.lexical.search(terms(text), len(ids)))
        fused = convex_fusion([dense, lexical])
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        return [passage(body.chunks[i], fused[i]) for i in best]

    def _body(self, paper_id: str) -> _Body | None:
        if paper_id not in self._bodies:
            chunks = {c.id: c for c in self.store.chunks_of(paper_id) if c.kind == "body"}
            vectors = self.store.vectors(list(chunks))
            self._bodies[paper_id] = (
                _Body(
                    chunks,
                    np.stack([vectors[i] for i in chunks]),
                    Bm25.build(
                        Doc(i, terms(c.text), paper_id, 0, [], []) for i, c in chunks.items()
                    ),
                )
                if chunks
                else None
            )
        return self._bodies[paper_id]
