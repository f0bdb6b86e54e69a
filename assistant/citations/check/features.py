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
- contradiction: given evidence, does its best sentence say the opposite? ``claim_negated``,
  ``evidence_negated``, ``negation_mismatch`` (negation cues, e.g. "not", "no", "fails",
  "unaffected", on one side only), ``direction_conflict`` (the claim says up where the sentence
  says down, e.g. "increases" / "reduces"), ``number_conflict`` (both give numbers, none shared),
  ``best_sentence`` (its sentence-model probability).

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
    "claim_negated",
    "evidence_negated",
    "negation_mismatch",
    "direction_conflict",
    "number_conflict",
    "best_sentence",
    "bias",
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|cannot|unable|fail|fails|failed|unrelated|"
    r"ineffective|insufficient|unaffected|unchanged)\b"
    r"|n't\b",
    re.IGNORECASE,
)
_UP = _words(
    "increase increases increased increasing higher more greater elevated elevates enhance "
    "enhances enhanced promote promotes promoted raise raises raised rise rises improve improves "
    "improved induce induces induced activate activates activated stimulate stimulates "
    "upregulate upregulates upregulated accelerate accelerates gain gains"
)
_DOWN = _words(
    "decrease decreases decreased decreasing lower less fewer reduce reduces reduced reduction "
    "inhibit inhibits inhibited suppress suppresses suppressed decline declines impair impairs "
    "impaired prevent prevents prevented block blocks blocked attenuate attenuates attenuated "
    "downregulate downregulates downregulated slow slows slowed loss lose loses"
)
_CLAUSE = re.compile(
    r"\s*;\s*|,\s*(?:and|but|while|whereas)\s+|\s+(?:and also|but also|as well as|whereas|but)\s+",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Analysed:
    """What the features need of one text, besides its vector."""

    terms: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    direction: int
    """+1 when it speaks of increase, -1 of decrease, 0 for neither or both."""


@lru_cache(maxsize=65536)
def analyse(text: str) -> Analysed:
    words = _WORD.findall(text.lower())
    up, down = sum(w in _UP for w in words), sum(w in _DOWN for w in words)
    return Analysed(
        terms=frozenset(terms(text)),
        numbers=frozenset(n.replace(",", "") for n in _NUMBER.findall(text)),
        negated=_NEGATION.search(text) is not None,
        direction=(up > down) - (down > up),
    )


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
            _share(claim.numbers, sentence.numbers),
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
    numbers = frozenset().union(*(s.numbers for s in sentences))
    values = {
        "best_sentence": float(probabilities[best]),
        "max_cosine": float(top[0]),
        "top2_cosine": float(top[:2].mean()),
        "recall_best": _share(claim.terms, sentences[best].terms),
        "recall_all": _share(claim.terms, union),
        "numbers_all": _share(claim.numbers, numbers),
        "numbers_missing": float(bool(claim.numbers) and not claim.numbers & numbers),
        "bias": 1.0,
    }
    return np.array([values[name] for name in EVIDENCE])


def contradiction_features(claim: Analysed, evidence: Analysed, best_sentence: float) -> np.ndarray:
    """Features of the claim against its best evidence sentence."""
    values = {
        "claim_negated": float(claim.negated),
        "evidence_negated": float(evidence.negated),
        "negation_mismatch": float(claim.negated != evidence.negated),
        "direction_conflict": float(claim.direction * evidence.direction < 0),
        "number_conflict": float(
            bool(claim.numbers and evidence.numbers) and not claim.numbers & evidence.numbers
        ),
        "best_sentence": best_sentence,
        "bias": 1.0,
    }
    return np.array([values[name] for name in CONTRADICTION])


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
