"""The offline judge: sentence embeddings and word overlap, weighed by fitted logistic models.

For a claim and the sentences of the abstracts it cites, the sentence model scores each abstract
sentence as evidence; the evidence model scores the abstracts as a whole; the contradiction model
looks at the best evidence sentence for a reversal (negation, direction, numbers). The weights
and thresholds come from ``offline_judge.json``, written by ``evals/calibrate_offline_judge.py``
from SciFact's train claims (see ``features`` for the features, and the JSON for how each
threshold was chosen). Verdicts:

- ``unsupported``: evidence probability below ``thresholds.evidence`` (the train-F1 optimum);
- ``contradicted``: evidence, and the contradiction model's probability, read on the candidate
  sentence that speaks most against the claim (``polarity``: a negation, direction, contrast or
  figure reversed on the same content), at least ``thresholds.contradiction``; that sentence is
  shown first, and the note says what is reversed;
- ``partial``, unsure: evidence, and a contradiction probability at least ``thresholds.unsure``
  but below ``thresholds.contradiction``: the judge cannot tell, and says so in the note (never
  ``contradicted`` on a guess);
- ``partial``: evidence, but below ``thresholds.support`` (train precision >= 0.9), or a clause
  of the claim (``features.clauses``) has no evidence of its own (the note names it);
- ``supported``: the rest.

Confidence: the probability that the verdict is right, as the fitted models see it: for
``unsupported`` 1 - p(evidence); for ``contradicted`` p(evidence) x p(contradiction); otherwise
p(evidence) x (1 - p(contradiction)). The models are logistic regressions fitted by maximum
likelihood, so their probabilities are calibrated on their training data; how well they hold
elsewhere is measured in evals/reports (check_verdicts.md, check_scifact.md).

Evidence: the sentences whose sentence-model probability reaches ``thresholds.sentence`` and
``thresholds.ratio`` times the best one's (at most ``MAX_EVIDENCE``, at least the best one),
without a sentence that speaks against the claim when the verdict is a support.
Vectors are cached (``VectorCache``; ``shared_cache`` keeps them on disk for later runs).
"""

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant import paths
from assistant.citations.check import comparison, features
from assistant.citations.check.judging import EvidenceRef, Judgement, Pair, PairVerdict
from assistant.errors import ConfigError
from assistant.index.embeddings import Embedder

CALIBRATION = Path(__file__).with_name("offline_judge.json")
MAX_EVIDENCE = 3
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class Thresholds:
    evidence: float
    support: float
    contradiction: float
    unsure: float
    sentence: float
    ratio: float


@dataclass(frozen=True)
class Calibration:
    embedder: str
    """The embedder the weights were fitted with; cosines of another model are on another scale."""

    sentence: np.ndarray
    evidence: np.ndarray
    contradiction: np.ndarray
    thresholds: Thresholds
    path: Path

    @classmethod
    def load(cls, path: Path | None = None) -> "Calibration":
        path = path or CALIBRATION
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            models = raw["models"]
            return cls(
                embedder=str(raw["embedder"]),
                sentence=features.weights(models["sentence"], features.SENTENCE),
                evidence=features.weights(models["evidence"], features.EVIDENCE),
                contradiction=features.weights(models["contradiction"], features.CONTRADICTION),
                thresholds=Thresholds(**{k: float(v) for k, v in raw["thresholds"].items()}),
                path=path,
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"the offline judge's calibration {path} cannot be used: {error}",
                hint="write one with `python -m evals.calibrate_offline_judge --out FILE`",
            ) from error


class VectorCache:
    """Embeddings of claims and abstract sentences, each text embedded once: kept in memory,
    and in SQLite at ``path`` when given, so a later run (a CI job checking the same draft)
    embeds only what changed."""

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )

    def add(self, texts: Sequence[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not missing:
            return
        if len(self._vectors) + len(missing) > _CACHE_LIMIT:
            self._vectors.clear()
        if self._db is not None:
            self._vectors.update(self._stored(missing))
            missing = [t for t in missing if t not in self._vectors]
        if not missing:
            return
        vectors = np.asarray(self.embedder.embed(missing), dtype=np.float32)
        self._vectors.update(zip(missing, vectors, strict=True))
        if self._db is not None:
            rows = [(self._key(t), v.tobytes()) for t, v in zip(missing, vectors, strict=True)]
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def __getitem__(self, text: str) -> np.ndarray:
        return self._vectors[text]

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.embedder.name}\0{text}".encode()).hexdigest()

    def _stored(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        assert self._db is not None
        by_key = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        keys = list(by_key)
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"
            for key, blob in self._db.execute(query, part):
                vector = np.frombuffer(blob, dtype=np.float32)
                if len(vector) == self.embedder.dimension:
                    found[by_key[key]] = vector
        return found


def shared_cache(embedder: Embedder) -> VectorCache:
    """The cache every check shares, in the cache dir (rebuildable data)."""
    return VectorCache(embedder, paths.cache_dir() / "check" / "vectors.sqlite")


@dataclass(frozen=True)
class Scored:
    """A pair's sentence-level features, before any weights are applied."""

    located: list[tuple[int, int]]
    """(document, sentence) of each sentence, in order."""

    claim: features.Analysed
    sentences: list[features.Analysed]
    cosines: np.ndarray
    rows: np.ndarray
    """``features.SENTENCE`` per sentence."""


def score(cache: VectorCache, pairs: Sequence[Pair]) -> list[Scored | None]:
    """Each pair's features (None for a pair without a single abstract sentence)."""
    cache.add(
        [p.claim for p in pairs] + [s for p in pairs for d in p.documents for s in d.sentences]
    )
    scored: list[Scored | None] = []
    for pair in pairs:
        located = [
            (d, i) for d, doc in enumerate(pair.documents) for i in range(len(doc.sentences))
        ]
        if not located:
            scored.append(None)
            continue
        texts = [pair.documents[d].sentences[i] for d, i in located]
        claim = features.analyse(pair.claim)
        analysed = [features.analyse(t) for t in texts]
        cosines = np.stack([cache[t] for t in texts]) @ cache[pair.claim]
        rows = features.sentence_features(claim, analysed, cosines)
        scored.append(Scored(located, claim, analysed, cosines, rows))
    return scored


class OfflineJudge:
    name = "offline"

    def __init__(
        self,
        embedder: Embedder,
        calibration: Calibration | None = None,
        cache: VectorCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.calibration = calibration or Calibration.load()
        self.cache = cache or VectorCache(embedder)

    @property
    def calibrated(self) -> bool:
        """Whether the weights were fitted with this embedder."""
        return self.calibration.embedder == self.embedder.name

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        return self.judge_now(pairs)

    def judge_now(self, pairs: Sequence[Pair]) -> list[Judgement]:
        """The same, without an event loop (evaluation, benchmarks)."""
        parts = [(i, part) for i, pair in enumerate(pairs) for part in features.clauses(pair.claim)]
        scored_parts = score(self.cache, [Pair(part, pairs[i].documents) for i, part in parts])
        unsupported: dict[int, list[str]] = {}
        for (i, part), scored in zip(parts, scored_parts, strict=True):
            if scored is not None and self._lacks_evidence(scored):
                unsupported.setdefault(i, []).append(part)
        return [
            verdict(s, self.calibration, unsupported.get(i, ()))
            if s is not None
            else Judgement("unsupported", 0.0, note="no abstract to check against", confidence=1.0)
            for i, s in enumerate(score(self.cache, pairs))
        ]

    def _lacks_evidence(self, scored: Scored) -> bool:
        """Whether a part of a claim has no evidence of its own. A part whose words one sentence
        has, every one, has it, however short the part and long the sentence."""
        if any(scored.claim.terms <= sentence.terms for sentence in scored.sentences):
            return False
        found = probabilities(scored, self.calibration)
        return found.evidence < self.calibration.thresholds.evidence


@dataclass(frozen=True)
class Probabilities:
    sentences: np.ndarray
    """Each sentence's probability of being evidence."""

    evidence: float
    """The probability that the documents hold evidence for the claim."""

    chosen: list[int]
    """The evidence sentences, best first."""


def probabilities(scored: Scored, calibration: Calibration) -> Probabilities:
    limits = calibration.thresholds
    sentence = features.sigmoid(scored.rows @ calibration.sentence)
    pair_row = features.evidence_features(scored.claim, scored.sentences, scored.cosines, sentence)
    evidence = float(features.sigmoid(pair_row @ calibration.evidence))
    return Probabilities(
        sentence, evidence, evidence_sentences(sentence, limits.sentence, limits.ratio)
    )


@dataclass(frozen=True)
class Reversal:
    """The candidate sentence that speaks most against the claim, and how likely it says the
    opposite."""

    index: int
    probability: float
    comparison: comparison.Comparison
    outmatched: bool
    """A sentence that does not speak against the claim matches it better."""


CANDIDATES = 3
"""Sentences (best by the sentence model) read for a reversal."""

OUTMATCHING = 0.8
"""A sentence that does not speak against the claim, this likely evidence (the claim nearly
copied from it) and likelier than the one that does, leaves no doubt to report."""


def most_against(
    scored: Scored, sentences: np.ndarray
) -> tuple[int, np.ndarray, comparison.Comparison]:
    """Among the ``CANDIDATES`` best sentences (by their probabilities ``sentences``), the one
    that speaks most against the claim: its index, its contradiction features, the comparison."""
    order = [int(i) for i in np.argsort(-sentences, kind="stable")][:CANDIDATES]
    claim = scored.claim.polarity
    compared = [(i, comparison.compare(claim, scored.sentences[i].polarity)) for i in order]
    index, found = max(compared, key=lambda c: (features.conflict_order(c[1]), sentences[c[0]]))
    agreeing = max(
        (float(sentences[i]) for i, c in compared if features.conflict_order(c) <= 0),
        default=0.0,
    )
    row = features.contradiction_features(found, float(sentences[index]), agreeing)
    return index, row, found


def reversal(scored: Scored, found: Probabilities, calibration: Calibration) -> Reversal:
    index, row, against = most_against(scored, found.sentences)
    probability = float(features.sigmoid(row @ calibration.contradiction))
    agreeing = row[features.CONTRADICTION.index("agreeing_sentence")]
    outmatched = agreeing >= OUTMATCHING and agreeing > found.sentences[index]
    return Reversal(index, probability, against, bool(outmatched))


def verdict(
    scored: Scored, calibration: Calibration, unsupported_parts: Sequence[str] = ()
) -> Judgement:
    """The judgement the calibrated models make of a scored pair; ``unsupported_parts`` are
    clauses of the claim without evidence of their own (they make a support partial)."""
    limits = calibration.thresholds
    found = probabilities(scored, calibration)
    if found.evidence < limits.evidence:
        return Judgement("unsupported", found.evidence, confidence=1.0 - found.evidence)
    against = reversal(scored, found, calibration)
    reason = against.comparison.reason()
    if against.probability >= limits.contradiction:
        chosen = [against.index, *(i for i in found.chosen if i != against.index)]
        return Judgement(
            "contradicted",
            found.evidence,
            _refs(scored, chosen[:MAX_EVIDENCE]),
            f"says the opposite ({reason})",
            found.evidence * against.probability,
        )
    confidence = found.evidence * (1.0 - against.probability)
    if against.probability >= limits.unsure and reason and not against.outmatched:
        note = f"unsure: the evidence may say the opposite ({reason})"
        refs = _refs(scored, [against.index, *(i for i in found.chosen if i != against.index)])
        return Judgement("partial", found.evidence, refs[:MAX_EVIDENCE], note, confidence)
    evidence = _refs(scored, _not_against(scored, found.chosen))
    if unsupported_parts:
        note = "no evidence for: " + "; ".join(f"“{part}”" for part in unsupported_parts)
        return Judgement("partial", found.evidence, evidence, note, confidence)
    kind: PairVerdict = "supported" if found.evidence >= limits.support else "partial"
    return Judgement(kind, found.evidence, evidence, confidence=confidence)


def _refs(scored: Scored, indexes: Sequence[int]) -> tuple[EvidenceRef, ...]:
    return tuple(EvidenceRef(*scored.located[i]) for i in indexes)


def _not_against(scored: Scored, chosen: list[int]) -> list[int]:
    """The chosen evidence sentences without those that speak against the claim (a support is
    never shown with a sentence that reverses it); the best one when all do."""
    claim = scored.claim.polarity
    kept = [
        i
        for i in chosen
        if features.conflict_order(comparison.compare(claim, scored.sentences[i].polarity)) < 1.0
    ]
    return kept or chosen[:1]


def evidence_sentences(probabilities: np.ndarray, threshold: float, ratio: float) -> list[int]:
    """Sentences at or above ``threshold`` and at least ``ratio`` times the best one's
    probability, best first, at most ``MAX_EVIDENCE``; at least the best one."""
    order = [int(i) for i in np.argsort(-probabilities, kind="stable")]
    floor = max(threshold, ratio * float(probabilities[order[0]]))
    return [i for i in order[:MAX_EVIDENCE] if probabilities[i] >= floor] or order[:1]
