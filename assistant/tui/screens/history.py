"""History: past sessions, newest first, with their entries; Enter reopens one (a conversation
continues where it stopped)."""

from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from assistant.tui.messages import OpenSession
from assistant.tui.screens.base import ModeScreen

STATUS_MARKS = {"complete": "✓", "incomplete": "…", "failed": "✗", "running": "▶"}


def local_time(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryScreen(ModeScreen):
    MODE = "history"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reopen", "Reopen (or Enter)")]

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="main"):
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="entries", can_focus=False):
                yield Static(id="entries-text")

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        title = max(16, int(self.app.size.width * 0.55) - 28)
        table.add_column("Updated", key="updated", width=16)
        table.add_column("Session", key="title", width=title)
        table.add_column("#", key="entries", width=3)
        table.focus()

    def on_screen_resume(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for session in self.context.history.sessions():
            table.add_row(
                local_time(session.updated),
                Content(session.title),
                str(session.entries),
                key=str(session.id),
            )
        if not table.row_count:
            self.query_one("#entries-text", Static).update("No sessions yet: ask something (F1).")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        lines = []
        for entry in self.context.history.entries(int(event.row_key.value)):
            mark = STATUS_MARKS.get(entry.status, "?")
            lines.append(f"{mark} {entry.kind} #{entry.id} · {entry.status}")
            lines.append(f"  {' '.join(entry.query.split())[:300]}")
            if entry.text.strip():
                lines.append(f"  {' '.join(entry.text.split())[:200]}…")
            lines.append("")
        self.query_one("#entries-text", Static).update(Content("\n".join(lines)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_reopen()

    def action_reopen(self) -> None:
        table = self.query_one("#sessions", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.post_message(OpenSession(int(key)))
