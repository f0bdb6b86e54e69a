"""A run's events passed through while the history writes them down."""

import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from assistant.history import History
from assistant.results import Kind
from assistant.tasks.events import Checked, Finished, Retrieved, RunEvent, TextDelta

FLUSH_S = 0.5
FLUSH_DELTAS = 32
"""The streamed text is written every ``FLUSH_S`` seconds or ``FLUSH_DELTAS`` pieces."""


class Recording:
    """One entry being written while its task runs: iterate it for the task's events, passed
    through unchanged. The entry exists (``entry_id``) as soon as this is made, before the first
    event is asked for, so the query is kept whatever happens next."""

    def __init__(
        self,
        history: History,
        session_id: int,
        kind: Kind,
        query: str,
        options: Mapping[str, Any],
        events: AsyncGenerator[RunEvent, None],
        *,
        flush_s: float = FLUSH_S,
        flush_deltas: int = FLUSH_DELTAS,
    ) -> None:
        self.history = history
        self.entry_id = history.start(session_id, kind, query, options)
        self.text = ""
        self._events = events
        self._flush_s = flush_s
        self._flush_deltas = flush_deltas

    def __aiter__(self) -> AsyncIterator[RunEvent]:
        return self._run()

    async def _run(self) -> AsyncIterator[RunEvent]:
        finished = False
        pending, last = 0, time.monotonic()
        try:
            async for event in self._events:
                if isinstance(event, Retrieved):
                    self.history.retrieved(self.entry_id, event.sources)
                elif isinstance(event, TextDelta):
                    self.text += event.text
                    pending += 1
                    if pending >= self._flush_deltas or time.monotonic() - last >= self._flush_s:
                        self.history.progress(self.entry_id, self.text)
                        pending, last = 0, time.monotonic()
                elif isinstance(event, Finished):
                    self.history.finish(self.entry_id, event.result)
                    finished = True
                elif isinstance(event, Checked):
                    self.history.checked(self.entry_id, event.result, event.report.to_json())
                yield event
        except Exception as error:
            if not finished:
                self.history.progress(self.entry_id, self.text)
            self.history.fail(self.entry_id, str(error) or type(error).__name__)
            raise
        except BaseException:  # Ctrl-C, a cancelled worker, a consumer that stopped iterating
            if not finished:
                self.history.progress(self.entry_id, self.text)
                self.history.interrupt(self.entry_id)
            raise
        finally:
            await self._events.aclose()
        if not finished:
            self.history.progress(self.entry_id, self.text)
            self.history.interrupt(self.entry_id, "the task ended without a result")
