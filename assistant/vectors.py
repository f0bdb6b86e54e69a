"""Numbers on unit vectors that several layers share: normalising, maximal marginal relevance,
k-means. numpy only."""

import numpy as np

SEED = 0


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def mmr(relevance: np.ndarray, vectors: np.ndarray, count: int, lam: float) -> list[int]:
    """Indices of ``count`` rows picked by maximal marginal relevance: each next one the most
    relevant (weight ``lam``) and least like those already picked (cosine, weight 1 - lam)."""
    chosen: list[int] = []
    while len(chosen) < min(count, len(relevance)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else 0.0
        gain = lam * relevance - (1 - lam) * redundancy
        gain[chosen] = -np.inf
        chosen.append(int(np.argmax(gain)))
    return chosen


def kmeans(vectors: np.ndarray, k: int, rounds: int = 50, seed: int = SEED) -> np.ndarray:
    """Cluster labels (0..k-1) of the rows of ``vectors``: Lloyd's algorithm from k-means++
    seeds drawn with ``seed`` (the same rows give the same clusters); stops when no label
    changes."""
    n = len(vectors)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    data = vectors.astype(np.float64)
    centres = [data[rng.integers(n)]]
    distance = ((data - centres[0]) ** 2).sum(axis=1)
    while len(centres) < k:
        total = distance.sum()
        pick = rng.choice(n, p=distance / total) if total > 0 else rng.integers(n)
        centres.append(data[pick])
        distance = np.minimum(distance, ((data - data[pick]) ** 2).sum(axis=1))
    centre = np.array(centres)
    labels = np.full(n, -1)
    for _ in range(rounds):
        squared = (data**2).sum(axis=1)[:, None] - 2 * data @ centre.T + (centre**2).sum(axis=1)
        new = squared.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for c in range(k):
            if (labels == c).any():
                centre[c] = data[labels == c].mean(axis=0)
    return labels
