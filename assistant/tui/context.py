"""What every screen is given: the settings, the history, the runner, and the papers shown."""

import asyncio
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, StoreError
from assistant.history import History
from assistant.settings import Settings
from assistant.tasks.runner import Runner

if TYPE_CHECKING:
    from assistant.corpus.paper import Paper


class Context:
    def __init__(self, settings: Settings, history: History, runner: Runner) -> None:
        self.settings = settings
        self.history = history
        self.runner = runner
        """Runs the tasks, and opens the library and the model: screens ask it, never those."""

        self.papers: list[Paper] = []
        """The library's papers, by title; kept current by the app."""
        self.error: AssistantError | None = None
        self._settled = asyncio.Event()

    @property
    def is_open(self) -> bool:
        return self._settled.is_set() and self.error is None

    def opened(self, papers: "list[Paper]") -> None:
        self.papers = papers
        self._settled.set()

    def failed(self, error: AssistantError) -> None:
        self.error = error
        self._settled.set()

    def require(self) -> Runner:
        """The runner, its library open (for workers that run once it is); raises if not."""
        if not self.is_open:
            raise self.error or StoreError("the library is not open yet", hint="wait a moment")
        return self.runner

    async def ready(self) -> Runner:
        """The runner once its library is open; raises why it could not be opened."""
        await self._settled.wait()
        return self.require()
