"""What a task produces and what a check says of it: the types every layer above shares.

Tasks make ``TaskResult``s, the citation layer parses and checks them, the history keeps them,
the front ends show them; all of them import these types from here, below every one of them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.corpus.paper import Paper
from assistant.llm.types import Usage

Kind = Literal["answer", "draft", "summary"]
Mode = Literal["llm", "evidence"]
Status = Literal["running", "complete", "incomplete", "failed"]

EVIDENCE_LABEL = "Extracted from the papers (no language model configured)"
"""Heads every evidence-mode result, in the stream and in every export: it is not written text."""


@dataclass(frozen=True)
class Location:
    """Where a passage stands in its paper: the abstract (nothing set), or the full text: its
    section, the pages it starts and ends on, and character offsets into those pages' text."""

    section: str = ""
    page: int | None = None
    page_end: int | None = None
    start: int | None = None
    """Offset into the text of ``page`` where the passage starts."""

    end: int | None = None
    """Offset into the text of ``page_end`` where it ends."""

    @property
    def last_page(self) -> int | None:
        return self.page_end if self.page_end is not None else self.page

    @property
    def pages(self) -> str:
        """As a citation names them: "6", "6-7", or "" (no page: an abstract)."""
        if self.page is None:
            return ""
        last = self.last_page
        return str(self.page) if last == self.page else f"{self.page}-{last}"

    def covers(self, page: int) -> bool:
        """Whether the passage stands (in part) on ``page``."""
        last = self.last_page
        return self.page is not None and last is not None and self.page <= page <= last


@dataclass(frozen=True)
class Passage:
    """A passage of a paper, as a task uses it: its text and where it stands."""

    text: str
    location: Location = field(default_factory=Location)
    chunk_id: str = ""


@dataclass(frozen=True)
class Source:
    """A paper given to the model as numbered source ``number`` (1-based), with the passages
    that were packed into the prompt."""

    number: int
    paper: Paper
    passages: list[Passage]
    score: float

    @property
    def texts(self) -> list[str]:
        return [passage.text for passage in self.passages]

    def passage_with(self, sentence: str) -> Passage | None:
        """The first of its passages from the full text that holds ``sentence``."""
        found = (p for p in self.passages if p.location.page is not None and sentence in p.text)
        return next(found, None)

    def passage_on(self, pages: str) -> Passage | None:
        """The first of its passages on the first of ``pages`` ("6", "6-7")."""
        first = pages.split("-")[0]
        if not first.isdigit():
            return None
        return next((p for p in self.passages if p.location.covers(int(first))), None)


@dataclass(frozen=True)
class CitedSentence:
    text: str
    """The sentence as shown, citation markers removed."""

    citations: list[int]
    """Source numbers it cites, each one a source that was given."""

    paragraph: int = 0
    """0-based paragraph (or, in an evidence-mode draft, theme) it belongs to."""

    pages: dict[int, str] = field(default_factory=dict)
    """Pages cited, by source number, as written ("6", "6-7"); sources cited without a page
    are not in it."""

    quoted_from: str | None = None
    """Set when the sentence is a verbatim quotation of the one source it cites (evidence
    mode): who wrote it, shown before the quote ("Kitaev et al."; "" when the paper names no
    author). A quotation is shown as one, and checked as one (is it verbatim?), not judged as a
    claim."""


@dataclass
class TaskResult:
    kind: Kind
    query: str
    mode: Mode
    sources: list[Source]
    text: str = ""
    """The output exactly as streamed to the user (the ``TextDelta``s joined): valid markers
    included, invalid ones removed; in structured-output mode, the readable rendering."""

    raw: str = ""
    """What the model sent, untouched (markers or JSON); empty in evidence mode."""

    sentences: list[CitedSentence] = field(default_factory=list)
    invalid_citations: list[str] = field(default_factory=list)
    """Markers that pointed at no given source: removed, never shown as citations."""

    headings: dict[int, str] = field(default_factory=dict)
    """Titles of the paragraphs that have one, by paragraph (evidence-mode draft themes)."""

    structured: bool = False
    """True when the reply came as structured output (JSON schema), False for markers."""

    usage: Usage = field(default_factory=Usage)
    model: str = ""
    backend: str = ""
    prompt_version: str = ""
    status: Status = "running"
    error: str | None = None


# Verdicts

Verdict = Literal[
    "quoted", "supported", "partial", "unsupported", "contradicted", "uncited", "unresolved"
]
VERDICTS: tuple[Verdict, ...] = (
    "quoted",
    "supported",
    "partial",
    "unsupported",
    "contradicted",
    "uncited",
    "unresolved",
)
SHOWN_VERDICTS: frozenset[Verdict] = frozenset(
    {"quoted", "supported", "partial", "unsupported", "contradicted"}
)
"""The verdicts a result's sentences are marked with (the others need no mark: no citation)."""


@dataclass(frozen=True)
class Spot:
    """Where a check found the evidence for a sentence in a source."""

    sentence: str
    page: str = ""
    """The pages of a sentence of the full text ("6", "6-7"); "" for one of the abstract."""


@dataclass(frozen=True)
class Marks:
    """What a citation check says of a result, sentence by sentence, for showing it."""

    verdicts: dict[int, Verdict] = field(default_factory=dict)
    """By sentence index, the ``SHOWN_VERDICTS`` only."""

    evidence: dict[tuple[int, int], Spot] = field(default_factory=dict)
    """(sentence index, source number) -> the sentence of that source that is the evidence."""

    notes: list[str] = field(default_factory=list)

    @classmethod
    def of_check(cls, checked: Mapping[str, Any]) -> "Marks":
        """The marks of a check report as JSON (``CheckReport.to_json``); a numbered source's
        evidence is found by the number its citation ``[n]`` names."""
        verdicts: dict[int, Verdict] = {}
        evidence: dict[tuple[int, int], Spot] = {}
        for index, check in enumerate(checked.get("sentences", [])):
            if check["verdict"] in SHOWN_VERDICTS:
                verdicts[index] = check["verdict"]
            for found in check["evidence"]:
                number = found["citation"].strip("[]")
                if number.isdigit():
                    spot = Spot(found["sentence"], found.get("page", ""))
                    evidence[(index, int(number))] = spot
        return cls(verdicts, evidence, list(checked.get("notes", [])))
