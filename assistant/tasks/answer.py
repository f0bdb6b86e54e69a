"""Answer a question from the library, every claim cited to a numbered source.

Follow-up questions pass the earlier turns as ``history``: the last question joins the search
query (so "and their limitations?" still finds the papers it is about) and the turns go to the
model in a ``<conversation>`` data block, their old citation numbers removed.
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
from assistant.tasks.prompt_data import conversation_block
from assistant.tasks.requests import AnswerRequest

EVIDENCE_SENTENCES = 5


async def run(
    library: Library,
    request: AnswerRequest,
    model: ChatModel | None = None,
    settings: Settings | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncGenerator[TaskEvent, None]:
    """Events of one answer; ``model=None`` is evidence mode (see ``tasks.generate``)."""
    settings = settings or library.settings
    question = request.question
    query = " ".join([*(q for q, _ in request.history[-1:]), question])
    hits = library.search(query, request.k, request.filters)
    plan = Plan(
        "answer",
        question,
        "answer",
        {"question": question, "history": conversation_block(request.history)},
    )

    def compose(sources: list[Source]) -> TaskResult:
        return evidence.extract(library.embedder, "answer", query, sources, EVIDENCE_SENTENCES)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event
