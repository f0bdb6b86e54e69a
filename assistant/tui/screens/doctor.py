"""The language-model set-up (``citewise doctor``): which backend, whether it answers, and what to
set to change it."""

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from assistant.tasks.runner import Runner


class Doctor(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "dismiss(None)", "Close")]

    def __init__(self, runner: Runner) -> None:
        super().__init__(classes="prompt")
        self.runner = runner

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="prompt--box doctor"):
            yield Label("Language model", classes="prompt--title")
            yield Static("Asking the configured server…", id="lines")
            yield Static(
                "Set these in the environment (or the config file) and restart citewise.",
                classes="prompt--hint",
            )

    def on_mount(self) -> None:
        self.diagnose()

    @work(exclusive=True, exit_on_error=False, group="doctor")
    async def diagnose(self) -> None:
        lines = self.query_one("#lines", Static)
        try:
            diagnosis = await self.runner.diagnose()
        except Exception as error:  # the diagnosis itself failed: say so, in the modal
            lines.update(Content(f"The check failed: {type(error).__name__}: {error}"))
            return
        lines.update(Content("\n".join(diagnosis.lines())))
