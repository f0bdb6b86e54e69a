"""The checker's logic with stand-in judges, and the offline judge's parts that need no model."""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.citations.check import (
    Calibration,
    Checker,
    CitedClaim,
    Document,
    Judgement,
    OfflineJudge,
    Pair,
    Resolution,
)
from assistant.citations.check.features import analyse, clauses
from assistant.citations.check.offline import VectorCache, evidence_sentences
from assistant.errors import ConfigError
from assistant.settings import Settings
from tests.fakes import HashEmbedder

A = Document("a", "Paper A", ("Alpha holds.", "Nothing else."))
B = Document("b", "Paper B", ("Beta holds.",))
C = Document("c", "Paper C", ("Gamma holds.",))


class SetJudge:
    """Supported when the documents' ids, together, include every letter the claim names."""

    name = "set"

    def __init__(self) -> None:
        self.asked: list[Pair] = []

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        self.asked.extend(pairs)
        out = []
        for pair in pairs:
            wanted = set(pair.claim.split()[0])
            have = {d.paper_id for d in pair.documents}
            verdict = (
                "supported" if wanted <= have else "partial" if wanted & have else "unsupported"
            )
            out.append(Judgement(verdict, 1.0 if verdict == "supported" else 0.3))
        return out


def claim(text: str, *documents: Document | None) -> CitedClaim:
    citations = tuple(
        Resolution(f"k{i}", d) if d else Resolution(f"k{i}", None, problem=f"k{i}: not found")
        for i, d in enumerate(documents)
    )
    return CitedClaim(text, citations)


async def test_joint_support_and_alce_precision() -> None:
    judge = SetJudge()
    report = await Checker(judge).check(
        [
            claim("ab needs both of its citations here.", A, B),
            claim("a needs only the first citation.", A, B, C),
            claim("d is cited but nothing supports it.", A),
        ]
    )
    both, one, none = report.sentences
    assert both.verdict == "supported" and both.precise == {"k0": True, "k1": True}
    assert both.by_citation == {"k0": "partial", "k1": "partial"}
    assert one.verdict == "supported" and one.precise == {"k0": True, "k1": False, "k2": False}
    assert none.verdict == "unsupported" and none.precise == {"k0": False}
    metrics = report.metrics
    assert metrics.citation_recall == pytest.approx(2 / 3)
    assert metrics.citation_precision == pytest.approx(3 / 6)
    assert len(judge.asked) == len(
        {(p.claim, tuple(d.paper_id for d in p.documents)) for p in judge.asked}
    )


async def test_unresolved_and_uncited_sentences() -> None:
    report = await Checker(SetJudge()).check(
        [
            claim("a is cited twice, once to nothing found.", A, None),
            claim("x cites nothing that could be found.", None),
            claim("This sentence makes a claim without any citation."),
            claim("We describe our method next."),
        ]
    )
    partly, unresolved, uncited, aside = report.sentences
    assert partly.verdict == "supported" and partly.by_citation == {
        "k0": "supported",
        "k1": "unresolved",
    }
    assert partly.precise == {"k0": True, "k1": False} and partly.notes == ["k1: not found"]
    assert unresolved.verdict == "unresolved" and unresolved.fails()
    assert uncited.verdict == "uncited" and uncited.claim and not uncited.fails()
    assert aside.verdict == "uncited" and not aside.claim
    assert report.metrics.uncited_claims == 1 and report.metrics.claims == 3
    assert report.failing() == [unresolved]
    json.dumps(report.to_json())  # serialisable as it is


def test_partial_fails_only_when_strict() -> None:
    from assistant.citations.check import SentenceCheck

    partial = SentenceCheck("text", ["k"], "partial")
    assert not partial.fails() and partial.fails(strict=True)


# The offline judge's parts


def test_shipped_calibration() -> None:
    calibration = Calibration.load()
    assert calibration.embedder == "all-MiniLM-L6-v2"
    limits = calibration.thresholds
    assert 0 < limits.evidence <= limits.support < 1
    assert 0 < limits.unsure <= limits.contradiction < 1
    raw = json.loads(calibration.path.read_text())
    assert "train" in raw["fitted_on"] and "dev claims never used" in raw["fitted_on"]


def test_calibration_that_does_not_match_the_features(tmp_path: Path) -> None:
    raw = json.loads(Calibration.load().path.read_text())
    del raw["models"]["sentence"]["cosine"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="cannot be used"):
        Calibration.load(path)


def test_settings_point_at_another_calibration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_CHECK__THRESHOLDS", str(tmp_path / "mine.json"))
    monkeypatch.setenv("CITEWISE_CHECK__MAX_ROUNDS", "3")
    settings = Settings()
    assert settings.check.thresholds == tmp_path / "mine.json" and settings.check.max_rounds == 3
    assert not settings.check.enabled_by_default and settings.check.judge == "offline"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "Coffee lowers diabetes risk and also prevents dementia in adults.",
            ["Coffee lowers diabetes risk", "prevents dementia in adults"],
        ),
        ("Sleep and memory are linked in adults.", []),
        (
            "Exercise raises hippocampal volume; stretching lowers hippocampal volume.",
            ["Exercise raises hippocampal volume", "stretching lowers hippocampal volume"],
        ),
    ],
)
def test_clauses(text: str, parts: list[str]) -> None:
    assert clauses(text) == parts


def test_analyse_reads_terms_figures_and_polarity() -> None:
    text = analyse("Sleep loss did not reduce recall by 30% in 1,200 adults.")
    assert [(q.unit, round(q.low), round(q.high)) for q in text.numbers] == [
        ("%", 30, 30),
        ("n:adult", 1200, 1200),
    ]
    assert {"sleep", "recal"} <= text.terms
    negation = text.polarity.negations[0]
    assert negation.cue == "not" and negation.stems[0] == "reduc"


def test_evidence_sentences_rule() -> None:
    probabilities = np.array([0.1, 0.9, 0.5, 0.2, 0.6])
    assert evidence_sentences(probabilities, 0.15, 0.25) == [1, 4, 2]  # at most three
    assert evidence_sentences(probabilities, 0.15, 0.6) == [1, 4]
    assert evidence_sentences(probabilities, 0.95, 0.0) == [1]  # always the best one


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return super().embed(texts)


def test_vector_cache_persists_between_runs(tmp_path: Path) -> None:
    first = CountingEmbedder()
    VectorCache(first, tmp_path / "v.sqlite").add(["one text", "two texts", "one text"])
    second = CountingEmbedder()
    cache = VectorCache(second, tmp_path / "v.sqlite")
    cache.add(["one text", "three texts"])
    assert first.embedded == ["one text", "two texts"] and second.embedded == ["three texts"]
    assert np.allclose(cache["one text"], HashEmbedder().embed(["one text"])[0])


async def test_offline_judge_on_verbatim_and_unrelated_sentences() -> None:
    judge = OfflineJudge(HashEmbedder())
    doc = Document(
        "p",
        "Coffee",
        (
            "Participants drinking coffee daily had a 25% lower risk of type 2 diabetes.",
            "Hypertension was unaffected.",
        ),
    )
    same, other, empty = await judge.judge(
        [
            Pair(doc.sentences[0], (doc,)),
            Pair("Quantum error correction needs many physical qubits per logical qubit.", (doc,)),
            Pair("Anything at all.", (Document("q", "Title only", ()),)),
        ]
    )
    assert same.verdict == "supported" and same.evidence[0].sentence == 0
    assert other.verdict == "unsupported" and other.evidence == ()
    assert empty.verdict == "unsupported" and empty.note == "no abstract to check against"
    assert not judge.calibrated  # fitted with MiniLM, run with the hashing embedding


# Resolving citations
