"""Library: the papers in a table with an instant filter and sorting; a paper's abstract beside
it; adding files or folders (with a progress bar, in the background) and removing papers."""

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from assistant.corpus.paper import Paper
from assistant.tui.messages import AddPapers, LibraryChanged
from assistant.tui.screens.base import ModeScreen
from assistant.tui.screens.confirm import Confirm
from assistant.tui.screens.path_prompt import PathPrompt
from assistant.tui.widgets.paper_panel import PaperPanel
from assistant.tui.widgets.paper_table import PaperTable

ADD_HINT = "A file (BibTeX, RIS, CSL JSON, JSON Lines, CSV, arXiv Atom, …) or a folder of them."


class LibraryScreen(ModeScreen):
    MODE = "library"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "add", "Add papers", tooltip="Ingest a file or folder of papers"),
        Binding("ctrl+f", "filter", "Filter", tooltip="Filter the papers as you type"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="library-bar"):
            yield Input(
                placeholder="Filter: words of a title, author, year, tag, source…", id="filter"
            )
            yield Static(id="topic")
        with Horizontal(classes="main"):
            yield PaperTable(id="papers")
            yield PaperPanel(id="panel")

    topic: str | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "library_version", lambda _v: self._reload(), init=True)
        self.query_one(PaperTable).focus()

    @property
    def table(self) -> PaperTable:
        return self.query_one(PaperTable)

    def _reload(self) -> None:
        self.table.set_papers(self.context.papers)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.table.filter_text(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def show_topic(self, label: str, paper_ids: frozenset[str]) -> None:
        """Only the papers of a topic (from the map); Escape shows all again."""
        self.topic = label
        self.query_one("#filter", Input).value = ""  # the topic's papers, all of them
        topic = self.query_one("#topic", Static)
        topic.update(Content(f"Topic: {label} ({len(paper_ids)}) · Esc: all papers"))
        topic.display = True
        self.table.restrict(paper_ids)
        self.table.focus()

    def action_close_panel(self) -> None:
        if self.query_one(PaperPanel).close():
            return
        if self.topic is not None:
            self.topic = None
            self.query_one("#topic", Static).display = False
            self.table.restrict(None)

    def on_paper_table_opened(self, event: PaperTable.Opened) -> None:
        self.query_one(PaperPanel).show(event.paper)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        panel = self.query_one(PaperPanel)
        paper = self.table.papers.get(event.row_key.value or "")
        if panel.has_class("-open") and paper is not None:
            panel.show(paper)

    def action_add(self) -> None:
        prompt = PathPrompt("Add papers from", ADD_HINT, str(Path.cwd()) + "/", must_exist=True)
        self.app.push_screen(prompt, self._add)

    def _add(self, path: Path | None) -> None:
        if path is not None:
            self.post_message(AddPapers([path]))

    def on_paper_table_remove_requested(self, event: PaperTable.RemoveRequested) -> None:
        papers = event.papers
        titles = "\n".join(f"· {p.title}" for p in papers[:5])
        more = f"\n… and {len(papers) - 5} more" if len(papers) > 5 else ""
        question = f"Remove {len(papers)} paper{'s' if len(papers) != 1 else ''} from the store?"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.table.marked.clear()
                self.remove_papers(papers)

        self.app.push_screen(Confirm(question, titles + more), confirmed)

    @work(thread=True, exit_on_error=False, group="remove")
    def remove_papers(self, papers: list[Paper]) -> None:
        library = self.context.require().library
        removed = library.remove([p.id for p in papers])
        generation = library.store.generation()  # before the papers: a later write is seen
        self.post_message(LibraryChanged(library.papers(), f"{removed} removed", generation))
