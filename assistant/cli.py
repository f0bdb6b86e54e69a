"""The command line: parse, call the library, print. No logic of its own."""

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant import __version__, paths
from assistant.errors import AssistantError, ConfigError
from assistant.index.filters import Filters
from assistant.index.ingest import IngestReport
from assistant.library import Library
from assistant.retrieval import PaperHit
from assistant.settings import Settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
PHASES = {"read": "Reading files", "embed": "Embedding"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        handler: Callable[[argparse.Namespace, Settings], int] = args.handler
        return handler(args, settings)
    except AssistantError as error:
        err.print(f"[bold red]{error.title}:[/] {error}")
        return 1
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/] Everything written so far is kept; run it again to resume."
        )
        return 130


def _settings(args: argparse.Namespace) -> Settings:
    store: dict[str, Any] = {}
    if args.store:
        store["path"] = Path(args.store).expanduser()
    if args.server:
        store["server_url"] = args.server
    try:
        return Settings(store=store) if store else Settings()
    except ValidationError as error:
        raise ConfigError(f"invalid settings: {error}") from error


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store", metavar="DIR", help="store directory (default: $CITEWISE_STORE or store/)"
    )
    common.add_argument(
        "--server", metavar="URL", help="use a shared Chroma server instead of local files"
    )
    parser = argparse.ArgumentParser(
        prog="citewise",
        parents=[common],
        description="Literature review from your own papers: ingest, search, cited answers.",
    )
    parser.add_argument("--version", action="version", version=f"citewise {__version__}")
    parser.set_defaults(handler=_start)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest", parents=[common], help="add papers from files or folders"
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="CSV/JSONL column for a paper field, e.g. --column abstract=Summary (repeatable)",
    )
    ingest.set_defaults(handler=_ingest)

    search = commands.add_parser(
        "search", parents=[common], help="find the papers relevant to a question"
    )
    search.add_argument("query")
    search.add_argument("-k", type=int, default=None, help="papers to return (default 10)")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    search.add_argument("--from-year", type=int, dest="year_from")
    search.add_argument("--to-year", type=int, dest="year_to")
    search.add_argument("--tag", help="only papers with this tag")
    search.add_argument("--collection", help="only papers in this reference-manager collection")
    search.add_argument(
        "--diverse", type=float, metavar="LAMBDA", help="MMR diversity (0-1, e.g. 0.7)"
    )
    search.set_defaults(handler=_search)

    papers = commands.add_parser("papers", parents=[common], help="list the papers in the store")
    papers.add_argument("--json", action="store_true")
    papers.set_defaults(handler=_papers)

    show = commands.add_parser("show", parents=[common], help="show one paper")
    show.add_argument(
        "reference", metavar="ID", help="paper id (or prefix), citation key, DOI or arXiv id"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    reindex = commands.add_parser(
        "reindex", parents=[common], help="re-embed the store with the configured model"
    )
    reindex.set_defaults(handler=_reindex)
    return parser


# Commands


def _start(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    if library.count_chunks() == 0:
        out.print(f"The store at {library.location} is empty: loading the demo corpus.")
        _print_report(_run_ingest(library, [paths.DEMO_CORPUS_DIR]))
    papers = library.papers()
    out.print(f"\n[bold]{len(papers)}[/] papers in {library.location}.")
    out.print(
        'Try:  citewise search "how do mixture-of-experts models route tokens"\n'
        "      citewise ingest ~/refs.bib     citewise papers     citewise show ID"
    )
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    columns = dict(_pair(c) for c in args.column) or None
    library = Library(settings)
    report = _run_ingest(library, args.paths, columns)
    _print_report(report)
    return 0 if report.ingested_anything else 1


def _search(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    filters = Filters(
        year_from=args.year_from, year_to=args.year_to, tag=args.tag, collection=args.collection
    )
    hits = library.search(
        args.query, k=args.k, filters=filters, mode=args.mode, mmr_lambda=args.diverse
    )
    if args.json:
        print(json.dumps([_hit_json(h) for h in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        out.print(
            "No papers match."
            if library.count_chunks()
            else "The store is empty: run `citewise ingest PATH`."
        )
        return 0
    for rank, hit in enumerate(hits, 1):
        paper = hit.paper
        meta = " · ".join(str(v) for v in (paper.year, paper.venue) if v)
        out.print(
            f"[bold]{rank}. {paper.title}[/]  [dim]{paper.id}{' · ' + meta if meta else ''}[/]"
        )
        out.print(f"   [green]{_excerpt(hit.passages[0].text)}[/]")
    return 0


def _papers(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    papers = library.papers()
    if args.json:
        print(json.dumps([p.model_dump(mode="json") for p in papers], indent=2, ensure_ascii=False))
        return 0
    table = Table("id", "year", "title", "authors", "abstract", box=None, pad_edge=False)
    for paper in papers:
        authors = ", ".join(paper.authors[:2]) + (" et al." if len(paper.authors) > 2 else "")
        table.add_row(
            paper.id,
            str(paper.year or ""),
            paper.title,
            authors,
            "yes" if paper.has_abstract else "[yellow]no[/]",
        )
    out.print(table)
    missing = sum(not p.has_abstract for p in papers)
    out.print(
        f"{len(papers)} papers, {library.count_chunks()} chunks; "
        f"{missing} without an abstract (found by title only)."
    )
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    paper = Library(settings).find(args.reference)
    if args.json:
        print(paper.model_dump_json(indent=2))
        return 0
    out.print(f"[bold]{paper.title}[/]")
    for label, value in (
        ("id", paper.id),
        ("authors", ", ".join(paper.authors)),
        ("year", paper.year),
        ("venue", paper.venue),
        ("doi", paper.doi),
        ("arXiv", paper.arxiv_id),
        ("url", paper.url),
        ("key", paper.citation_key),
        ("tags", ", ".join(paper.tags)),
    ):
        if value:
            out.print(f"[dim]{label:>8}[/]  {value}")
    out.print()
    out.print(paper.abstract or "[yellow]No abstract: this paper is found by its title only.[/]")
    out.print()
    for source in paper.sources:
        out.print(f"[dim]  from {source.location()} ({source.format})[/]")
    return 0


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.reindex import reindex

    with _progress() as progress:
        report = reindex(settings, progress)
    _print_report(report)
    return 0


# Output helpers


def _run_ingest(
    library: Library, sources: list[Path], columns: dict[str, str] | None = None
) -> IngestReport:
    with _progress() as progress:
        return library.ingest(sources, progress, columns)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        yield update


def _print_report(report: IngestReport) -> None:
    out.print(
        f"[bold]{report.added}[/] added, [bold]{report.updated}[/] updated, "
        f"[bold]{report.unchanged}[/] unchanged, [bold]{report.removed}[/] removed, "
        f"[bold]{len(report.failed)}[/] failed "
        f"({report.records} records from {report.files_read} files; "
        f"{report.chunks_embedded} chunks embedded)."
    )
    if report.without_abstract:
        out.print(
            f"[yellow]{report.without_abstract} new papers have no abstract[/]: "
            "they are found by title only."
        )
    for failure in report.failed[:50]:
        err.print(f"  [red]failed[/] {failure}")
    if len(report.failed) > 50:
        err.print(f"  … and {len(report.failed) - 50} more failures.")
    if report.skipped:
        err.print(
            f"  [dim]skipped {len(report.skipped)} files in no known format "
            f"(e.g. {report.skipped[0]})[/]"
        )


def _hit_json(hit: PaperHit) -> dict[str, Any]:
    paper = hit.paper
    return {
        "id": paper.id,
        "title": paper.title,
        "score": round(hit.score, 6),
        "year": paper.year,
        "authors": paper.authors,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "citation_key": paper.citation_key,
        "passages": [{"text": p.text, "score": round(p.score, 6)} for p in hit.passages],
    }


def _excerpt(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def _pair(value: str) -> tuple[str, str]:
    field, sep, column = value.partition("=")
    if not sep or not field or not column:
        raise ConfigError(f"--column expects FIELD=COLUMN, got {value!r}")
    return field.strip(), column.strip()


if __name__ == "__main__":
    sys.exit(main())
