"""ask, draft, summarize and doctor: parse, start the task on the runner, print what it yields.

The runner (``tasks.runner``) runs and records the task, and checks it with ``--check``. Here
the text streams to stdout as it arrives (plain writes, flushed, so piping works; with
``--check``, the checked text once it is checked); the sources follow, numbered as the text
cites them; warnings, the check's report, the status, the token usage and the history entry go
to stderr. ``-o FILE`` also saves the result as Markdown, LaTeX (FILE.tex and
FILE.bib) or plain text, by ``--format`` or the file's suffix; ``--format`` without ``-o`` prints
that document on stdout instead, and the live text goes to stderr; ``--json`` prints the history
entry as JSON (text, sentences, sources, the check's verdicts) the same way. Exit status: 0
when the result is complete, 1 when it is not (or failed).
"""

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from assistant.citations.check import CheckReport
from assistant.citations.export import ExportFormat, render, write_export
from assistant.cli import check_command, scholarly_commands
from assistant.cli.console import err, out
from assistant.cli.library_commands import add_filter_arguments, filters_from
from assistant.cli.output import print_checks, print_sources, usage_line
from assistant.errors import AssistantError, InputError
from assistant.history import History
from assistant.llm.types import Usage
from assistant.results import TaskResult
from assistant.settings import Settings
from assistant.tasks.events import Checked, Finished, RunEvent, TextDelta
from assistant.tasks.requests import WORDS, AnswerRequest, DraftRequest, SummaryRequest
from assistant.tasks.runner import Request, Runner, diagnose

EVIDENCE_BANNER = (
    "No language model is configured: showing sentences extracted from the abstracts. "
    "To generate text: OPENAI_BASE_URL=http://HOST:PORT/v1 citewise {command} ... "
    "(or set OPENAI_API_KEY); `citewise doctor` shows what is set."
)


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
        "--json",
        action="store_true",
        help="print the result as JSON once done (text, sentences with their verdicts, sources)",
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
    request = AnswerRequest(args.question, k=args.k, filters=filters_from(args))
    return _run(args, settings, request, args.session)


def _draft(args: argparse.Namespace, settings: Settings) -> int:
    abstract = _read(args.from_abstract) if args.from_abstract else None
    request = DraftRequest(
        args.topic, abstract, args.paragraphs, args.length, args.k, filters_from(args)
    )
    return _run(args, settings, request)


def _summarize(args: argparse.Namespace, settings: Settings) -> int:
    request = SummaryRequest(args.query, args.papers, args.k, filters_from(args))
    return _run(args, settings, request)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    diagnosis = asyncio.run(diagnose(settings, start_local=args.start_local))
    for number, line in enumerate(diagnosis.lines()):
        out.print(line, markup=False, style="bold" if number == 0 else None, soft_wrap=True)
    apis_ok = scholarly_commands.print_doctor(settings, args.online)
    return 0 if diagnosis.ok and apis_ok else 1


# Running a task


@dataclass
class _Shown:
    """What the command line saw of a run."""

    result: TaskResult
    report: CheckReport | None = None
    error: AssistantError | None = None


def _run(
    args: argparse.Namespace, settings: Settings, request: Request, session: int | None = None
) -> int:
    document = args.json or (args.format is not None and args.output is None)
    if args.format == "latex" and args.output is None:
        raise InputError("--format latex writes a .tex and a .bib file", hint="give -o FILE")
    if settings.llm.active_backend() == "none":
        err.print(
            EVIDENCE_BANNER.format(command=args.command),
            markup=False,
            style="yellow",
            soft_wrap=True,
        )
    check = check_command.wants_check(args, settings)
    extra = {"format": args.format, "output": args.output}
    with History.for_store(settings.store) as history:
        run = Runner(settings, history).start(
            request,
            session=session,
            check=check,
            repair=check and args.repair,
            judge=args.judge,
            extra={name: value for name, value in extra.items() if value is not None},
        )
        saved = f"Saved in the history: entry {run.entry_id}, session {run.session}."
        if isinstance(request, AnswerRequest):
            saved += f' Follow up: citewise ask --session {run.session} "..."'
        live = sys.stderr if document else sys.stdout
        try:
            shown = asyncio.run(_stream(run.events, live, check))
        except (AssistantError, KeyboardInterrupt):
            err.print(saved, style="dim", markup=False, soft_wrap=True)
            raise
        entry = history.entry(run.entry_id)
    if entry.text.strip():
        print_sources(err if document else out, entry.sources, entry.cited)
    print_checks(entry, status=shown.error is None)
    if shown.report is not None:
        check_command.print_check_report(err, shown.report)
    cost = run.meter.cost_of(Usage(entry.prompt_tokens, entry.completion_tokens))
    usage = usage_line(entry, cost)
    if usage:
        err.print(usage, style="dim", markup=False, soft_wrap=True)
    if args.json:
        print(json.dumps(entry.to_json(), indent=2, ensure_ascii=False, default=str))
    if (args.output or (document and not args.json)) and shown.result.text.strip():
        _export(shown.result, args.format, args.output)
    err.print(saved, style="dim", markup=False, soft_wrap=True)
    if shown.error is not None:
        raise shown.error
    return 0 if shown.result.status == "complete" else 1


async def _stream(events: AsyncIterable[RunEvent], live: TextIO, checking: bool) -> _Shown:
    """Write the text as it arrives (when checking: the checked text, once it is checked); what
    was shown, and the error a failed run ended with."""
    shown: _Shown | None = None
    written = ""

    def write(text: str) -> None:
        nonlocal written
        live.write(text)
        live.flush()
        written += text

    try:
        async for event in events:
            if isinstance(event, TextDelta) and event.text and not checking:
                write(event.text)
            elif isinstance(event, Finished):
                shown = _Shown(event.result)
            elif isinstance(event, Checked):
                shown = _Shown(event.result, event.report)
    except AssistantError as error:
        if shown is None:
            raise
        shown.error = error
    finally:
        if checking and shown is not None and not written:
            write(shown.result.text)  # not checked (failed, or nothing to check): as it is
        if written[-1:] not in ("", "\n"):
            write("\n")
    if shown is None:
        raise InputError("the task ended without a result")
    return shown


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


def _length(value: str) -> str | int:
    if value in WORDS:
        return value
    if value.isdigit() and int(value) >= 10:
        return int(value)
    raise argparse.ArgumentTypeError("short, medium, long, or a number of words (10 or more)")
