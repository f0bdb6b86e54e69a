"""Summarise papers with citations: the papers a search finds, or papers named by id.

Named papers (``paper_ids``: ids or unique id prefixes, citation keys, DOIs, arXiv ids) are
summarised as a set, in the order given; a query with them becomes the summary's focus.
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
from assistant.tasks.prompt_data import data_block, hits_for
from assistant.tasks.requests import SummaryRequest


async def run(
    library: Library,
    request: SummaryRequest,
    model: ChatModel | None = None,
    settings: Settings | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncGenerator[TaskEvent, None]:
    """Events of one summary; ``model=None`` is evidence mode (see ``tasks.generate``)."""
    settings = settings or library.settings
    query = request.query.strip()
    if request.paper_ids:
        hits = hits_for(library, request.paper_ids)
    else:
        hits = library.search(query, request.k, request.filters)
    plan = Plan("summary", query, "summarize", {"focus": data_block("focus", query)})

    def compose(sources: list[Source]) -> TaskResult:
        count = min(max(5, 2 * len(sources)), 12)
        return evidence.extract(library.embedder, "summary", query, sources, count)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event
