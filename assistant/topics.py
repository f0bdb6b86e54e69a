"""Topics of the library: clusters of papers by their embeddings, a 2-D map, papers per year.

Each paper is the mean of its chunks' vectors (L2-normalised). Clusters come from k-means on
those vectors (``vectors.kmeans``: the same library gives the same map), and each is labelled
with its most distinctive title words (``top_terms``: in most of its titles and few of the
others', leaving out words every field uses, "model", "method", …; evidence-mode themes are
labelled the same way, over their papers' texts). The map is the papers projected on their
first two principal components. numpy only.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.corpus.paper import Paper
from assistant.index.lexical import terms
from assistant.library import Library
from assistant.vectors import kmeans, unit

LABEL_TERMS = 3
MAX_CLUSTERS = 8
GENERIC_WORDS = """
model models paper propose proposed approach method methods result results show shows task tasks
work works study performance existing however large based novel present introduce demonstrate
achieve achieves new state art using well several different also data experiments significantly
they them often more most other others which while when what where both each many such only very
over between within without through across there will would could should about after before
first second among because since thus further however moreover their these those into able
"""
"""Words that say nothing about a topic, left out of its label."""


@dataclass(frozen=True)
class Cluster:
    number: int
    label: str
    """Its top title terms, comma-separated."""

    paper_ids: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    paper_id: str
    x: float
    y: float
    cluster: int


@dataclass(frozen=True)
class TopicMap:
    clusters: list[Cluster]
    """Largest first; ``number`` is the position in this list."""

    points: list[Point]
    years: dict[int, int]
    """Papers per year, for the papers whose year is known."""


def build_map(library: Library, k: int | None = None) -> TopicMap:
    """The library's topic map (reads every chunk vector once)."""
    stored = library.store.papers()
    vectors = library.store.vectors([i for entry in stored for i in entry.chunk_ids])
    papers, rows = [], []
    for entry in stored:
        found = [vectors[i] for i in entry.chunk_ids if i in vectors]
        if found:
            papers.append(entry.paper)
            rows.append(unit(np.mean(found, axis=0)))
    return topic_map(papers, np.array(rows, dtype=np.float32), k)


def topic_map(papers: Sequence[Paper], vectors: np.ndarray, k: int | None = None) -> TopicMap:
    """The map of ``papers``, one row of ``vectors`` each."""
    years = Counter(p.year for p in papers if p.year is not None)
    if not papers:
        return TopicMap([], [], {})
    k = min(k or default_k(len(papers)), len(papers))
    labels = kmeans(vectors, k)
    order = [c for c, _ in Counter(labels.tolist()).most_common()]
    renumber = {old: new for new, old in enumerate(order)}
    labels = np.array([renumber[int(c)] for c in labels])
    members = [
        [p for p, c in zip(papers, labels, strict=True) if c == n] for n in range(len(order))
    ]
    names = top_terms([[p.title for p in group] for group in members])
    clusters = [
        Cluster(n, name, tuple(p.id for p in group))
        for n, (name, group) in enumerate(zip(names, members, strict=True))
    ]
    xy = pca_2d(vectors)
    points = [
        Point(p.id, float(x), float(y), int(c))
        for p, (x, y), c in zip(papers, xy, labels, strict=True)
    ]
    return TopicMap(clusters, points, dict(sorted(years.items())))


def default_k(n: int) -> int:
    """About sqrt(n / 2) clusters, at least 2 and at most ``MAX_CLUSTERS``."""
    return max(2, min(MAX_CLUSTERS, round(math.sqrt(n / 2))))


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """The rows projected on their first two principal components, shape (n, 2)."""
    if len(vectors) == 0:
        return np.zeros((0, 2))
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected: np.ndarray = centred @ components[:2].T
    if projected.shape[1] < 2:
        projected = np.pad(projected, ((0, 0), (0, 2 - projected.shape[1])))
    return projected


def top_terms(documents: Sequence[Sequence[str]], count: int = LABEL_TERMS) -> list[str]:
    """For each document (a cluster's texts: titles, or whole papers), its ``count`` most
    distinctive terms: in most of its texts and few of the other clusters' (ties go to the
    more frequent), generic research words left out; each shown as the word most often written
    for its stem."""
    generic = {stem for word in GENERIC_WORDS.split() for stem in terms(word)}
    surface: dict[str, Counter[str]] = {}
    clusters: list[list[Counter[str]]] = []
    for texts in documents:
        bags = []
        for text in texts:
            bag: Counter[str] = Counter()
            for word in text.split():
                word = word.strip(".,:;!?()[]{}\"'").lower()
                stems = terms(word)
                wanted = len(stems) == 1 and stems[0] not in generic and len(word) > 2
                if wanted and not word.isdigit():
                    bag[stems[0]] += 1
                    surface.setdefault(stems[0], Counter())[word] += 1
            bags.append(bag)
        clusters.append(bags)
    labels = []
    for number, bags in enumerate(clusters):
        others = [bag for n, cluster in enumerate(clusters) if n != number for bag in cluster]
        frequency = sum(bags, Counter())
        score = {
            stem: _share(stem, bags) - _share(stem, others) + 0.01 * frequency[stem]
            for stem in frequency
        }
        top = sorted(frequency, key=lambda s: (-score[s], s))[:count]
        labels.append(", ".join(surface[s].most_common(1)[0][0] for s in top))
    return labels


def _share(stem: str, bags: Sequence[Counter[str]]) -> float:
    return sum(stem in bag for bag in bags) / max(len(bags), 1)
