"""What every screen is given: the settings, the history and, once open, the workspace."""

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, StoreError
from assistant.history import History
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.corpus.paper import Paper
    from assistant.library import Library
    from assistant.llm.budget import Meter
    from assistant.session import ModelHolder


@dataclass(frozen=True)
class Workspace:
    """What the app opens in the background once its first screen shows."""

    library: "Library"
    models: "ModelHolder"
    meter: "Meter"
    """Tokens spent in this run of the app (and its cap, if one is set)."""


class Context:
    def __init__(self, settings: Settings, history: History) -> None:
        self.settings = settings
        self.history = history
        self.workspace: Workspace | None = None
        self.papers: list[Paper] = []
        """The library's papers, by title; kept current by the app."""
        self.error: AssistantError | None = None
        self._settled = asyncio.Event()

    def opened(self, workspace: Workspace, papers: "list[Paper]") -> None:
        self.workspace, self.papers = workspace, papers
        self._settled.set()

    def failed(self, error: AssistantError) -> None:
        self.error = error
        self._settled.set()

    def require(self) -> Workspace:
        """The workspace (for workers that run once it is open); raises if it is not."""
        if self.workspace is None:
            raise self.error or StoreError("the library is not open yet", hint="wait a moment")
        return self.workspace

    async def ready(self) -> Workspace:
        """The workspace, once open; raises why it could not be opened."""
        await self._settled.wait()
        return self.require()
