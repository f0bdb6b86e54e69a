"""ingest, search, papers, show, reindex, and the bare ``citewise`` that loads the demo."""

import argparse
import json
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from assistant import paths
from assistant.cli.console import out
from assistant.cli.output import excerpt, print_report, progress
from assistant.corpus.walk import fingerprint, watch
from assistant.errors import ConfigError
from assistant.index.filters import Filters
from assistant.index.ingest import IngestReport
from assistant.library import Library
from assistant.retrieval import PaperHit
from assistant.settings import Settings


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
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
    ingest.add_argument(
        "--watch",
        action="store_true",
        help="keep going: ingest again whenever the files change (Ctrl-C stops)",
    )
    ingest.add_argument(
        "--interval", type=float, default=2.0, metavar="S", help="seconds between looks (--watch)"
    )
    ingest.add_argument(
        "--enrich",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="then fill in missing abstracts and DOIs from the scholarly APIs, as `citewise "
        "enrich` (default: scholarly.enrich_on_ingest)",
    )
    ingest.set_defaults(handler=_ingest)

    search = commands.add_parser(
        "search", parents=[common], help="find the papers relevant to a question"
    )
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    add_filter_arguments(search, "papers to return (default 10)")
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


def add_filter_arguments(parser: argparse.ArgumentParser, k_help: str) -> None:
    """``-k`` and the metadata filters, shared by search and the tasks."""
    parser.add_argument("-k", type=int, default=None, help=k_help)
    parser.add_argument("--from-year", type=int, dest="year_from")
    parser.add_argument("--to-year", type=int, dest="year_to")
    parser.add_argument("--tag", help="only papers with this tag")
    parser.add_argument("--collection", help="only papers in this reference-manager collection")


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        year_from=args.year_from, year_to=args.year_to, tag=args.tag, collection=args.collection
    )


# Commands


def start(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    if library.count_chunks() == 0:
        out.print(f"The store at {escape(library.location)} is empty: loading the demo corpus.")
        print_report(_run_ingest(library, [paths.DEMO_CORPUS_DIR]))
    papers = library.papers()
    out.print(f"\n[bold]{len(papers)}[/] papers in {escape(library.location)}.")
    out.print(
        'Try:  citewise search "how do mixture-of-experts models route tokens"\n'
        '      citewise ask "how do mixture-of-experts models route tokens"\n'
        "      citewise ingest ~/refs.bib     citewise papers     citewise show ID\n"
        "      citewise history               citewise doctor"
    )
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    columns = dict(_pair(c) for c in args.column) or None
    library = Library(settings)
    before = fingerprint(list(args.paths))  # so changes made during the first ingest count
    report = _run_ingest(library, args.paths, columns)
    print_report(report)
    if settings.scholarly.enrich_on_ingest if args.enrich is None else args.enrich:
        from assistant.cli import scholarly_commands  # the API clients load only when asked

        scholarly_commands.print_enrich(
            scholarly_commands.run_enrich(library, settings, ["abstract", "doi"])
        )
    if not args.watch:
        return 0 if report.ingested_anything else 1
    out.print(f"Watching {len(args.paths)} path(s) every {args.interval:g} s; Ctrl-C stops.")
    try:
        watch(
            list(args.paths),
            lambda: print_report(_run_ingest(library, args.paths, columns)),
            args.interval,
            since=before,
        )
    except KeyboardInterrupt:
        return 0
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    hits = library.search(
        args.query, k=args.k, filters=filters_from(args), mode=args.mode, mmr_lambda=args.diverse
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
        meta = escape(" · ".join(str(v) for v in (paper.year, paper.venue) if v))
        flag = "  [bold red]retracted[/]" if paper.retracted else ""
        out.print(
            f"[bold]{rank}. {escape(paper.title)}[/]{flag}  "
            f"[dim]{paper.id}{' · ' + meta if meta else ''}[/]"
        )
        out.print(f"   [green]{escape(excerpt(hit.passages[0].text))}[/]")
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
            escape(paper.title),
            escape(authors),
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
    out.print(f"[bold]{escape(paper.title)}[/]")
    if paper.retracted:
        out.print(f"[bold red]Retracted[/] (says {paper.provenance.get('retracted', 'an API')})")
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
        ("filled", ", ".join(f"{k} from {v}" for k, v in paper.provenance.items())),
    ):
        if value:
            out.print(f"[dim]{label:>8}[/]  {escape(str(value))}")
    out.print()
    out.print(
        escape(paper.abstract) or "[yellow]No abstract: this paper is found by its title only.[/]"
    )
    out.print()
    for source in paper.sources:
        out.print(f"[dim]  from {escape(source.location())} ({source.format})[/]")
    return 0


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.reindex import reindex
    from assistant.library import make_embedder

    with progress() as update:
        report = reindex(settings, make_embedder(settings.embedding), update)
    print_report(report)
    return 0


# Helpers


def _run_ingest(
    library: Library, sources: list[Path], columns: dict[str, str] | None = None
) -> IngestReport:
    with progress() as update:
        return library.ingest(sources, update, columns)


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
        "retracted": paper.retracted,
        "passages": [{"text": p.text, "score": round(p.score, 6)} for p in hit.passages],
    }


def _pair(value: str) -> tuple[str, str]:
    field, sep, column = value.partition("=")
    if not sep or not field or not column:
        raise ConfigError(f"--column expects FIELD=COLUMN, got {value!r}")
    return field.strip(), column.strip()
