"""What every task shares: sources -> prompt -> streamed reply -> checked citations.

A task builds a ``Plan`` (its template and the values it fills) and its search hits, then hands
both to ``run_plan``, which yields the task's events:

- ``Retrieved`` once the sources are chosen (packed into the prompt budget with a model; all of
  them in evidence mode), then ``TextDelta``s, then exactly one ``Finished``.
- With a model, the reply is read as it streams. Structured output (``settings.llm.
  structured_output`` "auto" or "json_schema") asks for ``citations.structured.CitedTextOut``
  and shows its readable rendering, never raw JSON (a server that silently ignores the schema
  and sends prose is read as markers). With "auto", when the server refuses the schema
  (``StructuredOutputUnsupported``) the request is sent again asking for markers, and that model
  is asked for markers for the rest of the session; with "json_schema" the refusal is a failure.
  "markers" never asks for the schema (``llm.structured_output``). Either way only valid markers
  reach the user.
- A reply cut midway (``StreamInterrupted``) or stopped at ``answer_tokens`` ends ``incomplete``
  with its text and citations kept. Any other ``LLMError`` ends ``failed``: ``Finished`` comes
  first, carrying the partial result and the message, and then the error itself is raised so the
  caller can report it. Consume the events to the end to see it.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Protocol

from assistant.citations.markers import MarkerStream, Parsed
from assistant.citations.structured import ReplyStream, json_schema
from assistant.errors import LLMError, StreamInterrupted, StructuredOutputUnsupported
from assistant.index.tokens import count_tokens
from assistant.llm.budget import Meter, prompt_budget
from assistant.llm.structured_output import schema_refused, wants_schema
from assistant.llm.types import ChatModel, Delta, Done, Message, Usage
from assistant.prompts import Prompts, default_prompts
from assistant.results import Kind, Mode, Source, TaskResult
from assistant.retrieval import PaperHit
from assistant.settings import LLMSettings, Settings
from assistant.tasks.events import Finished, Retrieved, TaskEvent, TextDelta
from assistant.tasks.prompt_data import all_sources, packed_sources, sources_block

NO_SOURCES = "No paper in the library matches this, so there is nothing to cite."


@dataclass(frozen=True)
class Plan:
    kind: Kind
    query: str
    """What the result records as its query (the question, topic or focus)."""

    template: str
    values: Mapping[str, str] = field(default_factory=dict)
    """The template's values, all but ``sources`` and ``output_format`` (filled here)."""


Compose = Callable[[list[Source]], TaskResult]
"""Evidence mode: the result composed from the sources, without a language model."""


class _Reader(Protocol):
    def feed(self, piece: str) -> str: ...
    def close(self) -> str: ...
    def finish(self) -> Parsed: ...


async def run_plan(
    plan: Plan,
    hits: Sequence[PaperHit],
    model: ChatModel | None,
    settings: Settings,
    compose: Compose,
    meter: Meter | None = None,
) -> AsyncGenerator[TaskEvent, None]:
    if model is None or not hits:
        sources = all_sources(hits)
        yield Retrieved(sources)
        result = compose(sources) if sources else _nothing_found(plan, model)
        for line in result.text.splitlines(keepends=True):
            yield TextDelta(line)
        yield Finished(result)
        return
    prompts = default_prompts()
    budget = prompt_budget(settings.llm, fixed_tokens(plan, prompts))
    sources = packed_sources(hits, budget)
    yield Retrieved(sources)
    async for event in generate(model, plan, sources, settings.llm, meter, prompts):
        yield event


def fixed_tokens(plan: Plan, prompts: Prompts) -> int:
    """The prompt's tokens without its sources (with the longer of the two output formats)."""
    formats = (prompts["format_markers"].render(), prompts["format_json"].render())
    user = prompts[plan.template].render(
        sources=sources_block([]), output_format=max(formats, key=len), **plan.values
    )
    return count_tokens(prompts["system"].render()) + count_tokens(user)


def build_messages(
    plan: Plan, sources: Sequence[Source], structured: bool, prompts: Prompts
) -> list[Message]:
    output_format = prompts["format_json" if structured else "format_markers"].render()
    user = prompts[plan.template].render(
        sources=sources_block(sources), output_format=output_format, **plan.values
    )
    return [Message("system", prompts["system"].render()), Message("user", user)]


async def generate(
    model: ChatModel,
    plan: Plan,
    sources: list[Source],
    settings: LLMSettings,
    meter: Meter | None = None,
    prompts: Prompts | None = None,
) -> AsyncGenerator[TaskEvent, None]:
    """Stream the model's reply to the plan as events (see the module docstring)."""
    prompts = prompts or default_prompts()
    result = TaskResult(
        plan.kind, plan.query, "llm", sources, model=model.info.model, backend=model.info.backend
    )
    valid = {source.number for source in sources}
    structured = wants_schema(model, settings)
    reader: _Reader = MarkerStream(valid)
    prompt_tokens = 0
    try:
        while True:
            reader = ReplyStream(valid) if structured else MarkerStream(valid)
            messages = build_messages(plan, sources, structured, prompts)
            formats = "format_json" if structured else "format_markers"
            result.prompt_version = prompts.version("system", plan.template, formats)
            prompt_tokens = sum(count_tokens(m.content) for m in messages)
            if meter is not None:
                meter.check(prompt_tokens + settings.answer_tokens)
            try:
                async for text in _read(model, messages, structured, settings, reader, result):
                    result.text += text
                    yield TextDelta(text)
                break
            except StructuredOutputUnsupported as error:
                if not structured or result.raw:
                    raise
                schema_refused(model, settings, error)
                structured = False
    except StreamInterrupted as error:
        result.status, result.error = "incomplete", str(error)
    except LLMError as error:
        result.status, result.error = "failed", str(error)
        _account(result, meter, prompt_tokens)
        async for event in _end(result, reader):
            yield event
        raise
    _account(result, meter, prompt_tokens)
    async for event in _end(result, reader):
        yield event


def _account(result: TaskResult, meter: Meter | None, prompt_tokens: int) -> None:
    """Record the call's usage; estimated (cl100k) when the reply ended without reporting it."""
    if not result.raw and result.usage.total == 0:
        return  # nothing was generated, or the request never left
    if result.usage.total == 0:
        result.usage = Usage(prompt_tokens, count_tokens(result.raw))
    if meter is not None:
        meter.record(result.usage)


async def _read(
    model: ChatModel,
    messages: list[Message],
    structured: bool,
    settings: LLMSettings,
    reader: _Reader,
    result: TaskResult,
) -> AsyncIterator[str]:
    """The readable text of one request's reply; usage and status go on ``result``."""
    stream = model.stream(
        messages,
        max_tokens=settings.answer_tokens,
        json_schema=json_schema() if structured else None,
    )
    async with aclosing(stream) as events:
        async for event in events:
            if isinstance(event, Delta):
                result.raw += event.text
                text = reader.feed(event.text)
                if text:
                    yield text
            elif isinstance(event, Done):
                result.usage = event.usage
                result.model = event.model or result.model
                truncated = event.finish_reason == "length"
                result.status = "incomplete" if truncated else "complete"
                if truncated:
                    result.error = "the reply reached its length limit (llm.answer_tokens)"


async def _end(result: TaskResult, reader: _Reader) -> AsyncIterator[TaskEvent]:
    """The last events: what is still held back, then the checked sentences and status."""
    tail = reader.close()
    if tail:
        result.text += tail
        yield TextDelta(tail)
    parsed = reader.finish()
    result.sentences, result.invalid_citations = parsed.sentences, parsed.invalid
    result.structured = isinstance(reader, ReplyStream) and reader.structured
    if result.status == "running":
        result.status = "incomplete"
    yield Finished(result)


def _nothing_found(plan: Plan, model: ChatModel | None) -> TaskResult:
    mode: Mode = "llm" if model is not None else "evidence"
    return TaskResult(plan.kind, plan.query, mode, [], text=NO_SOURCES, status="complete")
