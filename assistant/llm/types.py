"""What the rest of citewise sees of a language model (nothing here imports ``openai``)."""

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclass(frozen=True)
class Delta:
    """A piece of the reply, as it streams."""

    text: str


@dataclass(frozen=True)
class Done:
    """The end of a reply."""

    usage: Usage
    finish_reason: str | None = None
    model: str = ""


StreamEvent = Delta | Done


@dataclass(frozen=True)
class ModelInfo:
    backend: Literal["openai", "local"]
    model: str
    base_url: str
    extra: dict[str, Any] = field(default_factory=dict)


class ChatModel(Protocol):
    """A chat model that streams. Implemented over the openai client in ``llm.client``, and by a
    scripted fake in the tests."""

    info: ModelInfo
    schema_refused: bool
    """The server refused a JSON schema once: ask it for prose from now on
    (``llm.structured_output``)."""

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """Yield ``Delta``s then one ``Done``. ``json_schema`` asks for structured output
        (``response_format`` json_schema); raises ``StructuredOutputUnsupported`` when the server
        refuses it, so the caller can fall back to citation markers. Failures raise ``LLMError``
        subclasses from ``assistant.errors``; a stream cut midway raises ``StreamInterrupted``
        after the deltas already yielded."""
        ...
