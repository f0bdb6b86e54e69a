"""What a front end asks a task for: an answer, a draft, a summary; checked when it is made,
so a request that cannot run is refused before anything is recorded or opened."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.errors import InputError
from assistant.index.filters import Filters

WORDS = {"short": 80, "medium": 150, "long": 250}
"""A draft's ``length`` names: about so many words a paragraph."""


@dataclass(frozen=True)
class AnswerRequest:
    question: str
    history: Sequence[tuple[str, str]] = ()
    """Earlier (question, answer) pairs of this conversation, oldest first."""

    k: int | None = None
    """Papers to retrieve (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None

    def __post_init__(self) -> None:
        if not self.question.strip():
            raise InputError("nothing to answer", hint="type a question")


@dataclass(frozen=True)
class DraftRequest:
    topic: str = ""
    from_abstract: str | None = None
    """The user's own abstract: related work is drafted for it (and searched with it)."""

    paragraphs: int = 2
    length: Literal["short", "medium", "long"] | int = "medium"
    k: int | None = None
    """Papers to retrieve (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None

    def __post_init__(self) -> None:
        if not (self.topic.strip() or (self.from_abstract or "").strip()):
            raise InputError("nothing to draft for", hint="give a topic or your abstract")
        if self.paragraphs < 1:
            raise InputError("a draft needs at least one paragraph")

    @property
    def title(self) -> str:
        """What the history calls it: the topic, else the abstract."""
        return self.topic.strip() or (self.from_abstract or "").strip()


@dataclass(frozen=True)
class SummaryRequest:
    query: str = ""
    paper_ids: Sequence[str] = ()
    """Summarise these papers (any reference ``Library.find`` accepts) instead of a search."""

    k: int | None = None
    """Papers to retrieve for a query (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None

    def __post_init__(self) -> None:
        if not (self.query.strip() or self.paper_ids):
            raise InputError("nothing to summarise", hint="give a query or paper ids")

    @property
    def title(self) -> str:
        """What the history calls it: the query, else the papers named."""
        return self.query.strip() or "papers " + ", ".join(self.paper_ids)
