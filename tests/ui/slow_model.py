"""A scripted chat model that takes its time: a pause between pieces, and optionally a stall."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from assistant.llm.types import Delta, Message, StreamEvent
from tests.fakes import FakeChatModel


class SlowChatModel(FakeChatModel):
    """``FakeChatModel`` waiting ``delay`` seconds after each piece; after ``stall_after``
    pieces it stops sending (until cancelled), as a server that hangs midway."""

    def __init__(self, delay: float = 0.01, stall_after: int | None = None) -> None:
        super().__init__()
        self.delay, self.stall_after = delay, stall_after
        self.sent = 0

    async def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        async for event in super().stream(messages, max_tokens=max_tokens, json_schema=json_schema):
            if isinstance(event, Delta):
                if self.stall_after is not None and self.sent >= self.stall_after:
                    await asyncio.Event().wait()
                self.sent += 1
                await asyncio.sleep(self.delay)
            yield event
