"""Answer a question from the library, every claim cited to a numbered source.

Follow-up questions pass the earlier turns as ``history``: the last question joins the search
query (so "and their limitations?" still finds the papers it is about) and the turns go to the
model in a ``<conversation>`` data block, their old citation numbers removed.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from assistant.index.filters import Filters
from assistant.library import Library
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel
from assistant.settings import Settings
from assistant.tasks import evidence
from assistant.tasks.context import conversation_block
from assistant.tasks.generate import Plan, run_plan
from assistant.tasks.types import Source, TaskEvent, TaskResult

EVIDENCE_SENTENCES = 5


@dataclass(frozen=True)
class AnswerOptions:
    history: Sequence[tuple[str, str]] = ()
    """Earlier (question, answer) pairs of this conversation, oldest first."""

    k: int | None = None
    """Papers to retrieve (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None


async def run(
    library: Library,
    question: str,
    model: ChatModel | None = None,
    settings: Settings | None = None,
    options: AnswerOptions | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncIterator[TaskEvent]:
    """Events of one answer; ``model=None`` is evidence mode (see ``tasks.generate``)."""
    options = options or AnswerOptions()
    settings = settings or library.settings
    query = " ".join([*(q for q, _ in options.history[-1:]), question])
    hits = library.search(query, options.k, options.filters)
    plan = Plan(
        "answer",
        question,
        "answer",
        {"question": question, "history": conversation_block(options.history)},
    )

    def compose(sources: list[Source]) -> TaskResult:
        return evidence.extract(library.embedder, "answer", query, sources, EVIDENCE_SENTENCES)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event
