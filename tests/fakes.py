"""Test doubles for remote or heavy components (never for the code under test)."""

import hashlib
import re
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.errors import LLMError, StreamInterrupted, StructuredOutputUnsupported
from assistant.llm.types import Delta, Done, Message, ModelInfo, StreamEvent, Usage


class HashEmbedder:
    """A deterministic bag-of-words embedding: fast, offline, similar texts get similar vectors."""

    def __init__(self, name: str = "hash-64", dimension: int = 64) -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                vectors[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        vectors /= norms
        return vectors


@dataclass
class ScriptedReply:
    """One reply of ``FakeChatModel``: its text (streamed in ``chunks`` pieces), and how it ends."""

    text: str
    chunk_size: int = 7
    finish_reason: str | None = "stop"
    interrupt_after: int | None = None
    """Raise ``StreamInterrupted`` after this many characters."""

    error: LLMError | None = None
    """Raise this before any text."""

    usage: Usage = field(default_factory=lambda: Usage(100, 20))


@dataclass(frozen=True)
class ChatCall:
    messages: list[Message]
    max_tokens: int
    json_schema: dict[str, Any] | None


class FakeChatModel:
    """A scripted ``ChatModel`` (simonw/llm's ``MockModel``): ``enqueue`` replies, read ``calls``.

    ``refuse_schema=True`` makes it raise ``StructuredOutputUnsupported`` whenever a JSON schema
    is asked for, as servers without structured output do.
    """

    def __init__(self, model: str = "fake-model", *, refuse_schema: bool = False) -> None:
        self.info = ModelInfo(backend="openai", model=model, base_url="http://fake.invalid/v1")
        self.refuse_schema = refuse_schema
        self.schema_refused = False
        self.replies: list[ScriptedReply] = []
        self.calls: list[ChatCall] = []

    def enqueue(self, text: str, **options: Any) -> ScriptedReply:
        reply = ScriptedReply(text, **options)
        self.replies.append(reply)
        return reply

    async def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        self.calls.append(ChatCall(list(messages), max_tokens, json_schema))
        if json_schema is not None and self.refuse_schema:
            raise StructuredOutputUnsupported("the server does not accept response_format")
        if not self.replies:
            raise AssertionError("FakeChatModel: no reply enqueued")
        reply = self.replies.pop(0)
        if reply.error is not None:
            raise reply.error
        end = len(reply.text) if reply.interrupt_after is None else reply.interrupt_after
        for start in range(0, end, reply.chunk_size):
            yield Delta(reply.text[start : min(start + reply.chunk_size, end)])
        if reply.interrupt_after is not None:
            raise StreamInterrupted("the connection dropped")
        yield Done(reply.usage, reply.finish_reason, self.info.model)
