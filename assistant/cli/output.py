"""What the command line prints: the two consoles, the progress bar, and the reports."""

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.cli.console import err, out
from assistant.history import EntryRow, SourceRecord
from assistant.index.ingest import IngestReport
from assistant.progress import Progress as Report

PHASES = {"read": "Reading files", "embed": "Embedding papers"}


@contextmanager
def progress(phases: Mapping[str, str] = PHASES) -> Iterator[Report]:
    """A bar per phase (``phases`` names them): done of total, the detail the work gives, time
    spent and an estimate of the time left."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}", style="dim"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int, detail: str = "") -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phases.get(phase, phase), total=total, detail="")
        bar.update(tasks[phase], completed=done, total=total, detail=detail)

    with bar:
        yield update


def print_report(report: IngestReport) -> None:
    out.print(
        f"[bold]{report.added}[/] added, [bold]{report.updated}[/] updated, "
        f"[bold]{report.unchanged}[/] unchanged, [bold]{report.removed}[/] removed, "
        f"[bold]{len(report.failed)}[/] failed "
        f"({report.records} records from {report.files_read} files"
        + (f", {report.pages_read} PDF pages" if report.pages_read else "")
        + f"; {report.chunks_embedded} chunks embedded)."
    )
    if report.without_abstract:
        out.print(
            f"[yellow]{report.without_abstract} new papers have no abstract[/]: "
            "they are found by title only."
        )
    for failure in report.failed[:50]:
        err.print(f"  [red]failed[/] {escape(failure)}")
    if len(report.failed) > 50:
        err.print(f"  … and {len(report.failed) - 50} more failures.")
    for caveat in report.caveats[:20]:
        err.print(f"  [yellow]note[/] {escape(caveat)}")
    if len(report.caveats) > 20:
        err.print(f"  … and {len(report.caveats) - 20} more notes.")
    if report.skipped:
        err.print(
            f"  [dim]skipped {len(report.skipped)} files in no known format "
            f"(e.g. {escape(report.skipped[0])})[/]"
        )


def excerpt(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


# Task results (live, and again from the history)


def print_sources(
    console: Console, sources: Sequence[SourceRecord], cited: Collection[int]
) -> None:
    """The sources by the numbers the text cites them with; those it does not cite are dimmed."""
    if not sources:
        return
    console.print("\n[bold]Sources[/]")
    for source in sources:
        year = f" ({source.year})" if source.year else ""
        flag = " [bold red]retracted[/]" if source.retracted else ""
        line = f"[{source.number}] {escape(source.title)}{year}{flag}  [dim]{source.paper_id}[/]"
        console.print(
            f"  {line}" if source.number in cited else f"  [dim]{line} (not cited)[/]",
            soft_wrap=True,
        )


def print_checks(entry: EntryRow, *, status: bool = True) -> None:
    """Warnings: citations removed, and the status when the entry did not complete."""
    if entry.invalid_citations:
        markers = ", ".join(entry.invalid_citations)
        err.print(
            f"[yellow]Removed {len(entry.invalid_citations)} citation(s) to sources that were "
            f"not given:[/] {escape(markers)}",
            soft_wrap=True,
        )
    if status and entry.status != "complete":
        reason = f": {escape(entry.error)}" if entry.error else ""
        err.print(f"[bold yellow]{entry.status.capitalize()}[/]{reason}", soft_wrap=True)


def usage_line(entry: EntryRow, cost: float | None) -> str | None:
    """``Tokens: P prompt + C completion = T (about $X)``; None when nothing was generated."""
    total = entry.prompt_tokens + entry.completion_tokens
    if total == 0:
        return None
    money = ""
    if cost is not None:
        money = (
            f" (estimated cost ${cost:.4f})" if cost >= 0.01 else f" (estimated cost ${cost:.6f})"
        )
    return (
        f"Tokens: {entry.prompt_tokens} prompt + {entry.completion_tokens} completion "
        f"= {total}{money}"
    )


def local_time(stamp: str) -> str:
    """An ISO 8601 UTC time stamp as local ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
