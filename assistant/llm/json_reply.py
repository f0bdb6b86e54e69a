"""One JSON reply from a chat model: asked with a JSON schema, read leniently.

The schema goes as ``response_format`` when the settings allow it (``structured_output``); a
server that refuses it is asked again without (the prompt itself describes the JSON), and that
refusal is remembered as it is for generation. Either way the reply is read the same way: a
code fence or prose around the JSON object is skipped, and a reply that is not the object asked
for gives None (the caller decides what an unanswered request means).
"""

from collections.abc import Sequence
from contextlib import aclosing
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import StructuredOutputUnsupported
from assistant.llm.structured_output import schema_refused, wants_schema
from assistant.llm.types import ChatModel, Delta, Done, Message, Usage
from assistant.settings import LLMSettings

Reply = TypeVar("Reply", bound=BaseModel)


async def ask_json(
    model: ChatModel,
    messages: Sequence[Message],
    schema: type[Reply],
    settings: LLMSettings,
    max_tokens: int,
) -> tuple[Reply | None, Usage]:
    """The reply read as ``schema`` (None when it is not one), and the tokens it took."""
    structured = wants_schema(model, settings)
    try:
        text, usage = await _collect(model, messages, max_tokens, schema if structured else None)
    except StructuredOutputUnsupported as error:
        if not structured:
            raise
        schema_refused(model, settings, error)
        text, usage = await _collect(model, messages, max_tokens, None)
    return parse_reply(text, schema), usage


def parse_reply(text: str, schema: type[Reply]) -> Reply | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return schema.model_validate_json(text[start : end + 1])
    except ValidationError:
        return None


async def _collect(
    model: ChatModel,
    messages: Sequence[Message],
    max_tokens: int,
    schema: type[BaseModel] | None,
) -> tuple[str, Usage]:
    parts: list[str] = []
    usage = Usage()
    stream = model.stream(
        list(messages),
        max_tokens=max_tokens,
        json_schema=schema.model_json_schema() if schema is not None else None,
    )
    async with aclosing(stream) as events:
        async for event in events:
            if isinstance(event, Delta):
                parts.append(event.text)
            elif isinstance(event, Done):
                usage = event.usage
    return "".join(parts), usage
