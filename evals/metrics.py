"""Ranking metrics on one query: a ranked list of document ids against graded judgements.

Pure functions of ``(ranked, qrels)``: ``ranked`` is the system's document ids, best first;
``qrels`` maps judged document ids to a relevance grade (> 0 is relevant; 0 or absent is not).
They follow trec_eval / pytrec_eval, as BEIR reports them:

* nDCG@k: gain = the grade itself (linear, as trec_eval's ``ndcg_cut``), discount
  ``log2(rank + 1)``; normalised by the DCG of the judged documents in ideal order, cut at k.
* Recall@k: relevant documents in the top k over all relevant documents.
* MRR@k: 1 / rank of the first relevant document in the top k, 0 when there is none.

A query with no relevant document scores 0 on every metric (trec_eval's convention). A document
id repeated in ``ranked`` counts at its first position only.

Also here: ROUGE-L for drafting, and the span arithmetic the segmentation evaluation scores
sentence boundaries with.
"""

import math
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from statistics import fmean


def _top(ranked: Sequence[str], k: int) -> list[str]:
    """The first ``k`` distinct ids of ``ranked``."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    seen: dict[str, None] = {}
    for doc_id in ranked:
        if len(seen) == k:
            break
        seen.setdefault(doc_id)
    return list(seen)


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of ``gains`` in rank order: sum of gain / log2(rank + 1)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains[:k], 1))


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    top = _top(ranked, k)
    ideal = sorted((grade for grade in qrels.values() if grade > 0), reverse=True)
    best = dcg_at_k(ideal, k)
    if best == 0:
        return 0.0
    gains = [max(qrels.get(doc_id, 0), 0) for doc_id in top]
    return dcg_at_k(gains, k) / best


def recall_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    top = _top(ranked, k)
    relevant = {doc_id for doc_id, grade in qrels.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(top)) / len(relevant)


def mrr_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    for rank, doc_id in enumerate(_top(ranked, k), 1):
        if qrels.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def mean(values: Sequence[float]) -> float:
    """The mean over queries; 0 for no queries."""
    return fmean(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation, as ``numpy.percentile``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# Text overlap (drafting): ROUGE-L, as Google's rouge-score computes it without stemming.

_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")


def rouge_tokens(text: str) -> list[str]:
    """rouge-score's default tokenizer: lower case, runs of ASCII letters and digits."""
    return _ROUGE_TOKEN.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists (O(len(a) * len(b)))."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-L (precision, recall, F1) of ``candidate`` against ``reference``: the longest
    common subsequence of their tokens over the candidate's length, over the reference's length,
    and their harmonic mean (rouge-score's ``rougeL``, no stemming). 0 when either is empty."""
    ours, theirs = rouge_tokens(candidate), rouge_tokens(reference)
    if not ours or not theirs:
        return 0.0, 0.0, 0.0
    common = lcs_length(ours, theirs)
    precision, recall = common / len(ours), common / len(theirs)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


# Sentence segmentation: sentences compared on their characters, white space left out.

Span = tuple[int, int]


def content_spans(sentences: Sequence[str]) -> tuple[str, list[Span]]:
    """The sentences' characters with white space left out, joined, and each sentence's span in
    them."""
    pieces: list[str] = []
    spans: list[Span] = []
    at = 0
    for sentence in sentences:
        squeezed = "".join(sentence.split())
        pieces.append(squeezed)
        spans.append((at, at + len(squeezed)))
        at += len(squeezed)
    return "".join(pieces), spans


def aligned_spans(predicted: Sequence[str], gold: Sequence[str]) -> tuple[list[Span], list[Span]]:
    """Both segmentations as spans in the gold sentences' characters (``content_spans``). When
    the texts differ (a draft's markup removed otherwise than the annotator expected), each
    predicted offset is carried over by an alignment of the two texts: an offset in a changed
    stretch goes to the stretch's start."""
    ours, our_spans = content_spans(predicted)
    theirs, gold_spans = content_spans(gold)
    if ours == theirs:
        return our_spans, gold_spans
    blocks = SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes()
    starts = [block[1] for block in blocks]

    def carried(offset: int) -> int:
        if offset >= len(ours):
            return len(theirs)
        tag, i1, _, j1, _ = blocks[bisect_right(starts, offset) - 1]
        return j1 + (offset - i1 if tag == "equal" else 0)

    return [(carried(a), carried(b)) for a, b in our_spans], gold_spans


def boundaries(spans: Sequence[Span]) -> set[int]:
    """Where a sentence after the first starts (empty sentences and the text's end left out)."""
    end = spans[-1][1] if spans else 0
    return {start for start, stop in spans if 0 < start < end and stop > start}
