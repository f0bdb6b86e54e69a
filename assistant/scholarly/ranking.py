"""Ranking discovered papers with our own embedding model, on their abstracts.

A candidate's relevance is its cosine similarity (title and abstract, embedded like a chunk) to
the question, and to the seed papers (the closest seed), averaged when there are both. The API's
own order is not thrown away: the final score mixes the relevance, min-max normalised over the
candidates, with the candidate's place in the API's search results (1 for the first, falling
linearly; candidates found only by snowballing sit in the middle), weighted ``API_WEIGHT``. That
weight was chosen on the dev half of the discovery evaluation (``evals/discovery_ranking.py``).
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from assistant.corpus.paper import Paper
from assistant.index.embeddings import Embedder

API_WEIGHT = 0.1
"""Share of the final score given to the API's search order: the best of 0-0.7 on the dev half of
the discovery evaluation (Recall@20 0.823 there, against 0.814 for the embedding alone)."""
UNRANKED = 0.5
"""The API-order score of a candidate the search did not return (found by snowballing)."""


def text_of(paper: Paper) -> str:
    """What is embedded: the title, then the abstract (as chunks are)."""
    return f"{paper.title}\n\n{paper.abstract}" if paper.has_abstract else paper.title


def relevance(
    embedder: Embedder,
    candidates: Sequence[Paper],
    question: str | None,
    seeds: Sequence[Paper] = (),
) -> NDArray[np.float32]:
    """Each candidate's similarity to the question and the seeds (0 with neither)."""
    if not candidates:
        return np.zeros(0, dtype=np.float32)
    vectors = embedder.embed([text_of(p) for p in candidates])
    parts = []
    if question:
        parts.append(vectors @ embedder.embed([question])[0])
    if seeds:
        parts.append((vectors @ embedder.embed([text_of(s) for s in seeds]).T).max(axis=1))
    if not parts:
        return np.zeros(len(candidates), dtype=np.float32)
    mean: NDArray[np.float32] = np.mean(parts, axis=0).astype(np.float32)
    return mean


def final_scores(
    similarity: NDArray[np.float32],
    api_ranks: Sequence[int | None],
    api_weight: float = API_WEIGHT,
) -> NDArray[np.float32]:
    """Relevance (min-max normalised) mixed with the API's order (0-based ranks, None when the
    candidate was not in the search results)."""
    if len(similarity) == 0:
        return similarity
    low, high = float(similarity.min()), float(similarity.max())
    spread = high - low or 1.0
    normalised = (similarity - low) / spread
    searched = max((r for r in api_ranks if r is not None), default=0) + 1
    order = np.array(
        [UNRANKED if r is None else 1.0 - r / searched for r in api_ranks], dtype=np.float32
    )
    mixed: NDArray[np.float32] = (1 - api_weight) * normalised + api_weight * order
    return mixed
