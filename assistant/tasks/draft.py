"""Draft related work for a topic, or for the user's own abstract, grouped by theme.

``paragraphs`` asks for that many paragraphs (one per theme; in evidence mode, that many themes
in the outline); ``length`` is "short", "medium" or "long" (about 80, 150 or 250 words a
paragraph) or a number of words a paragraph. With ``from_abstract`` the abstract is both the
search query and, inside a ``<subject>`` data block, what the section is written for.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from assistant.errors import InputError
from assistant.index.filters import Filters
from assistant.library import Library
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel
from assistant.settings import Settings
from assistant.tasks import evidence
from assistant.tasks.context import data_block
from assistant.tasks.generate import Plan, run_plan
from assistant.tasks.types import Source, TaskEvent, TaskResult

WORDS = {"short": 80, "medium": 150, "long": 250}


@dataclass(frozen=True)
class DraftOptions:
    from_abstract: str | None = None
    """The user's own abstract: related work is drafted for it (and searched with it)."""

    paragraphs: int = 2
    length: Literal["short", "medium", "long"] | int = "medium"
    k: int | None = None
    """Papers to retrieve (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None


async def run(
    library: Library,
    topic: str = "",
    model: ChatModel | None = None,
    settings: Settings | None = None,
    options: DraftOptions | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncIterator[TaskEvent]:
    """Events of one draft; ``model=None`` gives a themed outline (see ``tasks.generate``)."""
    options = options or DraftOptions()
    settings = settings or library.settings
    topic, abstract = topic.strip(), (options.from_abstract or "").strip()
    if not (topic or abstract):
        raise InputError("nothing to draft for", hint="give a topic or your abstract")
    if options.paragraphs < 1:
        raise InputError("a draft needs at least one paragraph")
    query = " ".join(part for part in (topic, abstract) if part)
    hits = library.search(query, options.k, options.filters)
    subject = data_block("subject", abstract, kind="abstract", title=topic) if abstract else ""
    words = WORDS[options.length] if isinstance(options.length, str) else options.length
    plan = Plan(
        "draft",
        topic or abstract,
        "draft",
        {
            "subject": subject or data_block("subject", topic, kind="topic"),
            "paragraphs": _count(options.paragraphs, "paragraph"),
            "length": f"about {words} words a paragraph",
        },
    )

    def compose(sources: list[Source]) -> TaskResult:
        return evidence.outline(library.embedder, query, sources, options.paragraphs)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
