"""The one runner of tasks: the command line and the terminal UI call it, and render what it
yields; neither opens a model nor re-implements a step.

A ``Runner`` serves one front end: the settings, the history, the library (opened once, when
first needed) and the chat model (opened for each run on the command line; held open for a
long-lived front end, ``hold_model``, so that the TUI asks many questions of one model and a
local llama.cpp server starts once). ``start(request)`` runs one answer, draft or summary:

1. its history entry is written first, with the query and options, before the library or the
   model is opened, so a failure of either is recorded too;
2. the task's events pass through as they happen: ``Retrieved``, ``TextDelta``s, ``Finished``;
3. when it is to be checked, the check follows: every sentence judged against the sources it
   cites (the judge ``check.judge`` or ``judge`` names), and, when asked to repair, the failing
   ones rewritten by the model (``check.max_rounds`` rounds) or dropped; then ``Checked`` with
   the report and the result as checked. A failed task is not checked.

The history records every step, verdicts included. ``check_result`` and ``check_file`` check a
text the user wrote; ``diagnose`` says which model is configured and whether it answers;
``closest_sentence`` finds the sentence of a text that a claim is closest to.

Nothing heavy is imported at start-up: the library (Chroma, the embedding model) and the model
client load when first used, so a TUI shows its first screen at once.
"""

import threading
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, aclosing, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.history import History
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel, Usage
from assistant.results import Kind, TaskResult
from assistant.settings import Settings
from assistant.tasks.events import RunEvent, TaskEvent
from assistant.tasks.models import ModelHolder, ModelOpener
from assistant.tasks.recording import Recording
from assistant.tasks.repair import checked
from assistant.tasks.requests import AnswerRequest, DraftRequest, SummaryRequest

if TYPE_CHECKING:
    from assistant.citations.check import Checker, CheckReport
    from assistant.citations.check.checker import Outside
    from assistant.library import Library
    from assistant.llm.doctor import Diagnosis
    from assistant.tasks.judge_choice import JudgeKind

Request = AnswerRequest | DraftRequest | SummaryRequest


@dataclass(frozen=True)
class Run:
    """One task run: iterate ``events``; the history writes them as they pass."""

    session: int
    entry_id: int
    events: AsyncIterable[RunEvent]
    meter: Meter
    """What the run's conversation has spent (its cap and prices included)."""


class Runner:
    def __init__(
        self,
        settings: Settings,
        history: History,
        library: "Callable[[], Library] | None" = None,
        models: ModelOpener | None = None,
        *,
        hold_model: bool = False,
    ) -> None:
        self.settings = settings
        self.history = history
        self._open_library = library or _library_opener(settings)
        self._library: Library | None = None
        self._opening = threading.Lock()
        opener = models or _model_opener(settings)
        self._holder = ModelHolder(opener) if hold_model else None
        self._opener: ModelOpener = self._holder.borrow if self._holder else opener
        self.meter: Meter | None = Meter.from_settings(settings.llm) if hold_model else None
        """A held model's spending over the runner's life (else each run's conversation)."""

    # The library

    @property
    def library(self) -> "Library":
        """The library, opened on first use (from any thread: once)."""
        with self._opening:
            if self._library is None:
                self._library = self._open_library()
            return self._library

    @property
    def library_open(self) -> bool:
        return self._library is not None

    # Tasks

    def start(
        self,
        request: Request,
        *,
        session: int | None = None,
        check: bool = False,
        repair: bool = False,
        judge: "JudgeKind | None" = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Run:
        """Run ``request`` (continuing conversation ``session``, else starting one), checked
        and repaired when asked: see the module docstring. ``extra`` options are recorded with
        the entry (never settings)."""
        kind, title = describe(request)
        session_id = session or self.history.new_session(title)
        if isinstance(request, AnswerRequest) and session:
            request = replace(request, history=self.history.turns(session))
        meter = self.meter or self.conversation_meter(session)
        options = recorded(request, session) | dict(extra or {})
        rounds = self.settings.check.max_rounds if repair else None
        events = self._events(request, meter, check, rounds, judge)
        recording = Recording(self.history, session_id, kind, title, options, events)
        return Run(session_id, recording.entry_id, recording, meter)

    def conversation_meter(self, session: int | None) -> Meter:
        """A meter for a conversation: its cap and prices, and what its entries spent."""
        meter = Meter.from_settings(self.settings.llm)
        for earlier in self.history.entries(session) if session else []:
            meter.record(Usage(earlier.prompt_tokens, earlier.completion_tokens))
        return meter

    async def _events(
        self,
        request: Request,
        meter: Meter,
        check: bool,
        rounds: int | None,
        judge: "JudgeKind | None",
    ) -> AsyncGenerator[RunEvent, None]:
        library = self.library
        async with self._opener() as model:
            events: AsyncGenerator[RunEvent, None] = _task(
                request, library, model, self.settings, meter
            )
            if check:
                checker = self._checker(library, model, judge)
                events = checked(events, checker, model, self.settings.llm, rounds)
            async with aclosing(events) as running:
                async for event in running:
                    yield event

    # Checking what the user wrote

    async def check_result(
        self, result: TaskResult, judge: "JudgeKind | None" = None
    ) -> "CheckReport":
        """``result`` (the user's edit of one) judged against its numbered sources."""
        async with self._judge_model(judge) as model:
            return await self._checker(self.library, model, judge).check_result(result)

    async def check_file(
        self,
        path: Path,
        bib: Sequence[Path] = (),
        judge: "JudgeKind | None" = None,
        suggestions: int | None = None,
    ) -> "CheckReport":
        """A Markdown or LaTeX draft checked against what it cites (``citations.check``)."""
        from assistant.citations.check import check_file
        from assistant.tasks.judge_choice import make_judge

        count = self.settings.check.suggestions if suggestions is None else suggestions
        library = self.library
        outside = self._outside(library) if count else None
        async with self._judge_model(judge) as model:
            chosen = make_judge(self.settings, library.embedder, model, judge)
            passages = self.settings.check.body_passages
            return await check_file(path, chosen, library, bib, count, outside, passages)

    def _outside(self, library: "Library") -> "Outside | None":
        """Papers outside the library suggested too, when ``scholarly.suggest_in_check``."""
        if not self.settings.scholarly.suggest_in_check:
            return None
        from assistant.scholarly.clients import Apis
        from assistant.scholarly.suggest import OutsideSuggester

        return OutsideSuggester(library, Apis.open(self.settings.scholarly))

    def _checker(
        self, library: "Library", model: ChatModel | None, judge: "JudgeKind | None"
    ) -> "Checker":
        from assistant.citations.check import Checker
        from assistant.tasks.judge_choice import make_judge

        chosen = make_judge(self.settings, library.embedder, model, judge)
        check = self.settings.check
        return Checker(chosen, library, check.suggestions, body_passages=check.body_passages)

    def _judge_model(
        self, judge: "JudgeKind | None"
    ) -> AbstractAsyncContextManager[ChatModel | None]:
        """The model, unless the judge is the offline one (then none is opened)."""
        kind = judge or self.settings.check.judge
        offline = self.settings.llm.active_backend() == "none"
        if kind == "offline" or (kind == "auto" and offline):
            return nullcontext(None)
        return self._opener()

    # Smaller questions

    async def diagnose(self, start_local: bool = False) -> "Diagnosis":
        return await diagnose(self.settings, start_local)

    def closest_sentence(self, claim: str, text: str) -> tuple[list[str], int | None]:
        """``text``'s sentences, and which of them is closest to ``claim`` (None: none)."""
        from assistant.tasks.evidence import closest_sentence

        return closest_sentence(self.library.embedder, claim, text)

    async def model_label(self) -> tuple[str, bool] | None:
        """The held model as the status bar names it, and whether that is evidence mode; None
        until it has been opened."""
        if self._holder is None or not self._holder.opened:
            return None
        model = await self._holder.get()
        if model is None:
            return "no language model", True
        return f"{model.info.backend} · {model.info.model}", False

    async def aclose(self) -> None:
        """Close the held model (and stop a local server)."""
        if self._holder is not None:
            await self._holder.aclose()


async def diagnose(settings: Settings, start_local: bool = False) -> "Diagnosis":
    """Which language model is configured, and whether it answers (``citewise doctor``)."""
    from assistant.llm.doctor import diagnose as ask_the_model

    return await ask_the_model(settings.llm, start_local=start_local)


def describe(request: Request) -> tuple[Kind, str]:
    """The kind of entry a request makes, and its title in the history."""
    if isinstance(request, AnswerRequest):
        return "answer", request.question
    if isinstance(request, DraftRequest):
        return "draft", request.title
    return "summary", request.title


def recorded(request: Request, session: int | None) -> dict[str, Any]:
    """The options the history keeps with the entry: what the request set, nothing else."""
    values: dict[str, Any] = {"k": request.k, "session": session}
    if request.filters is not None:
        values |= {
            "year_from": request.filters.year_from,
            "year_to": request.filters.year_to,
            "tag": request.filters.tag,
            "collection": request.filters.collection,
        }
    if isinstance(request, DraftRequest):
        values |= {
            "paragraphs": request.paragraphs,
            "length": request.length,
            "from_abstract": request.from_abstract,
        }
    if isinstance(request, SummaryRequest):
        values["papers"] = list(request.paper_ids)
    return {name: value for name, value in values.items() if value not in (None, [], "")}


def _task(
    request: Request,
    library: "Library",
    model: ChatModel | None,
    settings: Settings,
    meter: Meter,
) -> AsyncGenerator[TaskEvent, None]:
    from assistant.tasks import answer, draft, summarize

    if isinstance(request, AnswerRequest):
        return answer.run(library, request, model, settings, meter=meter)
    if isinstance(request, DraftRequest):
        return draft.run(library, request, model, settings, meter=meter)
    return summarize.run(library, request, model, settings, meter=meter)


def _library_opener(settings: Settings) -> "Callable[[], Library]":
    def open_library() -> "Library":
        from assistant.library import Library

        return Library(settings)

    return open_library


def _model_opener(settings: Settings) -> ModelOpener:
    def open_configured() -> AbstractAsyncContextManager[ChatModel | None]:
        from assistant.llm.backend import open_model

        return open_model(settings.llm)

    return open_configured
