"""What a check finds: a verdict per sentence, with its evidence, and ALCE-style metrics.

Metrics (Gao et al. 2023, "Enabling Large Language Models to Generate Text with Citations"),
over the sentences that make a claim:

- citation recall: the share of claim sentences whose citations, together, support them (a
  claim sentence without a citation counts as not supported);
- citation precision: the share of citations (of sentences that cite) that support their
  sentence alone, or that the sentence needs: without them the other citations no longer
  support it. A citation of a sentence its citations do not support is not precise;
- uncited claims: claim sentences with no citation at all.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.citations.check.judging import PairVerdict
from assistant.results import Marks, Verdict

FAILING: frozenset[Verdict] = frozenset({"unsupported", "contradicted", "unresolved"})
"""Verdicts of a cited sentence that fail a check (``strict`` adds "partial")."""


@dataclass(frozen=True)
class Evidence:
    citation: str
    """The citation (as written) whose paper holds the sentence."""

    paper_id: str
    sentence: str
    index: int
    """0-based position of the sentence in what was read of the paper: its abstract's
    sentences, then those of the body passages searched."""

    page: str = ""
    """The pages of a sentence from the full text ("6", "6-7"); "" for the abstract."""


@dataclass(frozen=True)
class Suggestion:
    """A paper that would support a sentence: from the library, or (with ``source``) not yet."""

    paper_id: str
    title: str
    citation_key: str | None
    verdict: PairVerdict
    score: float
    evidence: list[str] = field(default_factory=list)
    source: str | None = None
    """The API record of a paper outside the library (``scholarly.suggest_in_check``)."""


@dataclass
class SentenceCheck:
    text: str
    citations: list[str]
    """As written: keys, or ``[n]`` for numbered sources."""

    verdict: Verdict
    evidence: list[Evidence] = field(default_factory=list)
    claim: bool = True
    """Whether the sentence makes a claim that needs a citation."""

    line: int | None = None
    paragraph: int = 0
    score: float | None = None
    """The judge's score for the sentence against all its citations together."""

    confidence: float | None = None
    """How likely the verdict is right, 0 to 1, as its judge says (``Judgement.confidence``);
    None for a sentence no judge saw (uncited, unresolved)."""

    by_citation: dict[str, Verdict] = field(default_factory=dict)
    """Each citation judged alone ("unresolved" when it could not be found)."""

    precise: dict[str, bool] = field(default_factory=dict)
    suggestions: list[Suggestion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fails(self, strict: bool = False) -> bool:
        return bool(self.citations) and (
            self.verdict in FAILING or (strict and self.verdict == "partial")
        )


@dataclass(frozen=True)
class Metrics:
    sentences: int
    claims: int
    cited: int
    uncited_claims: int
    citation_recall: float | None
    citation_precision: float | None
    verdicts: dict[str, int]


@dataclass
class CheckReport:
    sentences: list[SentenceCheck]
    judge: str
    notes: list[str] = field(default_factory=list)
    """About the input as a whole (a .bib entry that did not parse, a numbered reference)."""

    dropped: list[SentenceCheck] = field(default_factory=list)
    """Sentences a checked generation removed because no round of repair got them supported."""

    rounds: int = 0
    """Repair rounds a checked generation ran."""

    @property
    def metrics(self) -> Metrics:
        return metrics(self.sentences)

    def failing(self, strict: bool = False) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.fails(strict)]

    def marks(self) -> Marks:
        """The verdicts to mark a checked result's sentences with."""
        return Marks.of_check(self.to_json())

    def to_json(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "sentences": [asdict(s) for s in self.sentences],
            "metrics": asdict(self.metrics),
            "notes": self.notes,
            "dropped": [asdict(s) for s in self.dropped],
            "rounds": self.rounds,
        }


def metrics(sentences: list[SentenceCheck]) -> Metrics:
    claims = [s for s in sentences if s.claim or s.citations]
    cited = [s for s in claims if s.citations]
    precise = [ok for s in cited for ok in s.precise.values()]
    return Metrics(
        sentences=len(sentences),
        claims=len(claims),
        cited=len(cited),
        uncited_claims=len(claims) - len(cited),
        citation_recall=_share(sum(s.verdict == "supported" for s in claims), len(claims)),
        citation_precision=_share(sum(precise), len(precise)),
        verdicts=dict(Counter(s.verdict for s in claims)),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
