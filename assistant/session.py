"""A task run for a front end, the same for the command line and the terminal UI.

A ``Job`` is one answer, draft or summary to run: what the history records of it (kind, query,
options), the task to run, and the conversation it continues. ``start`` records it
(``history.record``): the entry exists, with the query, before the library or the model is opened,
so a failure of either is recorded too. ``ModelHolder`` keeps one chat model open for a long-lived
front end (the TUI asks many questions of one model; a local llama.cpp server starts once).

Also here, because both front ends need them and neither should hold the logic: exporting a
result to files, rebuilding a result from a history entry, reading back a result the user edited,
the abstract sentence closest to a claim, and the citation check of a result.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from assistant.citations.check import Checker as ResultChecker
from assistant.citations.check import make_judge
from assistant.citations.export import to_latex, to_markdown, to_plain
from assistant.citations.markers import parse_markers
from assistant.corpus.paper import Paper
from assistant.errors import InputError
from assistant.history import EntryRow, History, Recording, record
from assistant.index.embeddings import Embedder
from assistant.library import Library
from assistant.llm.budget import Meter
from assistant.llm.types import ChatModel, Usage
from assistant.sentences import split_sentences
from assistant.settings import LLMSettings, Settings
from assistant.tasks.types import (
    EVIDENCE_LABEL,
    CitedSentence,
    Kind,
    Source,
    TaskEvent,
    TaskResult,
)

ModelOpener = Callable[[], AbstractAsyncContextManager[ChatModel | None]]
"""Opens the chat model for a while (``llm.backend.open_model``); yields None in evidence mode."""

TaskRun = Callable[[Library, ChatModel | None, Meter], AsyncIterator[TaskEvent]]

ExportFormat = Literal["md", "latex", "text"]
FORMATS: dict[str, ExportFormat] = {".md": "md", ".markdown": "md", ".tex": "latex", ".txt": "text"}
"""The export format a file's suffix implies (anything else: Markdown)."""

SUFFIXES: dict[ExportFormat, str] = {"md": ".md", "latex": ".tex", "text": ".txt"}


@dataclass(frozen=True)
class Job:
    kind: Kind
    query: str
    options: dict[str, Any]
    """What the history keeps with the entry (never settings, so never a key)."""

    run: TaskRun
    session: int | None = None
    """The session it continues; None starts one, titled after the query."""


@dataclass(frozen=True)
class Started:
    session: int
    recording: Recording
    """Iterate it for the task's events; the history writes them as they pass."""


def start(
    history: History,
    job: Job,
    library: Callable[[], Library],
    model: ModelOpener,
    meter: Meter,
) -> Started:
    """The job's events, recorded; the library and the model are opened inside the recording."""
    session = job.session or history.new_session(job.query)
    events = _events(job, library, model, meter)
    return Started(session, record(history, session, job.kind, job.query, job.options, events))


async def _events(
    job: Job, library: Callable[[], Library], model: ModelOpener, meter: Meter
) -> AsyncIterator[TaskEvent]:
    opened = library()
    async with model() as chat:
        events = job.run(opened, chat, meter)
        try:
            async for event in events:
                yield event
        finally:
            await _close(events)


def session_meter(settings: LLMSettings, history: History, session: int | None) -> Meter:
    """A meter for a conversation: its cap and prices, and what its earlier entries spent."""
    meter = Meter.from_settings(settings)
    for earlier in history.entries(session) if session else []:
        meter.record(Usage(earlier.prompt_tokens, earlier.completion_tokens))
    return meter


async def _close(events: AsyncIterator[TaskEvent]) -> None:
    close: Callable[[], Awaitable[None]] | None = getattr(events, "aclose", None)
    if close is not None:
        await close()


class ModelHolder:
    """One chat model for a long-lived front end: opened on first use, in a task of its own that
    keeps it open (so the opener's context is entered and left in one task), until ``aclose``.
    A failed opening is retried at the next use."""

    def __init__(self, opener: ModelOpener) -> None:
        self._opener = opener
        self._task: asyncio.Task[None] | None = None
        self._opened: asyncio.Future[ChatModel | None] | None = None
        self._closing = asyncio.Event()

    async def get(self) -> ChatModel | None:
        opened = self._opened
        if opened is None or (opened.done() and opened.exception() is not None):
            opened = self._opened = asyncio.get_running_loop().create_future()
            self._closing = asyncio.Event()
            self._task = asyncio.create_task(self._hold(opened, self._closing))
        return await asyncio.shield(opened)

    @property
    def opened(self) -> bool:
        """Whether a model (or evidence mode) is open now."""
        opened = self._opened
        return opened is not None and opened.done() and opened.exception() is None

    def borrow(self) -> AbstractAsyncContextManager[ChatModel | None]:
        """The held model as an opener (``start``'s ``model``): borrowing never closes it."""

        @asynccontextmanager
        async def borrowed() -> AsyncIterator[ChatModel | None]:
            yield await self.get()

        return borrowed()

    async def aclose(self) -> None:
        self._closing.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        self._task, self._opened = None, None

    async def _hold(
        self, opened: "asyncio.Future[ChatModel | None]", closing: asyncio.Event
    ) -> None:
        try:
            async with self._opener() as model:
                opened.set_result(model)
                await closing.wait()
        except Exception as error:
            if not opened.done():
                opened.set_exception(error)
                opened.exception()  # retrieved here: a caller may never come to read it


# Exporting


def export_format(path: Path) -> ExportFormat:
    return FORMATS.get(path.suffix.lower(), "md")


def render(result: TaskResult, form: ExportFormat = "md") -> str:
    """The result as one document (LaTeX: the .tex text only)."""
    if form == "latex":
        return to_latex(result)[0]
    return to_markdown(result) if form == "md" else to_plain(result)


def write_export(result: TaskResult, path: Path, form: ExportFormat | None = None) -> list[Path]:
    """Write the result to ``path`` (LaTeX: PATH.tex and PATH.bib); the files written."""
    form = form or export_format(path)
    if form == "latex":
        base = path.with_suffix("") if path.suffix.lower() == ".tex" else path
        tex, bib = to_latex(result)
        return [_write(Path(f"{base}.tex"), tex), _write(Path(f"{base}.bib"), bib)]
    return [_write(path if path.suffix else path.with_suffix(SUFFIXES[form]), render(result, form))]


def _write(path: Path, text: str) -> Path:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from error
    return path


# Results again


def result_from_entry(entry: EntryRow, find: Callable[[str], Paper]) -> TaskResult:
    """A history entry as a task result (for exporting it again): its sources' papers are looked
    up with ``find``; a paper no longer in the library keeps the title and year recorded."""
    sources = []
    for record_ in entry.sources:
        try:
            paper = find(record_.paper_id)
        except InputError:
            paper = Paper(id=record_.paper_id, title=record_.title, year=record_.year)
        sources.append(Source(record_.number, paper, [], record_.score))
    return TaskResult(
        entry.kind,
        entry.query,
        "evidence" if entry.mode == "evidence" else "llm",
        sources,
        text=entry.text,
        sentences=list(entry.sentences),
        invalid_citations=list(entry.invalid_citations),
        headings=dict(entry.headings),
        model=entry.model,
        backend=entry.backend,
        prompt_version=entry.prompt_version,
        status=entry.status,
        error=entry.error,
    )


def edited(result: TaskResult, text: str) -> TaskResult:
    """The result with the user's own version of its text: sentences and citations read again
    (markers that point at no source are reported, as for a model's reply). An evidence-mode
    text keeps its layout: the label line, ``Theme: ...`` headings and one ``- `` bullet a line."""
    valid = {source.number for source in result.sources}
    evidence = result.mode == "evidence"
    headings: dict[int, str] = {}
    paragraphs: list[list[str]] = []
    for block in _blocks(text):
        if evidence and block.startswith("Theme: "):
            headings[len(paragraphs)] = block.removeprefix("Theme: ").strip()
            continue
        lines = [line.strip().removeprefix("- ") for line in block.splitlines() if line.strip()]
        paragraphs.append(lines if evidence else ["\n".join(lines)])
    sentences: list[CitedSentence] = []
    invalid: list[str] = []
    for number, pieces in enumerate(paragraphs):
        for piece in pieces:
            parsed = parse_markers(piece, valid)
            sentences.extend(replace(s, paragraph=number) for s in parsed.sentences)
            invalid.extend(marker for marker in parsed.invalid if marker not in invalid)
    return replace(
        result, text=text, sentences=sentences, invalid_citations=invalid, headings=headings
    )


def _blocks(text: str) -> list[str]:
    body = text.strip()
    if body.startswith(EVIDENCE_LABEL):
        body = body[len(EVIDENCE_LABEL) :]
    return [block.strip() for block in body.split("\n\n") if block.strip()]


# Evidence for a claim


def evidence_sentence(
    embedder: Embedder, claim: str, abstract: str
) -> tuple[list[str], int | None]:
    """The abstract's sentences, and which of them is closest to ``claim`` (None: no abstract)."""
    sentences = split_sentences(abstract)
    if not sentences or not claim.strip():
        return sentences, None
    vectors = embedder.embed([claim, *sentences])
    return sentences, int((vectors[1:] @ vectors[0]).argmax())


# Citation checking


@dataclass(frozen=True)
class SentenceChecks:
    """What a citation check says of a result, sentence by sentence."""

    verdicts: dict[int, str] = field(default_factory=dict)
    """By sentence index: 'supported', 'partial', 'unsupported' or 'contradicted'."""

    evidence: dict[tuple[int, int], int] = field(default_factory=dict)
    """(sentence index, source number) -> index of the abstract sentence that is the evidence."""

    notes: list[str] = field(default_factory=list)


SHOWN_VERDICTS = frozenset({"supported", "partial", "unsupported", "contradicted"})


async def check_result(
    library: Library, result: TaskResult, settings: Settings, model: ChatModel | None
) -> SentenceChecks:
    """Judge each sentence of ``result`` against the abstracts it cites
    (``citations.check``; the judge is the one ``settings.check`` chooses)."""
    judge = make_judge(settings, library.embedder, model)
    report = await ResultChecker(judge, library, suggestions=0).check_result(result)
    verdicts: dict[int, str] = {}
    evidence: dict[tuple[int, int], int] = {}
    for index, check in enumerate(report.sentences):
        if check.verdict in SHOWN_VERDICTS:
            verdicts[index] = check.verdict
        for found in check.evidence:
            number = found.citation.strip("[]")
            if number.isdigit():
                evidence[(index, int(number))] = found.index
    return SentenceChecks(verdicts, evidence, list(report.notes))
