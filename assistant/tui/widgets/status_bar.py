"""The bottom line: backend and model, papers, tokens spent, the evidence-mode badge, and the
progress of an ingest. It follows the app's reactive state, whichever screen shows it."""

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.style import Style
from textual.widgets import ProgressBar, Static

if TYPE_CHECKING:
    from assistant.tui.app import CitewiseApp

WATCHED = ("model_label", "papers", "tokens", "evidence", "progress")
PHASES = {"read": "Reading files", "embed": "Embedding"}


class StatusBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static(id="status-model")
        yield Static(id="status-papers")
        yield Static(id="status-tokens")
        yield Static(
            Content.assemble(
                (
                    " evidence mode · ^L ",
                    Style.from_meta({"@click": "app.llm_setup"}),
                )
            ),
            id="status-evidence",
        )
        yield Static(id="status-phase")
        yield ProgressBar(show_eta=False, show_percentage=False, id="status-progress")

    def on_mount(self) -> None:
        for name in WATCHED:
            self.watch(self.app, name, lambda _value: self._show(), init=False)
        self._show()

    def _show(self) -> None:
        app = cast("CitewiseApp", self.app)
        self.query_one("#status-model", Static).update(Content(app.model_label))
        papers = "opening…" if app.papers is None else f"{app.papers:,} papers"
        self.query_one("#status-papers", Static).update(papers)
        self.query_one("#status-tokens", Static).update(f"{app.tokens:,} tokens")
        busy = app.progress is not None
        self.query_one("#status-evidence").display = app.evidence and not busy
        phase, bar = self.query_one("#status-phase", Static), self.query_one(ProgressBar)
        phase.display = bar.display = busy
        if app.progress is not None:
            name, done, total, detail = app.progress
            more = f" · {detail}" if detail else ""
            phase.update(f"{PHASES.get(name, name)} {done}/{total}{more}")
            bar.update(total=max(total, 1), progress=done)
