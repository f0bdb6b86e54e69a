"""The chat model a front end runs its tasks with: opened per run, or held open for a session.

``ModelOpener`` opens the configured model for a while (``llm.backend.open_model``; it yields
None in evidence mode). ``ModelHolder`` keeps one open for a long-lived front end: the TUI asks
many questions of one model, and a local llama.cpp server starts once.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from assistant.llm.types import ChatModel

ModelOpener = Callable[[], AbstractAsyncContextManager[ChatModel | None]]
"""Opens the chat model for a while (``llm.backend.open_model``); yields None in evidence mode."""


class ModelHolder:
    """One chat model for a long-lived front end: opened on first use, in a task of its own that
    keeps it open (so the opener's context is entered and left in one task), until ``aclose``.
    A failed opening is retried at the next use."""

    def __init__(self, opener: ModelOpener) -> None:
        self._opener = opener
        self._task: asyncio.Task[None] | None = None
        self._opened: asyncio.Future[ChatModel | None] | None = None
        self._closing = asyncio.Event()

    async def get(self) -> ChatModel | None:
        opened = self._opened
        if opened is None or (opened.done() and opened.exception() is not None):
            opened = self._opened = asyncio.get_running_loop().create_future()
            self._closing = asyncio.Event()
            self._task = asyncio.create_task(self._hold(opened, self._closing))
        return await asyncio.shield(opened)

    @property
    def opened(self) -> bool:
        """Whether a model (or evidence mode) is open now."""
        opened = self._opened
        return opened is not None and opened.done() and opened.exception() is None

    def borrow(self) -> AbstractAsyncContextManager[ChatModel | None]:
        """The held model as an opener (``start``'s ``model``): borrowing never closes it."""

        @asynccontextmanager
        async def borrowed() -> AsyncIterator[ChatModel | None]:
            yield await self.get()

        return borrowed()

    async def aclose(self) -> None:
        self._closing.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        self._task, self._opened = None, None

    async def _hold(
        self, opened: "asyncio.Future[ChatModel | None]", closing: asyncio.Event
    ) -> None:
        try:
            async with self._opener() as model:
                opened.set_result(model)
                await closing.wait()
        except Exception as error:
            if not opened.done():
                opened.set_exception(error)
                opened.exception()  # retrieved here: a caller may never come to read it
