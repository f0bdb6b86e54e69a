"""Messages that travel up to the app: the library opening, changing, and what screens ask of it."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from assistant.corpus.paper import Paper
    from assistant.errors import AssistantError


@dataclass
class Opened(Message):
    """The library is open (the demo corpus loaded into an empty store first)."""

    papers: "list[Paper]"
    generation: str = ""
    """The store's generation token when ``papers`` were read."""


@dataclass
class Failed(Message):
    """Something went wrong; the app says what, and what to do."""

    error: BaseException


@dataclass
class IngestProgress(Message):
    phase: str
    done: int
    total: int
    detail: str = ""


@dataclass
class LibraryChanged(Message):
    """Papers were added or removed: ``papers`` is the library now."""

    papers: "list[Paper]"
    summary: str
    generation: str = ""
    """The store's generation token when ``papers`` were read ("" if unknown: the next check
    of the store reads the papers again)."""


@dataclass
class StoreChecked(Message):
    """The periodic check for writes by other processes (another citewise, a colleague on a
    shared server): ``papers`` when the store's generation moved, ``error`` when it could not
    be read."""

    since: int
    """How many library changes the app had shown when the check began."""
    generation: str = ""
    papers: "list[Paper] | None" = None
    error: "AssistantError | None" = None


@dataclass
class AddPapers(Message):
    paths: list[Path]


@dataclass
class ShowTopic(Message):
    """Show the library filtered to these papers (a topic chosen on the map)."""

    label: str
    paper_ids: frozenset[str]


@dataclass
class OpenSession(Message):
    """Reopen a past session from the history."""

    session_id: int


class TaskEnded(Message):
    """A task finished, failed or stopped: tokens may have been spent."""
