"""The chat model over ``openai.AsyncOpenAI``: OpenAI itself, or any OpenAI-compatible server.

Retries are the openai client's own: it retries 408, 409, 429, 5xx, timeouts and lost connections
``max_retries`` times, waiting what ``Retry-After`` (or ``retry-after-ms``) says when that is at
most two minutes, else an exponential backoff from 0.5 s to 8 s with jitter. What fails after
that is mapped to an ``LLMError`` with a message a person can act on (see ``failures``).
"""

import re
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import openai
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat
from pydantic import SecretStr

from assistant.errors import LLMError, StreamInterrupted, StructuredOutputUnsupported
from assistant.index.tokens import count_tokens
from assistant.llm.failures import explain, mentions, public_url
from assistant.llm.types import Delta, Done, Message, ModelInfo, StreamEvent, Usage

NO_KEY = "no-key"
"""Sent when no key is configured: local servers ignore it, the openai client insists on one."""

CONNECT_TIMEOUT_S = 10.0
PING_TIMEOUT_S = 3.0
TOKENS_PER_MESSAGE = 4
"""Chat-format overhead per message, as OpenAI documents it, for estimates when the server
reports no usage."""


@dataclass(frozen=True)
class _Dialect:
    """What this server accepts, learnt from its refusals."""

    stream_usage: bool = True
    max_completion_tokens: bool = False


class OpenAIChatModel:
    """A ``ChatModel`` over one OpenAI-compatible endpoint."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        timeout_s: float = 120.0,
        max_retries: int = 2,
        backend: Literal["openai", "local"] = "openai",
    ) -> None:
        self.info = ModelInfo(backend=backend, model=model, base_url=public_url(base_url))
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._dialect = _Dialect()
        self.schema_refused = False
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key.get_secret_value() if api_key else NO_KEY,
            timeout=openai.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S)),
            max_retries=max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAIChatModel(model={self.info.model!r}, base_url={self.info.base_url!r})"

    def use_model(self, model: str) -> None:
        """Talk to ``model`` from now on (used when the model is only known after asking)."""
        self.info = replace(self.info, model=model)

    async def aclose(self) -> None:
        await self._client.close()

    async def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        chunks = await self._open(messages, max_tokens, json_schema)
        parts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        model = self.info.model
        try:
            async for chunk in chunks:
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices[:1]:
                    if choice.delta is not None and choice.delta.content:
                        parts.append(choice.delta.content)
                        yield Delta(choice.delta.content)
                    finish = choice.finish_reason or finish
        except openai.OpenAIError as error:
            raise self._interrupted(parts, self._failure(error).message) from error
        finally:
            await chunks.close()
        if finish is None:
            raise self._interrupted(parts, f"{self.info.base_url} ended the reply before finishing")
        yield Done(usage or estimate_usage(messages, "".join(parts)), finish, model)

    async def list_models(self, *, timeout_s: float | None = None) -> list[str]:
        """The model names the server offers (``GET /models``)."""
        client = (
            self._client.with_options(timeout=timeout_s, max_retries=0)
            if timeout_s
            else self._client
        )
        try:
            page = await client.models.list()
        except openai.OpenAIError as error:
            raise self._failure(error) from error
        return [entry.id for entry in page.data]

    async def ping(self, timeout_s: float = PING_TIMEOUT_S) -> list[str]:
        """Whether the server answers, quickly and without retries: its models, or ``LLMError``."""
        return await self.list_models(timeout_s=timeout_s)

    async def _open(
        self, messages: list[Message], max_tokens: int, json_schema: dict[str, Any] | None
    ) -> openai.AsyncStream[ChatCompletionChunk]:
        """Start the streamed completion, adapting once per refused optional parameter."""
        while True:
            dialect = self._dialect
            try:
                return await self._create(messages, max_tokens, json_schema, dialect)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                if dialect.stream_usage and mentions(error, "stream_options", "include_usage"):
                    self._dialect = replace(dialect, stream_usage=False)
                elif not dialect.max_completion_tokens and mentions(error, "max_completion_tokens"):
                    self._dialect = replace(dialect, max_completion_tokens=True)
                elif json_schema is not None and mentions(error, "response_format", "json_schema"):
                    failure = self._failure(error)
                    raise StructuredOutputUnsupported(
                        f"{self.info.base_url} does not accept a JSON schema response format",
                        hint=f"the server said: {failure.message}",
                    ) from error
                else:
                    raise self._failure(error) from error
            except openai.NotFoundError as error:
                raise self._failure(error, available=await self._models_quietly()) from error
            except openai.OpenAIError as error:
                raise self._failure(error) from error

    async def _create(
        self,
        messages: list[Message],
        max_tokens: int,
        json_schema: dict[str, Any] | None,
        dialect: _Dialect,
    ) -> openai.AsyncStream[ChatCompletionChunk]:
        return await self._client.chat.completions.create(
            model=self.info.model,
            messages=[to_wire(message) for message in messages],
            stream=True,
            stream_options={"include_usage": True} if dialect.stream_usage else openai.omit,
            max_tokens=openai.omit if dialect.max_completion_tokens else max_tokens,
            max_completion_tokens=max_tokens if dialect.max_completion_tokens else openai.omit,
            response_format=schema_format(json_schema) if json_schema else openai.omit,
        )

    async def _models_quietly(self) -> list[str]:
        try:
            return await self.list_models(timeout_s=PING_TIMEOUT_S)
        except LLMError:
            return []

    def _failure(self, error: openai.OpenAIError, available: Sequence[str] = ()) -> LLMError:
        failure = explain(
            error,
            endpoint=self.info.base_url,
            secret=self._api_key.get_secret_value() if self._api_key else None,
            model=self.info.model,
            available=available,
            timeout_s=self._timeout_s,
        )
        return LLMError(failure.message, hint=failure.hint)

    @staticmethod
    def _interrupted(parts: list[str], why: str) -> StreamInterrupted:
        received = sum(len(part) for part in parts)
        return StreamInterrupted(
            f"the reply stopped after {received} characters: {why}",
            hint="what arrived is kept, marked incomplete; ask again to retry",
        )


def schema_format(json_schema: dict[str, Any]) -> ResponseFormat:
    """``response_format`` asking for ``json_schema``, strictly; named after its title."""
    title = str(json_schema.get("title") or "answer")
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", title)[:64] or "answer"
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": json_schema, "strict": True},
    }


def to_wire(message: Message) -> ChatCompletionMessageParam:
    if message.role == "system":
        return {"role": "system", "content": message.content}
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}


def estimate_usage(messages: Sequence[Message], completion: str) -> Usage:
    """cl100k counts, for servers that report no usage: close, not exact, for other tokenizers."""
    prompt = sum(count_tokens(message.content) + TOKENS_PER_MESSAGE for message in messages)
    return Usage(prompt_tokens=prompt + 3, completion_tokens=count_tokens(completion))
