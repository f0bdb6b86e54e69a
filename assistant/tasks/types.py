"""What a task produces, as it happens and at the end."""

from dataclasses import dataclass, field
from typing import Literal

from assistant.corpus.paper import Paper
from assistant.llm.types import Usage

Kind = Literal["answer", "draft", "summary"]
Mode = Literal["llm", "evidence"]
Status = Literal["running", "complete", "incomplete", "failed"]


@dataclass(frozen=True)
class Source:
    """A paper given to the model as numbered source ``number`` (1-based), with the passages
    that were packed into the prompt."""

    number: int
    paper: Paper
    passages: list[str]
    score: float


@dataclass(frozen=True)
class CitedSentence:
    text: str
    """The sentence as shown, citation markers removed."""

    citations: list[int]
    """Source numbers it cites, each one a source that was given."""


@dataclass
class TaskResult:
    kind: Kind
    query: str
    mode: Mode
    sources: list[Source]
    text: str = ""
    """The full output as streamed (markers included)."""

    sentences: list[CitedSentence] = field(default_factory=list)
    invalid_citations: list[str] = field(default_factory=list)
    """Markers that pointed at no given source: removed, never shown as citations."""

    usage: Usage = field(default_factory=Usage)
    model: str = ""
    backend: str = ""
    prompt_version: str = ""
    status: Status = "running"
    error: str | None = None


@dataclass(frozen=True)
class Retrieved:
    """Sources are chosen; generation starts next."""

    sources: list[Source]


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Finished:
    result: TaskResult


TaskEvent = Retrieved | TextDelta | Finished
