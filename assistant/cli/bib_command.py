"""``citewise bib``: the .bib for a draft's citations, a search, or a collection or tag.

Keys are the user's own where a paper came with one (BibTeX, Zotero, CSL JSON), stable
generated ones otherwise; the output parses in bibtexparser and biber (see the writer's tests).
"""

import argparse
from pathlib import Path
from typing import Any

from assistant.citations.bibtex_writer import write_bibtex
from assistant.citations.check import Resolver, read_bib, read_draft
from assistant.cli.console import err, out
from assistant.cli.library_commands import add_filter_arguments, filters_from
from assistant.corpus.paper import Paper
from assistant.errors import InputError
from assistant.library import Library
from assistant.settings import Settings


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "bib",
        parents=parents,
        help="write BibTeX for a draft's citations, a search or a collection",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--draft", type=Path, metavar="FILE", help="the papers a draft cites")
    source.add_argument("--search", metavar="QUERY", help="the papers a search finds")
    parser.add_argument("--bib", type=Path, action="append", default=[], help="the draft's .bib")
    add_filter_arguments(parser, "papers for --search (default 10)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    library = Library(settings)
    papers = _papers(args, library)
    if not papers:
        raise InputError("no papers to write", hint="check the draft's keys, the search or filters")
    text = write_bibtex(papers)
    if args.output is None:
        out.print(text, markup=False, end="")
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write {args.output}: {error.strerror or error}") from error
        err.print(f"Wrote {len(papers)} entries to {args.output}.", markup=False)
    return 0


def _papers(args: argparse.Namespace, library: Library) -> list[Paper]:
    filters = filters_from(args)
    if args.search:
        return [hit.paper for hit in library.search(args.search, k=args.k, filters=filters)]
    if args.draft:
        return _cited(args.draft, args.bib, library)
    if not filters.active:
        raise InputError(
            "say which papers", hint="--draft FILE, --search QUERY, --collection or --tag"
        )
    return [p for p in library.papers() if filters.admits(p.year, p.tags, p.collections)]


def _cited(draft: Path, bibs: list[Path], library: Library) -> list[Paper]:
    resolver = Resolver(library, read_bib(bibs) if bibs else None)
    keys = dict.fromkeys(key for s in read_draft(draft).sentences for key in s.keys)
    papers: dict[str, Paper] = {}
    for key in keys:
        resolution = resolver.resolve(key)
        if resolution.paper is None:
            err.print(f"[yellow]{key}:[/] {resolution.problem or 'not found'}", soft_wrap=True)
        else:
            papers.setdefault(resolution.paper.id, resolution.paper)
    return list(papers.values())
