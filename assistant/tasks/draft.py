"""Draft related work for a topic, or for the user's own abstract, grouped by theme.

``paragraphs`` asks for that many paragraphs (one per theme; in evidence mode, that many themes
in the outline); ``length`` is "short", "medium" or "long" (about 80, 150 or 250 words a
paragraph) or a number of words a paragraph. With ``from_abstract`` the abstract is both the
search query and, inside a ``<subject>`` data block, what the section is written for.
"""

from collections.abc import AsyncGenerator

from assistant.library import Library
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel
from assistant.results import Source, TaskResult
from assistant.settings import Settings
from assistant.tasks import evidence
from assistant.tasks.events import TaskEvent
from assistant.tasks.generate import Plan, run_plan
from assistant.tasks.prompt_data import data_block
from assistant.tasks.requests import WORDS, DraftRequest


async def run(
    library: Library,
    request: DraftRequest,
    model: ChatModel | None = None,
    settings: Settings | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncGenerator[TaskEvent, None]:
    """Events of one draft; ``model=None`` gives a themed outline (see ``tasks.generate``)."""
    settings = settings or library.settings
    topic, abstract = request.topic.strip(), (request.from_abstract or "").strip()
    query = " ".join(part for part in (topic, abstract) if part)
    hits = library.search(query, request.k, request.filters)
    subject = data_block("subject", abstract, kind="abstract", title=topic) if abstract else ""
    words = WORDS[request.length] if isinstance(request.length, str) else request.length
    plan = Plan(
        "draft",
        request.title,
        "draft",
        {
            "subject": subject or data_block("subject", topic, kind="topic"),
            "paragraphs": _count(request.paragraphs, "paragraph"),
            "length": f"about {words} words a paragraph",
        },
    )

    def compose(sources: list[Source]) -> TaskResult:
        return evidence.outline(library.embedder, query, sources, request.paragraphs)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
