"""The question box: Enter asks, up and down walk through the questions asked before."""

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class QuestionInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "older", "Earlier question", show=False),
        Binding("down", "newer", "Later question", show=False),
    ]

    @dataclass
    class Asked(Message):
        question: str

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.asked: list[str] = []
        self._position = 0
        self._draft = ""

    async def action_submit(self) -> None:
        question = self.value.strip()
        if not question:
            return
        if not self.asked or self.asked[-1] != question:
            self.asked.append(question)
        self._position, self._draft = len(self.asked), ""
        self.value = ""
        self.post_message(self.Asked(question))

    def restore(self, question: str) -> None:
        """Put a question back (it failed), cursor at its end."""
        self.value = question
        self.cursor_position = len(question)
        self.focus()

    def action_older(self) -> None:
        if self._position == len(self.asked):
            self._draft = self.value
        if self._position > 0:
            self._position -= 1
            self._show(self.asked[self._position])

    def action_newer(self) -> None:
        if self._position < len(self.asked):
            self._position += 1
            at_end = self._position == len(self.asked)
            self._show(self._draft if at_end else self.asked[self._position])

    def _show(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)
