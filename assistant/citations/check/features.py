"""Features of a claim against an abstract's sentences: what the offline judge weighs.

Three small logistic models read them (their weights are fitted by
``evals/calibrate_offline_judge.py`` on SciFact's train claims, and kept in
``offline_judge.json``):

- sentence: is this abstract sentence evidence for the claim? ``cosine`` (MiniLM cosine of
  claim and sentence), ``cosine_gap`` (how far below the pair's best sentence it is), ``recall``
  (share of the claim's content words, stemmed, that the sentence has), ``numbers`` (share of
  the claim's numbers it has);
- evidence: do the abstracts, together, speak to the claim? ``best_sentence`` (the sentence
  model's top probability), ``max_cosine``, ``top2_cosine``, ``recall_best`` (recall in the
  best sentence), ``recall_all`` (recall in all the sentences), ``numbers_all``,
  ``numbers_missing`` (the claim has numbers and the abstracts none of them);
- contradiction: given evidence, does an evidence sentence say the opposite? What
  ``comparison.compare`` finds between the claim and the sentence, aligned on shared content:
  ``negation_head`` (one negates what the other asserts, the negation's head included: "not
  affect" / "degrades"; "no benefit of X" / "X improves"), ``negation_shared`` (a negation both
  make),
  ``direction_conflict`` / ``direction_agree`` (polar words of one concept about the same thing,
  opposite or alike: "improves" / "hurts", "outperforms" / "falls behind"), ``contrast_conflict``
  ("linear" / "quadratic"), ``quantity_conflict`` / ``quantity_agree`` (figures of one unit about
  the same thing that differ, or agree within rounding), ``best_sentence`` (the sentence model's
  probability for that sentence), ``agreeing_sentence`` (its probability for the best candidate
  that does not speak against the claim: a claim copied from one sentence is not reversed by
  another).

``clauses`` splits a claim into the parts that make claims of their own ("X lowers A, and also
B"): a support that leaves one part without evidence is only partial.

Every model also has a ``bias``. Feature names are the keys of the JSON weights, so a model file
and this module cannot silently disagree.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.citations.check import comparison, polarity
from assistant.citations.check.quantities import Quantity, quantities, share_agreeing
from assistant.index.lexical import terms

SENTENCE = ("cosine", "cosine_gap", "recall", "numbers", "bias")
EVIDENCE = (
    "best_sentence",
    "max_cosine",
    "top2_cosine",
    "recall_best",
    "recall_all",
    "numbers_all",
    "numbers_missing",
    "bias",
)
CONTRADICTION = (
    "negation_head",
    "negation_shared",
    "direction_conflict",
    "direction_agree",
    "contrast_conflict",
    "quantity_conflict",
    "quantity_agree",
    "best_sentence",
    "agreeing_sentence",
    "bias",
)


_CLAUSE = re.compile(
    r"\s*;\s*|,\s*(?:and|but|while|whereas)\s+|\s+(?:and also|but also|as well as|whereas|but)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Analysed:
    """What the features need of one text, besides its vector."""

    text: str
    terms: frozenset[str]
    numbers: tuple[Quantity, ...]

    @property
    def polarity(self) -> polarity.Reading:
        return polarity.read(self.text)


@lru_cache(maxsize=65536)
def analyse(text: str) -> Analysed:
    return Analysed(text, frozenset(terms(text)), quantities(text))


def _share(wanted: frozenset[str], found: frozenset[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0


def sentence_features(
    claim: Analysed, sentences: Sequence[Analysed], cosines: np.ndarray
) -> np.ndarray:
    """One row of ``SENTENCE`` features per sentence."""
    best = float(cosines.max()) if len(cosines) else 0.0
    rows = [
        (
            float(cosine),
            float(cosine) - best,
            _share(claim.terms, sentence.terms),
            share_agreeing(claim.numbers, sentence.numbers),
            1.0,
        )
        for sentence, cosine in zip(sentences, cosines, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(SENTENCE))


def evidence_features(
    claim: Analysed,
    sentences: Sequence[Analysed],
    cosines: np.ndarray,
    probabilities: np.ndarray,
) -> np.ndarray:
    best = int(np.argmax(probabilities))
    top = np.sort(cosines)[::-1]
    union = frozenset().union(*(s.terms for s in sentences))
    numbers = tuple(q for s in sentences for q in s.numbers)
    found = share_agreeing(claim.numbers, numbers)
    values = {
        "best_sentence": float(probabilities[best]),
        "max_cosine": float(top[0]),
        "top2_cosine": float(top[:2].mean()),
        "recall_best": _share(claim.terms, sentences[best].terms),
        "recall_all": _share(claim.terms, union),
        "numbers_all": found,
        "numbers_missing": float(bool(claim.numbers) and found == 0.0),
        "bias": 1.0,
    }
    return np.array([values[name] for name in EVIDENCE])


def contradiction_features(
    found: comparison.Comparison, best_sentence: float, agreeing_sentence: float
) -> np.ndarray:
    """Features of the claim against one evidence sentence (their ``comparison.compare``);
    ``agreeing_sentence`` is the sentence-model probability of the best candidate sentence that
    does not speak against the claim (0 when none)."""
    negations = found.conflicts("negation")
    values = {
        "negation_head": float(bool(negations)),
        "negation_shared": float(bool(found.agreements("negation"))),
        "direction_conflict": min(len(found.conflicts("direction")), 2) / 2,
        "direction_agree": min(len(found.agreements("direction")), 2) / 2,
        "contrast_conflict": float(bool(found.conflicts("contrast"))),
        "quantity_conflict": float(bool(found.conflicts("quantity"))),
        "quantity_agree": float(bool(found.agreements("quantity"))),
        "best_sentence": best_sentence,
        "agreeing_sentence": agreeing_sentence,
        "bias": 1.0,
    }
    return np.array([values[name] for name in CONTRADICTION])


def conflict_order(found: comparison.Comparison) -> float:
    """How strongly a sentence speaks against the claim, to pick the one the contradiction
    model reads: conflicts count, agreements count against."""
    conflicts = sum(1 for f in found.findings if not f.agrees)
    agreements = sum(1 for f in found.findings if f.agrees)
    return conflicts - 0.25 * agreements


def clauses(text: str) -> list[str]:
    """The parts of a sentence that make claims of their own ("X lowers A, and also B"), when
    it has more than one with three content words or more; else none."""
    parts = [p.strip(" ,.;:") for p in _CLAUSE.split(text)]
    parts = [p for p in parts if len(analyse(p).terms) >= 3]
    return parts if len(parts) > 1 else []


def weights(model: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """A model's weights in feature order; a missing or extra name is an error."""
    if set(model) != set(names):
        raise ValueError(f"weights {sorted(model)} do not match the features {list(names)}")
    return np.array([model[name] for name in names])


def sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0)))
    return result
