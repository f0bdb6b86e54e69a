"""ask, draft, summarize and doctor: run a task, stream it, record it, print what it cited.

The text streams to stdout as it arrives (plain writes, flushed, so piping works); the sources
follow, numbered as the text cites them; warnings, the status, the token usage and the history
entry go to stderr. Every run is written to the history as it happens (``history.record``): the
entry exists, with the question, before the library or the model is opened, so a failure of
either is recorded too. ``-o FILE`` also saves the result as Markdown, LaTeX (FILE.tex and
FILE.bib) or plain text, by ``--format`` or the file's suffix; ``--format`` without ``-o`` prints
that document on stdout instead, and the live text goes to stderr. Exit status: 0 when the result
is complete, 1 when it is not (or failed).
"""

import argparse
import asyncio
import sys
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from assistant.citations.check import CheckedRun
from assistant.cli import check_command, scholarly_commands
from assistant.cli.console import err, out
from assistant.cli.library_commands import add_filter_arguments, filters_from, open_library
from assistant.cli.output import print_checks, print_sources, usage_line
from assistant.errors import AssistantError, InputError
from assistant.history import History, record
from assistant.library import Library
from assistant.llm.backend import open_model
from assistant.llm.budget import Meter
from assistant.llm.doctor import diagnose
from assistant.llm.types import ChatModel, Usage
from assistant.session import ExportFormat, Job, render, session_meter, write_export
from assistant.settings import Settings
from assistant.tasks import answer, draft, summarize
from assistant.tasks.types import Finished, TaskEvent, TaskResult, TextDelta

EVIDENCE_BANNER = (
    "No language model is configured: showing sentences extracted from the abstracts. "
    "To generate text: OPENAI_BASE_URL=http://HOST:PORT/v1 citewise {command} ... "
    "(or set OPENAI_API_KEY); `citewise doctor` shows what is set."
)
RECORDED = (
    "k",
    "year_from",
    "year_to",
    "tag",
    "collection",
    "paragraphs",
    "length",
    "papers",
    "session",
    "format",
    "output",
)
"""Command-line options kept with each history entry (never settings, so never a key)."""


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    ask = commands.add_parser(
        "ask", parents=[common], help="answer a question from your papers, with citations"
    )
    ask.add_argument("question")
    ask.add_argument(
        "--session", type=int, metavar="N", help="continue conversation N (`citewise history`)"
    )
    _task_arguments(ask)
    ask.set_defaults(handler=_ask)

    drafting = commands.add_parser(
        "draft", parents=[common], help="draft a related-work section, with citations"
    )
    drafting.add_argument("topic", nargs="?", default="")
    drafting.add_argument(
        "--from-abstract",
        type=Path,
        metavar="FILE",
        help="draft the related work for your own abstract (a text file, or - for stdin)",
    )
    drafting.add_argument("--paragraphs", type=int, default=2, help="paragraphs (themes)")
    drafting.add_argument(
        "--length",
        type=_length,
        default="medium",
        help="short, medium, long (about 80, 150, 250 words a paragraph) or a number of words",
    )
    _task_arguments(drafting)
    drafting.set_defaults(handler=_draft)

    summary = commands.add_parser(
        "summarize", parents=[common], help="summarise the papers a query finds, or named ones"
    )
    summary.add_argument("query", nargs="?", default="")
    summary.add_argument(
        "--paper",
        action="append",
        default=[],
        dest="papers",
        metavar="ID",
        help="summarise this paper (id, key, DOI or arXiv id; repeatable) instead of a search",
    )
    _task_arguments(summary)
    summary.set_defaults(handler=_summarize)

    doctor = commands.add_parser(
        "doctor", parents=[common], help="which language model is used, and whether it answers"
    )
    doctor.add_argument(
        "--start-local",
        action="store_true",
        help="start the local model server to check that it answers (slow)",
    )
    scholarly_commands.add_doctor_arguments(doctor)
    doctor.set_defaults(handler=_doctor)


def _task_arguments(parser: argparse.ArgumentParser) -> None:
    add_filter_arguments(parser, "papers to retrieve (default 10)")
    check_command.add_check_arguments(parser)
    parser.add_argument(
        "--format",
        choices=["md", "latex", "text"],
        help="export format (default: from the -o suffix, else md)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="also save the result there (latex: FILE.tex and FILE.bib)",
    )


# Commands


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    with History.for_store(settings.store) as history:
        turns = history.turns(history.session(args.session).id) if args.session else []
        options = answer.AnswerOptions(history=turns, k=args.k, filters=filters_from(args))

        def run(
            library: Library, model: ChatModel | None, meter: Meter
        ) -> AsyncIterator[TaskEvent]:
            return answer.run(library, args.question, model, settings, options, meter=meter)

        job = Job("answer", args.question, _recorded(args), run, args.session)
        return _run(args, settings, history, job)


def _draft(args: argparse.Namespace, settings: Settings) -> int:
    abstract = _read(args.from_abstract) if args.from_abstract else None
    query = args.topic.strip() or abstract or ""
    if not query:
        raise InputError("nothing to draft for", hint="give a topic or --from-abstract FILE")
    options = draft.DraftOptions(
        from_abstract=abstract,
        paragraphs=args.paragraphs,
        length=args.length,
        k=args.k,
        filters=filters_from(args),
    )

    def run(library: Library, model: ChatModel | None, meter: Meter) -> AsyncIterator[TaskEvent]:
        return draft.run(library, args.topic, model, settings, options, meter=meter)

    recorded = _recorded(args) | ({"from_abstract": abstract} if abstract else {})
    with History.for_store(settings.store) as history:
        return _run(args, settings, history, Job("draft", query, recorded, run))


def _summarize(args: argparse.Namespace, settings: Settings) -> int:
    query = args.query.strip()
    if not (query or args.papers):
        raise InputError("nothing to summarise", hint="give a query or --paper ID")
    options = summarize.SummaryOptions(paper_ids=args.papers, k=args.k, filters=filters_from(args))

    def run(library: Library, model: ChatModel | None, meter: Meter) -> AsyncIterator[TaskEvent]:
        return summarize.run(library, query, model, settings, options, meter=meter)

    title = query or "papers " + ", ".join(args.papers)
    with History.for_store(settings.store) as history:
        return _run(args, settings, history, Job("summary", title, _recorded(args), run))


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    diagnosis = asyncio.run(diagnose(settings.llm, start_local=args.start_local))
    for number, line in enumerate(diagnosis.lines()):
        out.print(line, markup=False, style="bold" if number == 0 else None, soft_wrap=True)
    apis_ok = scholarly_commands.print_doctor(settings, args.online)
    return 0 if diagnosis.ok and apis_ok else 1


# Running a task


def _run(args: argparse.Namespace, settings: Settings, history: History, job: Job) -> int:
    document = args.format is not None and args.output is None
    if document and args.format == "latex":
        raise InputError("--format latex writes a .tex and a .bib file", hint="give -o FILE")
    session = job.session or history.new_session(job.query)
    meter = session_meter(settings.llm, history, job.session)
    if settings.llm.active_backend() == "none":
        err.print(
            EVIDENCE_BANNER.format(command=args.command),
            markup=False,
            style="yellow",
            soft_wrap=True,
        )
    checks: list[CheckedRun] = []
    events = _events(job, settings, meter, check_command.wants_check(args, settings), checks)
    recording = record(history, session, job.kind, job.query, job.options, events)
    saved = f"Saved in the history: entry {recording.entry_id}, session {session}."
    if job.kind == "answer":
        saved += f' Follow up: citewise ask --session {session} "..."'
    try:
        result, error = asyncio.run(_stream(recording, sys.stderr if document else sys.stdout))
    except (AssistantError, KeyboardInterrupt):
        err.print(saved, style="dim", markup=False, soft_wrap=True)
        raise
    entry = history.entry(recording.entry_id)
    if entry.text.strip():
        print_sources(err if document else out, entry.sources, entry.cited)
    print_checks(entry, status=error is None)
    for run in checks:
        if run.report is not None:
            check_command.print_check_report(err, run.report)
    usage = usage_line(entry, meter.cost_of(Usage(entry.prompt_tokens, entry.completion_tokens)))
    if usage:
        err.print(usage, style="dim", markup=False, soft_wrap=True)
    if (document or args.output) and result.text.strip():
        _export(result, args.format, args.output)
    err.print(saved, style="dim", markup=False, soft_wrap=True)
    if error is not None:
        raise error
    return 0 if result.status == "complete" else 1


async def _events(
    job: Job, settings: Settings, meter: Meter, check: bool, checks: list[CheckedRun]
) -> AsyncIterator[TaskEvent]:
    """The task's events, the library and the model opened first (inside the recording);
    with ``check``, checked and repaired first (the run is appended to ``checks``)."""
    library = open_library(settings)
    async with open_model(settings.llm) as model:
        events: AsyncIterator[TaskEvent] = job.run(library, model, meter)
        if check:
            run = check_command.check_events(settings, library, model, events)
            checks.append(run)
            events = aiter(run)
        try:
            async for event in events:
                yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()


async def _stream(
    events: AsyncIterable[TaskEvent], live: TextIO
) -> tuple[TaskResult, AssistantError | None]:
    """Write the text as it arrives; the result, and the error a failed one ended with."""
    result: TaskResult | None = None
    last = "\n"
    try:
        async for event in events:
            if isinstance(event, TextDelta) and event.text:
                live.write(event.text)
                live.flush()
                last = event.text[-1]
            elif isinstance(event, Finished):
                result = event.result
    except AssistantError as error:
        if result is None:
            raise
        return result, error
    finally:
        if last != "\n":
            live.write("\n")
            live.flush()
    if result is None:
        raise InputError("the task ended without a result")
    return result, None


def _export(result: TaskResult, form: ExportFormat | None, path: Path | None) -> None:
    if path is None:
        sys.stdout.write(render(result, form or "md"))
        return
    written = write_export(result, path, form)
    err.print(f"Wrote {' and '.join(str(p) for p in written)}.", markup=False, soft_wrap=True)


def _read(path: Path) -> str:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the abstract {path}: {error}") from error
    if not text.strip():
        raise InputError(f"the abstract {path} is empty")
    return text.strip()


def _recorded(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name, None) for name in RECORDED}
    return {name: value for name, value in values.items() if value not in (None, [], "")}


def _length(value: str) -> str | int:
    if value in draft.WORDS:
        return value
    if value.isdigit() and int(value) >= 10:
        return int(value)
    raise argparse.ArgumentTypeError("short, medium, long, or a number of words (10 or more)")
