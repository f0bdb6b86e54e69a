"""What a judge is asked and what it answers: one interface for the offline and the LLM judge.

A ``Pair`` is a claim (one sentence of a text) and the papers it cites, each a ``Document``
split into sentences: the paper's abstract, and, when its full text is in the library, the body
passages that best match the claim (each sentence with its pages). A judge says whether the
documents, taken together, support the claim (``supported``), support part of it (``partial``),
hold no evidence for it (``unsupported``) or say the opposite (``contradicted``), and points at
the sentences that are the evidence.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from assistant.corpus.paper import Paper
from assistant.sentences import split_sentences

PairVerdict = Literal["supported", "partial", "unsupported", "contradicted"]
PAIR_VERDICTS: tuple[PairVerdict, ...] = ("supported", "partial", "unsupported", "contradicted")

HOLDS_EVIDENCE: frozenset[str] = frozenset({"supported", "partial", "contradicted"})
"""Verdicts that say the documents speak to the claim (for it or against it)."""


@dataclass(frozen=True)
class Document:
    """A paper as a judge sees it: its id and title, and its sentences."""

    paper_id: str
    title: str
    sentences: tuple[str, ...]
    pages: tuple[str, ...] = ()
    """The pages of each sentence read from the full text ("6", "6-7"), after the abstract's:
    as many as those sentences (the last ones)."""

    full_text: bool = False
    """Whether the paper's full text was searched for these sentences."""

    @classmethod
    def of(cls, paper: Paper, fallback: Sequence[str] = ()) -> "Document":
        """The paper's abstract, split; ``fallback`` passages when it has none."""
        text = paper.abstract if paper.has_abstract else " ".join(fallback)
        return cls(paper.id, paper.title, tuple(split_sentences(text)))

    def with_passages(self, passages: Sequence[tuple[str, str]]) -> "Document":
        """This document with the sentences of body ``passages`` (text, pages) after its own,
        each once, and marked as searched in full."""
        added: dict[str, str] = {}
        for text, pages in passages:
            for sentence in split_sentences(text):
                if sentence not in self.sentences:
                    added.setdefault(sentence, pages)
        return Document(
            self.paper_id,
            self.title,
            self.sentences + tuple(added),
            self.pages + tuple(added.values()),
            full_text=True,
        )

    def page(self, index: int) -> str:
        """The pages sentence ``index`` stands on; "" for a sentence of the abstract."""
        before = len(self.sentences) - len(self.pages)
        return self.pages[index - before] if index >= before else ""

    @property
    def empty(self) -> bool:
        return not self.sentences


@dataclass(frozen=True)
class Pair:
    claim: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class EvidenceRef:
    document: int
    """Index into the pair's documents."""

    sentence: int
    """0-based index into that document's sentences."""


@dataclass(frozen=True)
class Judgement:
    verdict: PairVerdict
    score: float
    """How likely the documents hold evidence for the claim, 0 to 1 (the judge's own scale)."""

    evidence: tuple[EvidenceRef, ...] = ()
    note: str = ""
    """Why, when the judge says (the LLM judge's reason, or a caveat)."""

    confidence: float | None = None
    """How likely the verdict is right, 0 to 1: for the offline judge, the product of its fitted
    models' probabilities (see ``offline``); for the LLM judge, the model's own estimate. None
    only from judges that give none (stand-ins in tests)."""

    @property
    def holds_evidence(self) -> bool:
        return self.verdict in HOLDS_EVIDENCE


class Judge(Protocol):
    """Judges (claim, cited abstracts) pairs; batches of any size, answers in the same order."""

    name: str

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]: ...


def supports(judgement: Judgement) -> bool:
    """Whether a judgement counts as support for citation recall and precision."""
    return judgement.verdict == "supported"
