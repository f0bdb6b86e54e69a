"""What every mode's screen has: the navigation bar, its body, the status bar and the footer."""

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from assistant.tui.context import Context
from assistant.tui.messages import Failed
from assistant.tui.widgets.nav_bar import NavBar
from assistant.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from assistant.tui.app import CitewiseApp


class ModeScreen(Screen[None]):
    MODE: ClassVar[str]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield StatusBar()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    @property
    def citewise(self) -> "CitewiseApp":
        return cast("CitewiseApp", self.app)

    def fail(self, error: BaseException) -> None:
        """Tell the user (a toast): what happened and what to do."""
        self.post_message(Failed(error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen failed unexpectedly: say so (the screen stays usable)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.fail(event.worker.error)

    def action_close_panel(self) -> None:
        """Escape with nothing running: close what is open (screens override)."""
