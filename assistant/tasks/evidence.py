"""Evidence mode: results composed from the papers themselves when no model is configured.

Nothing here is written, and the result says so (``EVIDENCE_LABEL`` heads it): every line is a
sentence of a retrieved passage (an abstract, or the full text), quoted as it stands (marker
look-alikes in it become ``(ref.)``) after who wrote it (``quotes.attribution``: "Kitaev et al.
[1]: “We propose …”"), and cited to its paper, with its page when it is from the full text
(``[1, p. 6]``).

Scoring: each sentence of the sources' passages gets a relevance that mixes its cosine
similarity to the query (``embedder``, the library's own model), its idf-weighted word overlap
with the query, and its paper's retrieval rank, moved by what the sentence does read alone
(``quotes.role``: findings up; background, sentences leaning on the one before, and pointers
to code down). Only the most promising sentences (by overlap
and rank) are embedded, to keep the path fast. With no query (a summary of chosen papers) the
centroid of the sentences stands in for it. ``extract`` picks sentences by maximal marginal
relevance (``vectors.mmr``), so no two say the same thing; ``outline`` clusters the papers into
themes (``vectors.kmeans`` on their sentence vectors), labels each theme with its most
distinctive words (``topics.top_terms``, as the library map does), and lists each paper's best
sentence under its theme.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations.markers import cite, format_marker, unmark
from assistant.index.embeddings import Embedder
from assistant.index.lexical import terms
from assistant.results import EVIDENCE_LABEL, CitedSentence, Kind, Source, TaskResult
from assistant.sentences import split_sentences
from assistant.tasks.quotes import attribution, role
from assistant.topics import top_terms
from assistant.vectors import kmeans, mmr, unit

MMR_LAMBDA = 0.7
EMBEDDED = 40
"""Sentences embedded at most per request (the best by overlap and rank)."""

PER_SOURCE = 4
"""Sentences per paper embedded for an outline."""

MIN_WORDS = 5


@dataclass(frozen=True)
class _Sentence:
    source: Source
    rank: int
    """0 for the best-ranked source."""

    text: str
    pages: str = ""
    """Of a sentence of the full text: "6", "6-7"."""


def extract(
    embedder: Embedder, kind: Kind, query: str, sources: Sequence[Source], count: int
) -> TaskResult:
    """The ``count`` most relevant, mutually different sentences, each cited; an answer keeps
    them in order of relevance, a summary in the order of its sources."""
    sentences = _best(_sentences(sources), query, sources, EMBEDDED, per_source=False)
    relevance, vectors = _score(embedder, query, sentences, len(sources))
    chosen = mmr(relevance, vectors, count, MMR_LAMBDA)
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
    papers = np.stack([unit(vectors[owners == n].mean(axis=0)) for n in numbers])
    labels = kmeans(papers, min(max(themes, 1), len(numbers))).tolist()
    groups = list(dict.fromkeys(labels))  # in the order of their best-ranked paper
    by_number = {s.number: s for s in sources}
    members = [[n for n, label in zip(numbers, labels, strict=True) if label == g] for g in groups]
    names = top_terms([[_text(by_number[n]) for n in group] for group in members])
    cited: list[CitedSentence] = []
    headings: dict[int, str] = {}
    for paragraph, group in enumerate(members):
        group.sort(key=lambda n: -relevance[best[n]])
        headings[paragraph] = names[paragraph]
        cited.extend(_cited(sentences[best[n]], paragraph) for n in group)
    return _result("draft", query, sources, cited, headings)


# Candidates and scores


def _sentences(sources: Sequence[Source]) -> list[_Sentence]:
    seen: set[str] = set()
    found: list[_Sentence] = []
    for rank, source in enumerate(sources):
        texts = [
            (s, passage.location.pages)
            for passage in source.passages
            for s in split_sentences(passage.text)
        ]
        for text, pages in texts or [(source.paper.title, "")]:
            if text not in seen and (len(text.split()) >= MIN_WORDS or len(texts) <= 1):
                seen.add(text)
                found.append(_Sentence(source, rank, text, pages))
    return found


def _text(source: Source) -> str:
    return " ".join([source.paper.title, *source.texts])


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
        target = unit(vectors.mean(axis=0))
    dense = vectors @ target
    relevance = 0.6 * dense + 0.3 * _overlap(query, texts) + 0.1 * _prior(sentences, n_sources)
    relevance += np.array([role(text) for text in texts])
    return relevance, vectors


def closest_sentence(embedder: Embedder, claim: str, text: str) -> tuple[list[str], int | None]:
    """``text``'s sentences, and which of them is closest to ``claim`` (None: no sentence)."""
    sentences = split_sentences(text)
    if not sentences or not claim.strip():
        return sentences, None
    vectors = embedder.embed([claim, *sentences])
    return sentences, int((vectors[1:] @ vectors[0]).argmax())


# The result


def _cited(sentence: _Sentence, paragraph: int) -> CitedSentence:
    source = sentence.source
    who = attribution(source.paper)
    pages = {source.number: sentence.pages} if sentence.pages else {}
    text = unmark(sentence.text)
    return CitedSentence(text, [source.number], paragraph, pages, quoted_from=who)


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
        lines.append(f"- {cite(sentence, format_marker(sentence.citations, sentence.pages))}")
    return "\n".join(lines) + "\n"
