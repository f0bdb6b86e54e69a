"""enrich and discover: the commands that reach the scholarly APIs (nothing else does, unless a
setting asks for it), and the scholarly part of ``doctor``.

``enrich`` looks up the papers that lack an abstract or identifiers, fills in only what is
missing and re-embeds them; ``--dry-run`` shows what it would fill. ``discover`` lists papers
beyond the library for a question (``--from`` papers to snowball from), numbered, each marked in
or not in the library with why it was found; ``--add 2,5`` adds those of the list. Both exit
non-zero, in one line, when offline.
"""

import argparse
import json
from contextlib import closing
from typing import Any

from rich.markup import escape

from assistant.cli.console import err, out
from assistant.cli.output import excerpt, print_report, progress
from assistant.errors import InputError
from assistant.library import Library
from assistant.scholarly.clients import Apis
from assistant.scholarly.discover import Candidate, Discovery, Request, add_to_library, discover
from assistant.scholarly.doctor import statuses
from assistant.scholarly.enrich import MISSING, EnrichReport, Outcome, enrich_library
from assistant.settings import Settings

PHASES = {"lookup": "Looking up", "discover": "Searching"}


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    enrich = commands.add_parser(
        "enrich",
        parents=[common],
        help="fill in missing abstracts and identifiers from OpenAlex, Crossref, Semantic "
        "Scholar and arXiv",
    )
    enrich.add_argument(
        "--missing",
        type=_names,
        default=["abstract", "doi"],
        metavar="FIELDS",
        help=f"look up papers lacking any of these (default: abstract,doi; of {','.join(MISSING)})",
    )
    enrich.add_argument(
        "--source",
        type=_names,
        metavar="APIS",
        help="APIs to ask, in order (default: scholarly.sources)",
    )
    enrich.add_argument(
        "--all", action="store_true", help="look up every paper (e.g. to check for retractions)"
    )
    enrich.add_argument("--dry-run", action="store_true", help="show what would be filled in")
    enrich.add_argument("--json", action="store_true", help="print each paper's outcome as JSON")
    enrich.set_defaults(handler=_enrich)

    found = commands.add_parser(
        "discover", parents=[common], help="find papers beyond the library: search and snowballing"
    )
    found.add_argument("question", nargs="?", help="what the papers should be about")
    found.add_argument(
        "--from",
        dest="seeds",
        nargs="+",
        default=[],
        metavar="ID",
        help="library papers to snowball from (id, key, DOI or arXiv id)",
    )
    found.add_argument(
        "--hops", type=int, choices=[0, 1, 2], default=1, help="snowballing depth (default 1)"
    )
    found.add_argument(
        "--source", type=_names, default=["openalex"], metavar="APIS", help="APIs to search"
    )
    found.add_argument(
        "--graph",
        choices=["openalex", "semanticscholar"],
        default="openalex",
        help="API whose citations are walked",
    )
    found.add_argument("-k", type=int, default=20, help="papers to list (default 20)")
    found.add_argument(
        "--add", type=_numbers, metavar="N,M", help="add these of the list to the library"
    )
    found.add_argument("--json", action="store_true", help="print the list as JSON")
    found.set_defaults(handler=_discover)


def add_doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--online",
        action="store_true",
        help="also send each scholarly API one small request, to see that it answers",
    )


def print_doctor(settings: Settings, online: bool) -> bool:
    """The scholarly APIs' configuration, and with ``online`` whether each answers."""
    scholarly = settings.scholarly
    network = "allowed" if scholarly.network else "switched off (scholarly.network)"
    out.print(
        f"\n[bold]Scholarly APIs[/] (only enrich, discover and doctor --online reach them; "
        f"network {network})",
        soft_wrap=True,
    )
    found = statuses(scholarly, online=online)
    for status in found:
        name = status.name if status.ok else f"[red]{status.name}[/]"
        line = f"  {name}  {escape(status.base_url)}  key: {escape(status.key)}; {status.pace}"
        if status.answer:
            line += f"\n    {escape(status.answer)}"
        out.print(line, soft_wrap=True)
    mailto = scholarly.mailto or "not set (scholarly.mailto: your address, for the polite pools)"
    out.print(
        f"  answers cached for {scholarly.cache_days:g} days; mailto: {escape(mailto)}"
        + ("" if online else "\n  (doctor --online sends each one request)"),
        soft_wrap=True,
    )
    return all(status.ok for status in found)


# Commands


def _enrich(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    report = run_enrich(library, settings, args.missing, args.source, args.all, args.dry_run)
    if args.json:
        print(json.dumps([_outcome_json(o) for o in report.outcomes], indent=2, ensure_ascii=False))
    else:
        print_enrich(report)
    return 1 if report.failed_apis else 0


def run_enrich(
    library: Library,
    settings: Settings,
    missing: list[str],
    sources: list[str] | None = None,
    everything: bool = False,
    dry_run: bool = False,
) -> EnrichReport:
    """Enrich with a progress bar (also what ``ingest --enrich`` runs)."""
    with closing(Apis.open(settings.scholarly)) as apis, progress(PHASES) as update:
        clients = apis.metadata(sources or list(settings.scholarly.sources))
        return enrich_library(
            library,
            clients,
            missing,
            everything=everything,
            dry_run=dry_run,
            progress=update,
        )


def print_enrich(report: EnrichReport) -> None:
    outcomes = report.outcomes
    if not outcomes:
        out.print("Nothing to look up: no paper lacks what was asked for.")
        return
    out.print(
        f"Looked up [bold]{len(outcomes)}[/] papers: [bold]{report.count('filled')}[/] filled in, "
        f"{report.count('nothing new')} found with nothing new, {report.count('not found')} "
        f"not found, {report.count('unfinished')} unfinished."
        + (
            " [yellow]Dry run: nothing was written.[/]"
            if report.dry_run
            else f" {report.written} written, {report.chunks_embedded} chunks embedded."
        ),
        soft_wrap=True,
    )
    for outcome in outcomes:
        if outcome.status == "filled":
            out.print(
                f"  [green]filled[/] {escape(outcome.paper.title)} [dim]{outcome.paper.id}[/]\n"
                f"         {escape(outcome.detail)}",
                soft_wrap=True,
            )
    for paper in report.retracted:
        source = paper.provenance.get("retracted", "an API")
        out.print(
            f"  [bold red]retracted[/] {escape(paper.title)} [dim]{paper.id} (says {source})[/]",
            soft_wrap=True,
        )
    for name, error in report.failed_apis.items():
        err.print(
            f"[bold red]{escape(error)}[/]\n  {name} was not asked again: "
            f"{report.count('unfinished')} papers are unfinished; run enrich again later.",
            soft_wrap=True,
        )
    if not report.dry_run and report.count("not found"):
        out.print(
            "[dim]Run it again at any time: answers already received come from the cache, "
            "so an interrupted run resumes where it stopped.[/]",
            soft_wrap=True,
        )


def _discover(args: argparse.Namespace, settings: Settings) -> int:
    if not args.question and not args.seeds:
        raise InputError("give a question, or --from papers to snowball from")
    library = Library(settings)
    seeds = tuple(library.find(reference) for reference in args.seeds)
    request = Request(
        question=args.question,
        seeds=seeds,
        search=tuple(args.source),
        graph=args.graph,
        hops=args.hops,
        limit=args.k,
    )
    with closing(Apis.open(settings.scholarly)) as apis, progress(PHASES) as update:
        found = discover(
            library,
            apis,
            request,
            update,
        )
    if args.json:
        print(json.dumps(_discovery_json(found), indent=2, ensure_ascii=False))
    else:
        print_discovery(found)
    if args.add:
        chosen = _chosen(found.candidates, args.add)
        already = sum(c.in_library for c in chosen)
        print_report(add_to_library(library, chosen))
        if already:
            out.print(f"{already} of them were in the library already.")
    return 0


def print_discovery(found: Discovery) -> None:
    if found.seeds:
        titles = "; ".join(escape(s.title) for s in found.seeds)
        out.print(f"[dim]Snowballing from: {titles}[/]", soft_wrap=True)
    for note in found.notes:
        err.print(f"[yellow]note:[/] {escape(note)}", soft_wrap=True)
    if not found.candidates:
        out.print("No papers found.")
        return
    for rank, candidate in enumerate(found.candidates, 1):
        paper = candidate.paper
        where = "[green]in library[/]" if candidate.in_library else "[cyan]not in library[/]"
        year = f" ({paper.year})" if paper.year else ""
        flag = " [bold red]retracted[/]" if candidate.work.retracted else ""
        out.print(
            f"[bold]{rank:>2}. {escape(paper.title)}[/]{year}{flag}  {where}  "
            f"[dim]{candidate.work.api} {candidate.work.key}[/]",
            soft_wrap=True,
        )
        out.print(f"    [dim]why: {escape('; '.join(candidate.reasons))}[/]", soft_wrap=True)
        if paper.has_abstract:
            out.print(f"    {escape(excerpt(paper.abstract, 200))}", soft_wrap=True)
    out.print(
        "\n[dim]Add some with: citewise discover ... --add 1,3 (the same list: answers are "
        "cached).[/]",
        soft_wrap=True,
    )


# Helpers


def _chosen(candidates: list[Candidate], numbers: list[int]) -> list[Candidate]:
    wrong = [n for n in numbers if not 1 <= n <= len(candidates)]
    if wrong:
        raise InputError(
            f"--add {', '.join(map(str, wrong))}: the list has {len(candidates)} papers"
        )
    return [candidates[n - 1] for n in numbers]


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _numbers(value: str) -> list[int]:
    try:
        return [int(n) for n in _names(value)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,3,5, not {value!r}") from None


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.paper.id,
        "title": outcome.paper.title,
        "status": outcome.status,
        "detail": outcome.detail,
        "filled": {
            name: api
            for name, api in outcome.enriched.provenance.items()
            if outcome.paper.provenance.get(name) != api
        },
        "retracted": outcome.enriched.retracted,
    }


def _discovery_json(found: Discovery) -> list[dict[str, Any]]:
    return [
        {
            "rank": rank,
            "title": c.paper.title,
            "year": c.paper.year,
            "authors": c.paper.authors,
            "doi": c.paper.doi,
            "arxiv_id": c.paper.arxiv_id,
            "api": c.work.api,
            "key": c.work.key,
            "url": c.work.url,
            "score": round(c.score, 6),
            "in_library": c.in_library,
            "library_id": c.library.id if c.library else None,
            "retracted": c.work.retracted,
            "reasons": c.reasons,
            "abstract": c.paper.abstract,
        }
        for rank, c in enumerate(found.candidates, 1)
    ]
