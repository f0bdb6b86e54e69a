"""The Textual app: five modes over one library, the status bar's state, and the slow work that
belongs to no screen (opening the library, ingesting, the language-model set-up).

Screens run their tasks on the app's ``Runner`` (``tasks.runner``), which holds the library and
the language model; the app never opens either itself. The first screen shows at once; the
library (Chroma, the embedding model) opens in a thread worker behind it, loading the demo
corpus into an empty store with a progress bar. Escape stops whatever runs: a streaming answer,
a check, an ingest. Every few seconds a thread worker reads the store's generation token, so
that papers other processes write (``citewise ingest`` in another terminal, a colleague on a
shared server) show up in the library.
"""

import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from assistant import paths
from assistant.errors import AssistantError, IngestStopped, InputError, StoreError
from assistant.history import History
from assistant.settings import LLMSettings, Settings
from assistant.tasks.runner import Runner
from assistant.tui.commands import CitewiseCommands
from assistant.tui.context import Context
from assistant.tui.messages import (
    AddPapers,
    Failed,
    IngestProgress,
    LibraryChanged,
    Opened,
    OpenSession,
    ShowTopic,
    StoreChecked,
    TaskEnded,
)
from assistant.tui.screens.ask import AskScreen
from assistant.tui.screens.base import ModeScreen
from assistant.tui.screens.discover import DiscoverScreen
from assistant.tui.screens.doctor import Doctor
from assistant.tui.screens.draft import DraftScreen
from assistant.tui.screens.history import HistoryScreen
from assistant.tui.screens.library import LibraryScreen
from assistant.tui.screens.map import MapScreen

if TYPE_CHECKING:
    from assistant.index.ingest import IngestReport
    from assistant.library import Library
    from assistant.tasks.models import ModelOpener

MODES: dict[str, type[ModeScreen]] = {
    "ask": AskScreen,
    "library": LibraryScreen,
    "map": MapScreen,
    "draft": DraftScreen,
    "history": HistoryScreen,
    "discover": DiscoverScreen,
}
EMPTY_STORE = (
    "The store is empty: loading the demo corpus. Add your own papers in the Library (F2)."
)
STOPPABLE = frozenset({"task", "check", "ingest", "load", "map", "panel", "discover"})
"""Worker groups that Escape stops."""
WRITERS = frozenset({"load", "ingest", "remove"})
"""Worker groups that write the store from this app: the check for other writers waits."""
POLL_SECONDS = 3.0
"""How often the app checks whether another process wrote the store."""


def describe_backend(settings: LLMSettings) -> tuple[str, bool]:
    """The status bar's backend label before the model is opened, and whether that is evidence
    mode."""
    backend = settings.active_backend()
    if backend == "none":
        return "no language model", True
    if backend == "local":
        return f"local · {settings.gguf_path.name if settings.gguf_path else '?'}", False
    return f"openai · {settings.model or 'server default'}", False


class CitewiseApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "citewise"
    COMMANDS: ClassVar = App.COMMANDS | {CitewiseCommands}
    BINDINGS: ClassVar = [
        Binding("f1", "switch_mode('ask')", "Ask", show=False, tooltip="Ask your papers"),
        Binding("f2", "switch_mode('library')", "Library", show=False, tooltip="The papers"),
        Binding("f3", "switch_mode('map')", "Map", show=False, tooltip="Topics of the library"),
        Binding("f4", "switch_mode('draft')", "Draft", show=False, tooltip="Related work"),
        Binding("f5", "switch_mode('history')", "History", show=False, tooltip="Past sessions"),
        Binding("f6", "switch_mode('discover')", "Discover", show=False, tooltip="Papers beyond"),
        Binding("ctrl+l", "llm_setup", "LLM", tooltip="Which language model, and how to set one"),
        Binding("escape", "stop", "Stop", show=False, tooltip="Stop what runs; close the panel"),
    ]

    papers: reactive[int | None] = reactive(None)
    tokens = reactive(0)
    model_label = reactive("")
    evidence = reactive(False)
    progress: reactive[tuple[str, int, int, str] | None] = reactive(None)
    library_version = reactive(0)
    """Bumped whenever the library's papers change (screens that show them reload)."""

    def __init__(
        self,
        settings: Settings,
        library_factory: Callable[[], "Library"] | None = None,
        history: History | None = None,
        *,
        model_opener: "ModelOpener | None" = None,
        exit_when_ready: bool = False,
    ) -> None:
        """``library_factory`` and ``model_opener`` default to the configured ones."""
        super().__init__()
        history = history or History.for_store(settings.store)
        runner = Runner(settings, history, library_factory, model_opener, hold_model=True)
        self.context = Context(settings, history, runner)
        self.exit_when_ready = exit_when_ready
        self.times: dict[str, float] = {}
        self.generation = ""
        """The store's generation token when the papers shown were read."""
        self.shown_changes = 0
        """Library changes shown so far (a check begun before the latest one is stale)."""
        self.store_down = False
        self.poll: Timer | None = None
        for name, screen in MODES.items():
            self.add_mode(name, partial(screen, self.context))
        self.model_label, self.evidence = describe_backend(settings.llm)

    def on_mount(self) -> None:
        self.switch_mode("ask")
        self.load()

    def on_ready(self, _event: events.Ready) -> None:
        self.times["ready"] = time.time()

    async def on_unmount(self) -> None:
        if self.poll is not None:
            self.poll.stop()
        await self.context.runner.aclose()

    # Opening the library

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            # Chroma, the model client, markdown-it: imported here, off the event loop.
            from textual.widgets import Markdown  # noqa: F401

            import assistant.tasks.answer  # noqa: F401

            library = self.context.runner.library
            if library.count_chunks() == 0:
                self.call_from_thread(self.notify, EMPTY_STORE, title="Library")
                with suppress(IngestStopped):  # Escape: open what was loaded so far
                    self._ingest(library, [paths.DEMO_CORPUS_DIR])
            generation = library.generation()
            self.post_message(Opened(library.papers(), generation))
        except Exception as error:
            failed = as_assistant_error(error, "the library could not be opened")
            self.call_from_thread(self.context.failed, failed)
            self.post_message(Failed(error))
            if self.exit_when_ready:
                self.call_from_thread(self.exit, return_code=1)

    def on_opened(self, message: Opened) -> None:
        self.context.opened(message.papers)
        self.papers = len(message.papers)
        self.library_version += 1
        self.generation = message.generation
        self.poll = self.set_interval(POLL_SECONDS, self.poll_store, name="store check")
        self.times["loaded"] = time.time()
        if self.exit_when_ready:
            self.exit()

    # Adding and removing papers

    @on(AddPapers)
    def add_papers(self, message: AddPapers) -> None:
        if any(w.group in ("ingest", "load") and w.is_running for w in self.workers):
            self.notify("Papers are being added already; Escape stops that.", severity="warning")
        else:
            self.ingest(message.paths)

    @work(thread=True, exit_on_error=False, group="ingest")
    def ingest(self, sources: list[Path]) -> None:
        try:
            library = self.context.require().library
            report = self._ingest(library, sources)
            summary = (
                f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                f"{len(report.failed)} failed"
            )
            generation = library.generation()  # before the papers: no write missed
            self.post_message(LibraryChanged(library.papers(), summary, generation))
            for failure in report.failed[:3]:
                self.post_message(Failed(InputError(failure)))
        except Exception as error:
            self.post_message(Failed(error))

    def _ingest(self, library: "Library", sources: list[Path]) -> "IngestReport":
        worker = get_current_worker()

        def progress(phase: str, done: int, total: int, detail: str = "") -> None:
            if worker.is_cancelled:
                raise IngestStopped("adding papers was stopped", hint="papers written so far stay")
            self.post_message(IngestProgress(phase, done, total, detail))

        try:
            return library.ingest(sources, progress)
        finally:
            self.post_message(IngestProgress("", -1, 0))

    def on_ingest_progress(self, message: IngestProgress) -> None:
        if message.done < 0:
            self.progress = None
        else:
            self.progress = (message.phase, message.done, message.total, message.detail)

    def on_library_changed(self, message: LibraryChanged) -> None:
        self.context.papers = message.papers
        self.papers = len(message.papers)
        self.library_version += 1
        self.shown_changes += 1
        self.generation = message.generation or self.generation
        if message.summary:
            self.notify(message.summary, title="Library", markup=False)

    # Following other processes' writes

    def poll_store(self) -> None:
        """The timer's tick: check the store unless this app is writing it or checking still."""
        if not any(w.group in WRITERS | {"poll"} and not w.is_finished for w in self.workers):
            self.read_store(self.generation, self.shown_changes)

    @work(thread=True, exit_on_error=False, group="poll")
    def read_store(self, seen: str, since: int) -> None:
        """Read the store's generation token, and the papers only if it moved from ``seen``."""
        try:
            library = self.context.require().library
            generation = library.generation()
            papers = library.papers() if generation != seen else None
        except Exception as error:
            failed = as_assistant_error(error, "the store could not be read")
            self.post_message(StoreChecked(since, error=failed))
        else:
            self.post_message(StoreChecked(since, generation, papers))

    def on_store_checked(self, message: StoreChecked) -> None:
        if message.error is not None:
            if not self.store_down:  # one toast until the store answers again
                self.store_down = True
                error = message.error
                hint = f"\n{error.hint}" if error.hint else ""
                text = f"{error.message}{hint}\nThe library shown may be out of date."
                self.notify(text, title="Store", severity="warning", timeout=12, markup=False)
            return
        if self.store_down:
            self.store_down = False
            self.notify("The store answers again.", title="Store", markup=False)
        writing = any(w.group in WRITERS and not w.is_finished for w in self.workers)
        if message.papers is None or message.since != self.shown_changes or writing:
            return  # unchanged, or this app changed the library since: its papers are newer
        if message.papers == self.context.papers:  # this app's own write (a removal)
            self.generation = message.generation
        else:
            self.post_message(LibraryChanged(message.papers, "", message.generation))

    # What screens ask of the app

    async def on_show_topic(self, message: ShowTopic) -> None:
        await self.switch_mode("library")
        if isinstance(self.screen, LibraryScreen):
            self.screen.show_topic(message.label, message.paper_ids)

    async def on_open_session(self, message: OpenSession) -> None:
        kinds = {entry.kind for entry in self.context.history.entries(message.session_id)}
        mode = "draft" if kinds == {"draft"} else "ask"
        await self.switch_mode(mode)
        screen = self.screen
        if isinstance(screen, AskScreen | DraftScreen):
            screen.open_session(message.session_id)

    async def on_task_ended(self, _message: TaskEnded) -> None:
        runner = self.context.runner
        if runner.meter is not None:
            self.tokens = runner.meter.total.total
        opened = await runner.model_label()
        if opened is not None:
            label, self.evidence = opened
            if not self.evidence:
                self.model_label = label

    def on_failed(self, message: Failed) -> None:
        error = message.error
        if isinstance(error, AssistantError):
            text = error.message + (f"\n{error.hint}" if error.hint else "")
            self.notify(text, title=error.title, severity="error", timeout=12, markup=False)
        else:
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Unexpected error",
                severity="error",
                timeout=12,
                markup=False,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(Failed(event.worker.error))

    # Actions

    def action_llm_setup(self) -> None:
        self.push_screen(Doctor(self.context.runner))

    async def action_stop(self) -> None:
        running = [w for w in self.workers if w.group in STOPPABLE and w.is_running]
        for worker in running:
            worker.cancel()
        if not running:
            await self.screen.run_action("close_panel")


def as_assistant_error(error: BaseException, failed: str) -> AssistantError:
    """``error`` if it is one of ours; else a StoreError saying what ``failed``."""
    if isinstance(error, AssistantError):
        return error
    return StoreError(f"{failed}: {type(error).__name__}: {error}")
