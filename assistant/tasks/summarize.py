"""Summarise papers with citations: the papers a search finds, or papers named by id.

Named papers (``paper_ids``: ids or unique id prefixes, citation keys, DOIs, arXiv ids) are
summarised as a set, in the order given; a query with them becomes the summary's focus.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from assistant.errors import InputError
from assistant.index.filters import Filters
from assistant.library import Library
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel
from assistant.settings import Settings
from assistant.tasks import evidence
from assistant.tasks.context import data_block, hits_for
from assistant.tasks.generate import Plan, run_plan
from assistant.tasks.types import Source, TaskEvent, TaskResult


@dataclass(frozen=True)
class SummaryOptions:
    paper_ids: Sequence[str] = ()
    """Summarise these papers (any reference ``Library.find`` accepts) instead of a search."""

    k: int | None = None
    """Papers to retrieve for a query (unset: ``settings.retrieval.k``)."""

    filters: Filters | None = None


async def run(
    library: Library,
    query: str = "",
    model: ChatModel | None = None,
    settings: Settings | None = None,
    options: SummaryOptions | None = None,
    *,
    meter: Meter | None = None,
) -> AsyncIterator[TaskEvent]:
    """Events of one summary; ``model=None`` is evidence mode (see ``tasks.generate``)."""
    options = options or SummaryOptions()
    settings = settings or library.settings
    query = query.strip()
    if options.paper_ids:
        hits = hits_for(library, options.paper_ids)
    elif query:
        hits = library.search(query, options.k, options.filters)
    else:
        raise InputError("nothing to summarise", hint="give a query or paper ids")
    plan = Plan("summary", query, "summarize", {"focus": data_block("focus", query)})

    def compose(sources: list[Source]) -> TaskResult:
        count = min(max(5, 2 * len(sources)), 12)
        return evidence.extract(library.embedder, "summary", query, sources, count)

    async for event in run_plan(plan, hits, model, settings, compose, meter):
        yield event
