"""Evidence mode: results composed from the abstracts themselves when no model is configured.

Nothing here is written, and the result says so (``EVIDENCE_LABEL`` heads it): every line is a
sentence of a retrieved abstract, shown as it stands (marker look-alikes in it become
``(ref.)``) and cited to its paper.

Scoring: each sentence of the sources' passages gets a relevance that mixes its cosine
similarity to the query (``embedder``, the library's own model), its idf-weighted word overlap
with the query, and its paper's retrieval rank. Only the most promising sentences (by overlap
and rank) are embedded, to keep the path fast. With no query (a summary of chosen papers) the
centroid of the sentences stands in for it. ``extract`` picks sentences by maximal marginal
relevance, so no two say the same thing; ``outline`` clusters the papers into themes (k-means
on their sentence vectors), labels each theme with its most distinctive words, and lists each
paper's best sentence under its theme.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.citations.markers import with_marker
from assistant.index.embeddings import Embedder
from assistant.index.lexical import terms
from assistant.sentences import split_sentences
from assistant.tasks.context import unmark
from assistant.tasks.types import EVIDENCE_LABEL, CitedSentence, Kind, Source, TaskResult

MMR_LAMBDA = 0.7
EMBEDDED = 40
"""Sentences embedded at most per request (the best by overlap and rank)."""

PER_SOURCE = 4
"""Sentences per paper embedded for an outline."""

MIN_WORDS = 5
LABEL_TERMS = 3
GENERIC_WORDS = """
model models paper propose proposed approach method methods result results show shows task tasks
work works study performance existing however large based novel present introduce demonstrate
achieve achieves new state art using well several different also data experiments significantly
they them often more most other others which while when what where both each many such only very
over between within without through across there will would could should about after before
first second among because since thus further however moreover their these those into able
"""
"""Words that say nothing about a theme, left out of its label."""
_LABEL_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{3,}")


@dataclass(frozen=True)
class _Sentence:
    source: Source
    rank: int
    """0 for the best-ranked source."""

    text: str


def extract(
    embedder: Embedder, kind: Kind, query: str, sources: Sequence[Source], count: int
) -> TaskResult:
    """The ``count`` most relevant, mutually different sentences, each cited; an answer keeps
    them in order of relevance, a summary in the order of its sources."""
    sentences = _best(_sentences(sources), query, sources, EMBEDDED, per_source=False)
    relevance, vectors = _score(embedder, query, sentences, len(sources))
    chosen = _mmr(relevance, vectors, count)
    if kind == "summary":
        chosen.sort(key=lambda i: (sentences[i].source.number, i))
    cited = [_cited(sentences[i], 0) for i in chosen]
    return _result(kind, query, sources, cited, {})


def outline(embedder: Embedder, query: str, sources: Sequence[Source], themes: int) -> TaskResult:
    """A themed outline: one heading per theme, then each of its papers' best sentence."""
    sentences = _best(_sentences(sources), query, sources, PER_SOURCE, per_source=True)
    relevance, vectors = _score(embedder, query, sentences, len(sources))
    numbers = sorted({s.source.number for s in sentences})
    best: dict[int, int] = {}
    for i, sentence in enumerate(sentences):
        n = sentence.source.number
        if n not in best or relevance[i] > relevance[best[n]]:
            best[n] = i
    owners = np.array([s.source.number for s in sentences])
    papers = np.stack([_unit(vectors[owners == n].mean(axis=0)) for n in numbers])
    labels = _kmeans(papers, min(max(themes, 1), len(numbers)))
    groups = list(dict.fromkeys(labels))  # in the order of their best-ranked paper
    cited: list[CitedSentence] = []
    headings: dict[int, str] = {}
    by_number = {s.number: s for s in sources}
    for paragraph, group in enumerate(groups):
        members = [n for n, label in zip(numbers, labels, strict=True) if label == group]
        members.sort(key=lambda n: -relevance[best[n]])
        headings[paragraph] = _label([by_number[n] for n in members], sources)
        cited.extend(_cited(sentences[best[n]], paragraph) for n in members)
    return _result("draft", query, sources, cited, headings)


# Candidates and scores


def _sentences(sources: Sequence[Source]) -> list[_Sentence]:
    seen: set[str] = set()
    found: list[_Sentence] = []
    for rank, source in enumerate(sources):
        texts = [s for passage in source.passages for s in split_sentences(passage)]
        for text in texts or [source.paper.title]:
            if text not in seen and (len(text.split()) >= MIN_WORDS or len(texts) <= 1):
                seen.add(text)
                found.append(_Sentence(source, rank, text))
    return found


def _overlap(query: str, texts: Sequence[str]) -> np.ndarray:
    """Share of the query's (idf-weighted) terms each text contains."""
    wanted = set(terms(query))
    bags = [set(terms(t)) for t in texts]
    if not wanted or not bags:
        return np.zeros(len(texts))
    idf = {w: math.log(1 + len(bags) / (1 + sum(w in b for b in bags))) for w in wanted}
    total = sum(idf.values()) or 1.0
    return np.array([sum(idf[w] for w in wanted & bag) / total for bag in bags])


def _prior(sentences: Sequence[_Sentence], n_sources: int) -> np.ndarray:
    return np.array([1.0 - s.rank / max(n_sources, 1) for s in sentences])


def _best(
    sentences: list[_Sentence], query: str, sources: Sequence[Source], limit: int, per_source: bool
) -> list[_Sentence]:
    """The sentences worth embedding: the top ``limit`` by overlap and rank (per source when
    ``per_source``), in their original order."""
    cheap = 0.7 * _overlap(query, [s.text for s in sentences])
    cheap += 0.3 * _prior(sentences, len(sources))
    order = sorted(range(len(sentences)), key=lambda i: -cheap[i])
    if not per_source:
        return [sentences[i] for i in sorted(order[:limit])]
    taken: Counter[int] = Counter()
    keep = []
    for i in order:
        number = sentences[i].source.number
        if taken[number] < limit:
            taken[number] += 1
            keep.append(i)
    return [sentences[i] for i in sorted(keep)]


def _score(
    embedder: Embedder, query: str, sentences: Sequence[_Sentence], n_sources: int
) -> tuple[np.ndarray, np.ndarray]:
    texts = [s.text for s in sentences]
    if query.strip():
        embedded = embedder.embed([query, *texts])
        target, vectors = embedded[0], embedded[1:]
    else:
        vectors = embedder.embed(texts)
        target = _unit(vectors.mean(axis=0))
    dense = vectors @ target
    relevance = 0.6 * dense + 0.3 * _overlap(query, texts) + 0.1 * _prior(sentences, n_sources)
    return relevance, vectors


def _mmr(relevance: np.ndarray, vectors: np.ndarray, count: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < min(count, len(relevance)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else 0.0
        gain = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * redundancy
        gain[chosen] = -np.inf
        chosen.append(int(np.argmax(gain)))
    return chosen


# Themes


def _kmeans(vectors: np.ndarray, k: int, rounds: int = 10) -> list[int]:
    """Cluster labels of unit ``vectors``; seeds are the best-ranked paper, then the papers
    farthest from the seeds so far (deterministic)."""
    seeds = [0]
    while len(seeds) < k:
        similarity = (vectors @ vectors[seeds].T).max(axis=1)
        similarity[seeds] = np.inf
        seeds.append(int(np.argmin(similarity)))
    centres = vectors[seeds]
    labels = np.zeros(len(vectors), dtype=int)
    for _ in range(rounds):
        labels = np.argmax(vectors @ centres.T, axis=1)
        for c in range(k):
            if (labels == c).any():
                centres[c] = _unit(vectors[labels == c].mean(axis=0))
    return [int(label) for label in labels]


def _label(members: Sequence[Source], sources: Sequence[Source]) -> str:
    """The theme's most distinctive words: in most of its papers and few of the others
    (ties go to the more frequent), generic research words left out."""
    inside = {s.number for s in members}
    bags = {s.number: _stems(s) for s in sources}
    counts: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for number in inside:
        for stem, words in bags[number].items():
            counts[stem] += words.total()
            surface.setdefault(stem, Counter()).update(words)
    outside = max(len(sources) - len(inside), 1)

    def weight(stem: str) -> float:
        share_in = sum(stem in bags[n] for n in inside) / len(inside)
        share_out = sum(stem in bag for n, bag in bags.items() if n not in inside) / outside
        return share_in - share_out + 0.01 * counts[stem]

    top = sorted((s for s in counts if s not in _generic()), key=lambda s: (-weight(s), s))
    return ", ".join(surface[s].most_common(1)[0][0] for s in top[:LABEL_TERMS])


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(filter(None, map(_stem, GENERIC_WORDS.split())))


def _stems(source: Source) -> dict[str, Counter[str]]:
    """Each stem of the source's title and passages, with the words it came from."""
    found: dict[str, Counter[str]] = {}
    for text in (source.paper.title, *source.passages):
        for word in _LABEL_WORD.findall(text):
            stem = _stem(word.lower())
            if stem:
                found.setdefault(stem, Counter())[word.lower()] += 1
    return found


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    stems = terms(word)
    return stems[0] if len(stems) == 1 else ""


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


# The result


def _cited(sentence: _Sentence, paragraph: int) -> CitedSentence:
    return CitedSentence(unmark(sentence.text), [sentence.source.number], paragraph)


def _result(
    kind: Kind,
    query: str,
    sources: Sequence[Source],
    sentences: list[CitedSentence],
    headings: dict[int, str],
) -> TaskResult:
    return TaskResult(
        kind,
        query,
        "evidence",
        list(sources),
        text=render_evidence(sentences, headings),
        sentences=sentences,
        headings=headings,
        status="complete",
    )


def render_evidence(sentences: Sequence[CitedSentence], headings: dict[int, str]) -> str:
    """The label, then one bullet per sentence; a heading before each theme that has one."""
    lines = [EVIDENCE_LABEL]
    paragraph = None
    for sentence in sentences:
        if sentence.paragraph != paragraph:
            paragraph = sentence.paragraph
            lines.append("")
            if paragraph in headings:
                lines.extend([f"Theme: {headings[paragraph]}", ""])
        lines.append(f"- {with_marker(sentence.text, sentence.citations)}")
    return "\n".join(lines) + "\n"
