"""One JSON reply from a chat model: asked with a JSON schema, read leniently.

The schema goes as ``response_format`` when the settings allow it (``tasks.generate.wants_schema``);
a server that refuses it (``StructuredOutputUnsupported``) is asked again without, the prompt
itself describing the JSON. Either way the reply is read the same way: a code fence or prose
around the JSON object is skipped, and a reply that is not the object asked for gives None (the
caller decides what an unanswered request means).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import StructuredOutputUnsupported
from assistant.llm.types import ChatModel, Delta, Done, Message, Usage
from assistant.settings import LLMSettings
from assistant.tasks.generate import wants_schema

Reply = TypeVar("Reply", bound=BaseModel)

TEMPLATES = Path(__file__).with_name("prompts")


def template(name: str, **values: str) -> str:
    """``prompts/NAME.md`` of this package with each ``{placeholder}`` filled in one pass, so a
    value's own braces are never read as placeholders."""
    text = (TEMPLATES / f"{name}.md").read_text(encoding="utf-8")
    pieces = text.split("{")
    out = [pieces[0]]
    for piece in pieces[1:]:
        field, closing, rest = piece.partition("}")
        if closing and field in values:
            out.append(values[field] + rest)
        else:
            out.append("{" + piece)
    missing = [name for name in values if "{" + name + "}" not in text]
    if missing:
        raise ValueError(f"template {name} has no placeholder {missing}")
    return "".join(out)


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
    except StructuredOutputUnsupported:
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
    stream = model.stream(
        list(messages),
        max_tokens=max_tokens,
        json_schema=schema.model_json_schema() if schema is not None else None,
    )
    parts: list[str] = []
    usage = Usage()
    try:
        async for event in stream:
            if isinstance(event, Delta):
                parts.append(event.text)
            elif isinstance(event, Done):
                usage = event.usage
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    return "".join(parts), usage
