"""``citewise history``: sessions and their entries, newest first; ``history show ID`` prints
one entry again, as it was shown (text, sources, warnings, tokens)."""

import argparse
import json
from dataclasses import asdict
from typing import Any

from rich.markup import escape

from assistant.cli.console import err, out
from assistant.cli.output import excerpt, local_time, print_checks, print_sources, usage_line
from assistant.history import EntryRow, History, history_path
from assistant.llm.budget import Meter
from assistant.llm.types import Usage
from assistant.settings import Settings

QUERY_LABELS = {"answer": "Question", "draft": "Topic", "summary": "Focus"}
STATUS_STYLES = {"complete": "green", "incomplete": "yellow", "failed": "red", "running": "cyan"}
LISTED = ("id", "kind", "query", "status", "mode", "backend", "model", "created", "updated")
"""The fields of each entry in ``citewise history --json``."""


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    history = commands.add_parser(
        "history", parents=[common], help="past answers, drafts and summaries"
    )
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument(
        "-n", "--limit", type=int, default=20, help="sessions to list (default 20)"
    )
    history.set_defaults(handler=_list)
    actions = history.add_subparsers(title="actions", metavar="ACTION")
    show = actions.add_parser("show", parents=[common], help="print one entry again")
    show.add_argument("entry", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print the whole entry as JSON")
    show.set_defaults(handler=_show)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    if not history_path(settings.store).exists():
        if args.json:
            print("[]")
        else:
            out.print('No history yet: ask something with `citewise ask "..."`.')
        return 0
    with History.for_store(settings.store) as history:
        sessions = [(s, history.entries(s.id)[::-1]) for s in history.sessions(args.limit)]
    if args.json:
        listed = [
            asdict(s) | {"entries": [{k: getattr(e, k) for k in LISTED} for e in entries]}
            for s, entries in sessions
        ]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return 0
    for session, entries in sessions:
        out.print(
            f"[bold]Session {session.id}[/]  [dim]{local_time(session.updated)}[/]  "
            f"{escape(session.title)}",
            soft_wrap=True,
        )
        for entry in entries:
            style = STATUS_STYLES.get(entry.status, "bold")
            out.print(
                f"  #{entry.id:<5} {entry.kind:<8} [{style}]{entry.status:<10}[/] "
                f"{escape(excerpt(' '.join(entry.query.split()), 100))}",
                soft_wrap=True,
            )
    if sessions:
        out.print(
            "[dim]citewise history show ID prints an entry again; "
            'citewise ask --session N "..." continues a conversation.[/]',
            soft_wrap=True,
        )
    else:
        out.print("No history yet.")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    with History.for_store(settings.store) as history:
        entry = history.entry(args.entry)
    if args.json:
        print(json.dumps(entry.to_json(), indent=2, ensure_ascii=False))
        return 0
    style = STATUS_STYLES.get(entry.status, "bold")
    out.print(
        f"[bold]Entry {entry.id}[/] · {entry.kind} · [{style}]{entry.status}[/] · "
        f"{local_time(entry.created)} · session {entry.session_id}"
    )
    out.print(f"[bold]{QUERY_LABELS[entry.kind]}:[/] {escape(entry.query)}", soft_wrap=True)
    for line in _details(entry):
        out.print(line, style="dim", markup=False, soft_wrap=True)
    out.print()
    print(entry.text.rstrip("\n") if entry.text else "(no text)")
    print_sources(out, entry.sources, entry.cited)
    print_checks(entry)
    cost = Meter.from_settings(settings.llm).cost_of(
        Usage(entry.prompt_tokens, entry.completion_tokens)
    )
    usage = usage_line(entry, cost)
    if usage:
        err.print(usage, style="dim", markup=False, soft_wrap=True)
    return 0


def _details(entry: EntryRow) -> list[str]:
    if entry.mode == "evidence":
        lines = ["Mode: evidence (extracted from the abstracts, no language model)"]
    elif entry.model or entry.backend:
        lines = [f"Model: {entry.model} ({entry.backend})"]
    else:
        lines = []
    if entry.prompt_version:
        lines.append(f"Prompts: {entry.prompt_version}")
    options = dict(entry.options)
    abstract = options.pop("from_abstract", None)
    if options:
        lines.append("Options: " + ", ".join(f"{k}={v}" for k, v in options.items()))
    if abstract:
        lines.append(f"From the abstract: {excerpt(' '.join(str(abstract).split()), 200)}")
    return lines
