"""Discover: papers beyond the library. A question searches OpenAlex and snowballs from the
library's closest papers; the candidates come ranked, each marked in or not in the library with
why it was found, its abstract beside the list. Space marks papers, ``a`` adds the marked ones
(or the highlighted one) to the library in one step, ``s`` snowballs from the highlighted one.
The search runs in a thread worker; offline, a toast says so and the question stays."""

from contextlib import closing
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from assistant.corpus.paper import Paper
from assistant.errors import AssistantError
from assistant.tui.context import Context
from assistant.tui.messages import LibraryChanged
from assistant.tui.screens.base import ModeScreen
from assistant.tui.widgets.paper_panel import PaperPanel

if TYPE_CHECKING:  # imported by the worker: the HTTP client loads when first asked
    from assistant.scholarly.discover import Candidate, Discovery

HINT = "Space marks · a adds to the library · s snowballs from the highlighted paper"


class DiscoverStopped(AssistantError):
    title = "Stopped"


class Discovered(Message):
    """A discovery finished."""

    def __init__(self, discovery: "Discovery") -> None:
        super().__init__()
        self.discovery = discovery


class DiscoverScreen(ModeScreen):
    MODE = "discover"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", tooltip="Mark the highlighted paper to add"),
        Binding("a", "add", "Add to library", tooltip="Add the marked (or highlighted) papers"),
        Binding("s", "snowball", "Snowball", tooltip="Papers it cites and papers citing it"),
        Binding("ctrl+f", "question", "Question", show=False),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.candidates: list[Candidate] = []
        """The last discovery's, ranked."""
        self.marked: set[int] = set()

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder="What should the papers be about? Enter searches OpenAlex and "
            "snowballs from your closest papers",
            id="discover-question",
        )
        yield Static(id="discover-status")
        with Horizontal(classes="main"):
            yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
            yield PaperPanel(id="discover-panel")

    def on_mount(self) -> None:
        table = self.query_one("#candidates", DataTable)
        title = max(20, int(self.app.size.width * 0.6) - 40)
        table.add_column("", key="mark", width=1)
        table.add_column("#", key="rank", width=3)
        table.add_column("Title", key="title", width=title)
        table.add_column("Year", key="year", width=4)
        table.add_column("Library", key="where", width=7)
        table.add_column("Why", key="why", width=24)
        self.query_one("#discover-question", Input).focus()

    @property
    def table(self) -> DataTable[str | Content]:
        return self.query_one("#candidates", DataTable)

    # Searching

    @on(Input.Submitted, "#discover-question")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if question:
            self.run_discovery(question, ())

    def action_snowball(self) -> None:
        candidate = self._highlighted()
        if candidate is not None:
            seed = candidate.library or candidate.paper
            question = self.query_one("#discover-question", Input).value.strip()
            self.run_discovery(question or None, (seed,))

    def run_discovery(self, question: str | None, seeds: tuple[Paper, ...]) -> None:
        what = f"“{question}”" if question else f"papers around “{seeds[0].title}”"
        self._status(f"Searching for {what}…")
        self.discover(question, seeds)

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover")
    def discover(self, question: str | None, seeds: tuple[Paper, ...]) -> None:
        from assistant.scholarly.clients import Apis
        from assistant.scholarly.discover import Request, discover

        worker = get_current_worker()

        def progress(phase: str, done: int, total: int, detail: str = "") -> None:
            if worker.is_cancelled:
                raise DiscoverStopped("the search was stopped")

        try:
            library = self.context.require().library
            with closing(Apis.open(self.context.settings.scholarly)) as apis:
                found = discover(library, apis, Request(question=question, seeds=seeds), progress)
        except Exception as error:
            self.app.call_from_thread(self._status, f"Nothing found: {error}")
            self.fail(error)
            return
        self.post_message(Discovered(found))

    def on_discovered(self, message: Discovered) -> None:
        found = message.discovery
        self.candidates = list(found.candidates)
        self.marked.clear()
        self._fill()
        owned = sum(c.in_library for c in self.candidates)
        self._status(f"{len(self.candidates)} papers, {owned} in the library. {HINT}")
        for note in found.notes:
            self.notify(note, title="Discover", severity="warning", markup=False)
        self.table.focus()

    def _fill(self) -> None:
        table = self.table
        table.clear()
        for rank, candidate in enumerate(self.candidates):
            paper = candidate.paper
            table.add_row(
                "●" if rank in self.marked else "",
                str(rank + 1),
                Content(paper.title + (" [retracted]" if candidate.work.retracted else "")),
                str(paper.year or ""),
                "yes" if candidate.in_library else "no",
                Content("; ".join(candidate.reasons)),
                key=str(rank),
            )

    # Choosing and adding

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        candidate = self._at(event.row_key.value)
        if candidate is not None:
            self.query_one(PaperPanel).show(candidate.paper)

    def action_mark(self) -> None:
        rank = self._highlighted_rank()
        if rank is None or self.candidates[rank].in_library:
            return
        self.marked ^= {rank}
        self.table.update_cell(str(rank), "mark", "●" if rank in self.marked else "")

    def action_add(self) -> None:
        ranks = sorted(self.marked) or [r for r in [self._highlighted_rank()] if r is not None]
        chosen = [self.candidates[r] for r in ranks if not self.candidates[r].in_library]
        if not chosen:
            self.notify("Nothing to add: mark papers that are not in the library.", markup=False)
            return
        self.add(chosen)

    @work(thread=True, exit_on_error=False, group="ingest")
    def add(self, chosen: "list[Candidate]") -> None:
        from assistant.scholarly.discover import add_to_library

        try:
            library = self.context.require().library
            report = add_to_library(library, chosen)
            generation = library.generation()  # before the papers: a later write is seen
            summary = f"{report.added} added from Discover"
            self.post_message(LibraryChanged(library.papers(), summary, generation))
        except Exception as error:
            self.fail(error)
            return
        self.app.call_from_thread(self._added, chosen)

    def _added(self, chosen: "list[Candidate]") -> None:
        added = {id(c) for c in chosen}
        for rank, candidate in enumerate(self.candidates):
            if id(candidate) in added:
                self.marked.discard(rank)
                self.table.update_cell(str(rank), "mark", "")
                self.table.update_cell(str(rank), "where", "added")

    # Helpers

    def action_question(self) -> None:
        self.query_one("#discover-question", Input).focus()

    def _highlighted_rank(self) -> int | None:
        if not self.table.row_count:
            return None
        key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key.value
        return None if key is None else int(key)

    def _highlighted(self) -> "Candidate | None":
        rank = self._highlighted_rank()
        return None if rank is None else self.candidates[rank]

    def _at(self, key: str | None) -> "Candidate | None":
        return None if key is None else self.candidates[int(key)]

    def _status(self, text: str) -> None:
        self.query_one("#discover-status", Static).update(Content(text))
