"""A modal asking for a path: to export to, or a file or folder of papers to add."""

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class PathPrompt(ModalScreen[Path | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self, title: str, hint: str, default: str = "", *, must_exist: bool = False
    ) -> None:
        super().__init__(classes="prompt")
        self.title_text, self.hint, self.default = title, hint, default
        self.must_exist = must_exist

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt--box"):
            yield Label(Content(self.title_text), classes="prompt--title")
            yield Input(value=self.default, id="path")
            yield Static(Content(self.hint), classes="prompt--hint")
            yield Static(id="problem", classes="prompt--problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        path = Path(text).expanduser() if text else None
        problem = self.problem(path)
        if problem:
            self.query_one("#problem", Static).update(Content(problem))
        else:
            self.dismiss(path)

    def problem(self, path: Path | None) -> str | None:
        if path is None:
            return "Type a path, or press Escape."
        if self.must_exist and not path.exists():
            return f"Nothing at {path}."
        if not self.must_exist and not path.parent.is_dir():
            return f"No folder {path.parent}."
        return None
