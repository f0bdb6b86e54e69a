"""``citewise check DRAFT``: every cited sentence of a draft judged against the abstracts it cites.

Prints, per sentence, its line, verdict, citations and evidence (and, for a sentence its
citations fail or a claim that cites nothing, the library papers that would support it), then
the ALCE-style metrics; ``--json`` prints the list of sentences, each with ``text``,
``citations`` (as written), ``verdict`` and ``evidence`` (and more), while the notes on bad
input and the metrics go to standard error.
Exit status: 1 when a cited sentence is unsupported, contradicted or unresolved (``--strict``:
partially supported too), else 0, so a paper's repository can run it in CI.

The same flags serve ``--check`` on ask, draft and summarize (``add_check_arguments`` and
``wants_check``; the runner checks), and ``print_check_report`` prints their report too.
"""

import argparse
import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from assistant.citations.check import CheckReport, SentenceCheck
from assistant.citations.markers import page_locator
from assistant.cli.console import err, out
from assistant.cli.output import excerpt
from assistant.history import History
from assistant.settings import Settings
from assistant.tasks.judge_choice import JUDGE_KINDS
from assistant.tasks.runner import Runner

JUDGES = JUDGE_KINDS
STYLES = {
    "quoted": "blue",
    "supported": "green",
    "partial": "yellow",
    "unsupported": "red",
    "contradicted": "bold red",
    "unresolved": "magenta",
    "uncited": "cyan",
}


def add_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=list(parents),
        help="check that every cited sentence of a draft is supported by what it cites",
        description="Check a Markdown or LaTeX draft: each sentence against the abstracts it "
        "cites (library papers, or .bib entries with an abstract).",
    )
    parser.add_argument("draft", type=Path, metavar="DRAFT", help="a .md or .tex file")
    parser.add_argument(
        "--bib",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="BibTeX file with the draft's keys (repeatable; LaTeX: default the \\bibliography)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--judge",
        choices=JUDGES,
        help="offline; llm-unsure (the model for the sentences the offline judge is unsure of); "
        "llm (the model for all); auto (llm-unsure with a model); default: check.judge",
    )
    parser.add_argument(
        "--strict", action="store_true", help="a partially supported sentence fails the check"
    )
    parser.add_argument(
        "--suggestions",
        type=int,
        metavar="N",
        help="library papers judged per failing sentence (default: check.suggestions; 0: none)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with History.for_store(settings.store) as history:
        runner = Runner(settings, history)
        report = asyncio.run(runner.check_file(args.draft, args.bib, args.judge, args.suggestions))
    if args.json:
        print(json.dumps(report.to_json()["sentences"], indent=2, ensure_ascii=False))
        for note in report.notes:
            err.print(f"[yellow]note:[/] {note}", soft_wrap=True)
        err.print(f"metrics: {json.dumps(report.to_json()['metrics'])}", soft_wrap=True)
    else:
        print_check_report(out, report, title=f"{args.draft}")
    failing = report.failing(args.strict)
    if failing and not args.json:
        err.print(
            f"[bold red]{len(failing)} cited sentence(s) not supported[/] by what they cite.",
            soft_wrap=True,
        )
    return 1 if failing else 0


# --check on ask, draft and summarize


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="check every sentence against the abstracts it cites; repair or drop the "
        "unsupported ones (default: check.enabled_by_default)",
    )
    parser.add_argument(
        "--repair",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --check, have the model rewrite (or drop) what the check does not support "
        "(default: yes; --no-repair only marks it, as the terminal UI does)",
    )
    parser.add_argument("--judge", choices=JUDGES, help="judge for --check (default: check.judge)")


def wants_check(args: argparse.Namespace, settings: Settings) -> bool:
    return bool(settings.check.enabled_by_default if args.check is None else args.check)


# The report


def print_check_report(console: Console, report: CheckReport, title: str = "") -> None:
    console.print(
        f"[bold]Citation check[/]{f' of {escape(title)}' if title else ''} "
        f"[dim](judge: {escape(report.judge)})[/]",
        soft_wrap=True,
    )
    for sentence in report.sentences:
        _print_sentence(console, sentence)
    if report.dropped:
        console.print(f"\n[bold]Dropped[/] after {report.rounds} repair round(s):")
        for sentence in report.dropped:
            _print_sentence(console, sentence)
    if report.notes:
        console.print("\n[bold]Notes[/]")
        for note in report.notes:
            console.print(f"  [yellow]-[/] {escape(note)}", soft_wrap=True)
    console.print("\n" + _metrics_line(report), soft_wrap=True)


def _print_sentence(console: Console, sentence: SentenceCheck) -> None:
    where = f"line {sentence.line}" if sentence.line else f"¶ {sentence.paragraph + 1}"
    shown = sentence.claim or sentence.verdict == "quoted"
    style = STYLES[sentence.verdict] if shown else "dim"
    label = sentence.verdict if shown else "no claim"
    cites = f" [dim]{escape(', '.join(sentence.citations))}[/]" if sentence.citations else ""
    console.print(
        f"\n[dim]{where:>8}[/]  [{style}]{label:<12}[/] {escape(sentence.text)}{cites}",
        soft_wrap=True,
    )
    for evidence in sentence.evidence:
        where = page_locator(evidence.page) or f"abstract sentence {evidence.index + 1}"
        console.print(
            f"{'':>10}[dim]evidence ({escape(evidence.citation)}, {where}):[/] "
            f"“{escape(excerpt(evidence.sentence, 200))}”",
            soft_wrap=True,
        )
    for note in sentence.notes:
        console.print(f"{'':>10}[yellow]{escape(note)}[/]", soft_wrap=True)
    for suggestion in sentence.suggestions:
        key = f" ({escape(suggestion.citation_key)})" if suggestion.citation_key else ""
        said = f": “{escape(excerpt(suggestion.evidence[0], 160))}”" if suggestion.evidence else ""
        where = suggestion.paper_id
        if suggestion.source:
            where = f"not in the library: {escape(suggestion.source)}"
        console.print(
            f"{'':>10}[green]would support it[/] [dim]{where}[/] "
            f"{escape(suggestion.title)}{key} [dim]({suggestion.verdict})[/]{said}",
            soft_wrap=True,
        )


def _metrics_line(report: CheckReport) -> str:
    metrics = report.metrics

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    counts = " · ".join(
        f"[{STYLES[v]}]{n} {v}[/]" for v, n in sorted(metrics.verdicts.items()) if n
    )
    return (
        f"[bold]Citation recall {share(metrics.citation_recall)}[/] · "
        f"[bold]precision {share(metrics.citation_precision)}[/] · "
        f"{metrics.uncited_claims} uncited claim(s) · {metrics.sentences} sentences, "
        f"{metrics.cited} cited\n{counts}"
    )
