"""``record``: a task's events passed through while the history writes them down."""

import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from assistant.history.database import History
from assistant.tasks.types import Finished, Kind, Retrieved, TaskEvent, TextDelta

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
        events: AsyncIterator[TaskEvent],
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

    def __aiter__(self) -> AsyncIterator[TaskEvent]:
        return self._run()

    async def _run(self) -> AsyncIterator[TaskEvent]:
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
            close = getattr(self._events, "aclose", None)
            if close is not None:
                await close()
        if not finished:
            self.history.progress(self.entry_id, self.text)
            self.history.interrupt(self.entry_id, "the task ended without a result")


def record(
    history: History,
    session_id: int,
    kind: Kind,
    query: str,
    options: Mapping[str, Any],
    events: AsyncIterator[TaskEvent],
) -> Recording:
    """``events`` passed through while the history records them (shared by the CLI and TUI)."""
    return Recording(history, session_id, kind, query, options, events)
