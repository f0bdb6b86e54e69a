"""A modal yes/no question."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class Confirm(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "dismiss(True)", "Yes"),
        Binding("n,escape", "dismiss(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__(classes="prompt")
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt--box"):
            yield Label(self.question, classes="prompt--title")
            yield Static(Content(self.detail), classes="prompt--hint")
            yield Static("y: yes   n or Escape: no", classes="prompt--hint")
