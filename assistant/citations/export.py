"""A task's result as Markdown, LaTeX (+ .bib) or plain text, citing exactly what it cites.

Only cited sources are listed. Markdown and plain text renumber them in order of first
citation, so the reference list runs 1, 2, 3… whatever numbers the prompt used. LaTeX cites by
key (``\\cite{key}``): the user's own BibTeX key where the paper has one, else a stable generated
key (``keys.unique_keys``, the same keys ``bibtex_writer.write_bibtex`` writes), and the .bib
holds one entry per cited paper and nothing else. A citation of a page of the full text keeps
it: ``[3, p. 6]`` in Markdown and text, ``\\cite[p.~6]{key}`` in LaTeX. Evidence-mode results
keep their label and their bullet form, so an export never passes extracted sentences off as
written prose; a result that did not complete says so. ``write_export`` writes a result to a
file in the format its suffix names.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Literal

from assistant.citations.bibtex_writer import escape as latex_escape
from assistant.citations.bibtex_writer import write_bibtex
from assistant.citations.markers import cite, format_marker, page_locator
from assistant.corpus.keys import unique_keys
from assistant.corpus.paper import Paper
from assistant.errors import InputError
from assistant.results import EVIDENCE_LABEL, Source, TaskResult

MAX_AUTHORS = 6

ExportFormat = Literal["md", "latex", "text"]
FORMATS: dict[str, ExportFormat] = {".md": "md", ".markdown": "md", ".tex": "latex", ".txt": "text"}
"""The export format a file's suffix implies (anything else: Markdown)."""

SUFFIXES: dict[ExportFormat, str] = {"md": ".md", "latex": ".tex", "text": ".txt"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


@dataclass(frozen=True)
class _Style:
    escape: Callable[[str], str]
    cite: Callable[[list[int], Mapping[int, str]], str]
    """The citation for a sentence's source numbers (and the pages it cites of some), placed
    before its closing punctuation."""

    separator: str
    label: Callable[[str], str]
    heading: Callable[[str], str]
    bullets: tuple[str, str, str]
    """What opens a list, starts an item, closes the list."""


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


def cited_sources(result: TaskResult) -> list[Source]:
    """The sources the result cites, in order of first citation."""
    by_number = {source.number: source for source in result.sources}
    numbers = dict.fromkeys(n for s in result.sentences for n in s.citations if n in by_number)
    return [by_number[n] for n in numbers]


def to_markdown(result: TaskResult) -> str:
    style = _Style(
        escape=_markdown_escape,
        cite=_numbered(result),
        separator=" ",
        label=lambda text: f"*{text}*",
        heading=lambda text: f"### Theme: {_markdown_escape(text)}",
        bullets=("", "- ", ""),
    )
    references = [
        f"{n}. {reference(source.paper, _markdown_escape, emphasis='*')}"
        for n, source in enumerate(cited_sources(result), 1)
    ]
    return _document(result, style, "## References", references)


def to_plain(result: TaskResult) -> str:
    style = _Style(
        escape=lambda text: text,
        cite=_numbered(result),
        separator=" ",
        label=lambda text: text,
        heading=lambda text: f"Theme: {text}",
        bullets=("", "- ", ""),
    )
    references = [
        f"[{n}] {reference(source.paper, lambda text: text)}"
        for n, source in enumerate(cited_sources(result), 1)
    ]
    return _document(result, style, "References", references)


def to_latex(result: TaskResult) -> tuple[str, str]:
    """The text with ``\\cite{key}``s, and the .bib text holding exactly the cited papers."""
    cited = cited_sources(result)
    papers = [source.paper for source in cited]
    keys = dict(zip((s.number for s in cited), unique_keys(papers), strict=True))
    style = _Style(
        escape=latex_escape,
        cite=lambda numbers, pages: _latex_cite([keys[n] for n in numbers], numbers, pages),
        separator="~",
        label=lambda text: f"\\emph{{{latex_escape(text)}}}",
        heading=lambda text: f"\\paragraph{{Theme: {latex_escape(text)}}}",
        bullets=("\\begin{itemize}", "  \\item ", "\\end{itemize}"),
    )
    return _document(result, style, "", []), write_bibtex(papers)


def _numbered(result: TaskResult) -> Callable[[list[int], Mapping[int, str]], str]:
    """Markers in the renumbered order: ``[1, p. 6; 2]``."""
    renumber = _renumbering(result)

    def marker(numbers: list[int], pages: Mapping[int, str]) -> str:
        moved = {renumber[n]: named for n, named in pages.items() if n in renumber}
        return format_marker((renumber[n] for n in numbers), moved)

    return marker


def _latex_cite(keys: list[str], numbers: list[int], pages: Mapping[int, str]) -> str:
    """``\\cite{a,b}``; a key cited at a page gets its own: ``\\cite[p.~6]{a}, \\cite{b}``."""
    plain = [key for key, n in zip(keys, numbers, strict=True) if not pages.get(n)]
    paged = [
        f"\\cite[{page_locator(pages[n]).replace(' ', '~').replace('-', '--')}]{{{key}}}"
        for key, n in zip(keys, numbers, strict=True)
        if pages.get(n)
    ]
    return ", ".join(paged + ([f"\\cite{{{','.join(plain)}}}"] if plain else []))


def reference(paper: Paper, escape: Callable[[str], str], emphasis: str = "") -> str:
    """``Authors (Year). Title. Venue. Link`` (the parts a paper has)."""
    names = paper.authors[:MAX_AUTHORS] + (["et al."] if len(paper.authors) > MAX_AUTHORS else [])
    head = escape(", ".join(names)) if names else ""
    if paper.year:
        head = f"{head} ({paper.year})" if head else f"({paper.year})"
    parts = [head, escape(paper.title)]
    if paper.venue:
        parts.append(f"{emphasis}{escape(paper.venue)}{emphasis}")
    text = " ".join(_sentence_end(part) for part in parts if part)
    link = paper_link(paper)
    return f"{text} {link}" if link else text


def paper_link(paper: Paper) -> str | None:
    if paper.doi:
        return f"https://doi.org/{paper.doi}"
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    return paper.url


def _document(result: TaskResult, style: _Style, title: str, references: Sequence[str]) -> str:
    blocks = [style.label(EVIDENCE_LABEL)] if result.mode == "evidence" else []
    blocks.extend(_paragraphs(result, style))
    if not result.sentences and result.text.strip():
        blocks.append(style.escape(result.text.strip()))  # e.g. "nothing matches", no citations
    if result.status != "complete":
        blocks.append(style.label(f"({result.status}: {result.error or 'no reason given'})"))
    if references:
        blocks.append(title)
        blocks.append("\n".join(references))
    return "\n\n".join(blocks) + "\n"


def _paragraphs(result: TaskResult, style: _Style) -> Iterable[str]:
    for paragraph, group in groupby(result.sentences, key=lambda s: s.paragraph):
        sentences = [
            cite(
                replace(s, text=style.escape(s.text), quoted_from=_escaped(s.quoted_from, style)),
                style.cite(s.citations, s.pages) if s.citations else "",
                style.separator,
            )
            for s in group
        ]
        if paragraph in result.headings:
            yield style.heading(result.headings[paragraph])
        if result.mode == "evidence":
            begin, item, end = style.bullets
            yield "\n".join(part for part in (begin, *(item + s for s in sentences), end) if part)
        else:
            yield " ".join(sentences)


def _escaped(text: str | None, style: _Style) -> str | None:
    return None if text is None else style.escape(text)


def _sentence_end(text: str) -> str:
    return text if text.rstrip("*")[-1:] in (".", "?", "!") else f"{text}."


def _renumbering(result: TaskResult) -> dict[int, int]:
    return {source.number: n for n, source in enumerate(cited_sources(result), 1)}


def _markdown_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
