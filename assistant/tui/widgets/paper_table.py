"""The library as a table: instant filter, sorting (``s`` cycles the column, ``r`` reverses, or
click a header), marks (space) for removing several papers at once."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from assistant.corpus.paper import Paper

COLUMNS = ("title", "year", "authors", "source", "tags")
WIDTHS = {"year": 4, "authors": 18, "source": 16, "tags": 14}
"""Widths of the columns other than the title, which takes the rest of the width."""


def source_of(paper: Paper) -> str:
    if not paper.sources:
        return ""
    return f"{paper.sources[0].format} · {Path(paper.sources[0].path).name}"


def authors_of(paper: Paper) -> str:
    names = [name.split(",")[0].split()[-1] if name.strip() else name for name in paper.authors[:2]]
    return ", ".join(names) + (" et al." if len(paper.authors) > 2 else "")


CELLS: dict[str, Callable[[Paper], str]] = {
    "title": lambda p: p.title,
    "year": lambda p: str(p.year or ""),
    "authors": authors_of,
    "source": source_of,
    "tags": lambda p: ", ".join(p.tags),
}
SORT_KEYS: dict[str, Callable[[Paper], Any]] = {
    name: (lambda p, cell=cell: cell(p).casefold()) for name, cell in CELLS.items()
} | {"year": lambda p: (p.year is None, p.year or 0)}


class PaperTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", tooltip="Show the paper's abstract"),
        Binding("space", "mark", "Mark", tooltip="Mark the paper (to remove several)"),
        Binding("delete", "remove", "Remove", tooltip="Remove the marked papers (or this one)"),
        Binding("s", "sort", "Sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", show=False, tooltip="Reverse the order"),
    ]

    @dataclass
    class Opened(Message):
        paper: Paper

    @dataclass
    class RemoveRequested(Message):
        papers: list[Paper]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.papers: dict[str, Paper] = {}
        self.marked: set[str] = set()
        self.sort_column, self.descending = "title", False
        self._text = ""
        self._only: set[str] | None = None
        self._haystacks: dict[str, str] = {}
        self.shown_columns: list[str] = []

    def set_papers(self, papers: list[Paper]) -> None:
        self.papers = {p.id: p for p in papers}
        self.marked &= set(self.papers)
        self._columns([c for c in COLUMNS if c == "title" or any(CELLS[c](p) for p in papers)])
        self._haystacks = {
            p.id: " ".join(
                [
                    p.title,
                    " ".join(p.authors),
                    str(p.year or ""),
                    p.venue or "",
                    " ".join(p.tags),
                    " ".join(p.collections),
                    source_of(p),
                ]
            ).casefold()
            for p in papers
        }
        self._show()

    def filter_text(self, text: str) -> None:
        """Show the papers matching every word of ``text``."""
        self._text = text
        self._show()

    def restrict(self, only: Collection[str] | None) -> None:
        """Show only these papers (None: all of them)."""
        self._only = set(only) if only is not None else None
        self._show()

    @property
    def shown(self) -> list[Paper]:
        words = self._text.casefold().split()
        found = [
            p
            for p in self.papers.values()
            if (self._only is None or p.id in self._only)
            and all(w in self._haystacks[p.id] for w in words)
        ]
        return sorted(found, key=SORT_KEYS[self.sort_column], reverse=self.descending)

    def action_sort(self) -> None:
        columns = self.shown_columns
        self._sort_by(columns[(columns.index(self.sort_column) + 1) % len(columns)])

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._show()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column in self.shown_columns:
            if column == self.sort_column:
                self.action_reverse()
            else:
                self._sort_by(column)

    def action_open(self) -> None:
        paper = self.current
        if paper is not None:
            self.post_message(self.Opened(paper))

    def action_mark(self) -> None:
        paper = self.current
        if paper is None:
            return
        self.marked ^= {paper.id}
        self.update_cell(paper.id, "mark", "✓" if paper.id in self.marked else "")
        self.action_cursor_down()

    def action_remove(self) -> None:
        chosen = [self.papers[i] for i in sorted(self.marked)] or (
            [self.current] if self.current else []
        )
        if chosen:
            self.post_message(self.RemoveRequested(chosen))

    @property
    def current(self) -> Paper | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.papers.get(key or "")

    def _sort_by(self, column: str) -> None:
        self.sort_column, self.descending = column, False
        self._show()

    def _columns(self, names: list[str]) -> None:
        """Show these columns (those some paper has a value for); the title takes the width the
        others leave."""
        if names == self.shown_columns:
            return
        self.shown_columns = names
        if self.sort_column not in names:
            self.sort_column, self.descending = "title", False
        self.clear(columns=True)
        others = sum(WIDTHS.get(name, 0) for name in names)
        title = max(24, self.app.size.width - others - 2 * len(names) - 6)
        self.add_column(" ", key="mark", width=1)
        for name in names:
            self.add_column(name.capitalize(), key=name, width=WIDTHS.get(name, title))

    def _show(self) -> None:
        current = self.current
        self.clear()
        arrow = " ▼" if self.descending else " ▲"
        for key, column in self.columns.items():
            name = str(key.value)
            if name in self.shown_columns:
                column.label = Text(name.capitalize() + (arrow if name == self.sort_column else ""))
        for p in self.shown:
            cells = [CELLS[name](p) for name in self.shown_columns]
            self.add_row("✓" if p.id in self.marked else "", *cells, key=p.id)
        if current is not None and current.id in self.rows:
            self.move_cursor(row=self.get_row_index(current.id), animate=False)
