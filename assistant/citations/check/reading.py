"""The user's inputs to a check: the draft (Markdown or LaTeX) and a .bib file.

Both are read leniently: a .bib entry that does not parse is one note, and the other entries
are still used; a .bib with no entry at all is one note, and citations are then resolved in the
library alone. A key defined twice is one note (the first definition is used); entries that
share a title and have no DOI or arXiv id to tell them apart are one note (each is still checked
against its own abstract: ``resolve``).
"""

from dataclasses import dataclass, field
from pathlib import Path

from assistant.citations.check import latex, markdown
from assistant.citations.check.drafts import Draft, Format
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import ReadIssue
from assistant.corpus.readers.bibtex import BibtexReader
from assistant.corpus.readers.text import open_text
from assistant.errors import InputError

MAX_DRAFT_CHARS = 5_000_000
_LATEX_SUFFIXES = frozenset({".tex", ".latex", ".ltx"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".qmd", ".rmd"})


@dataclass
class Bibliography:
    entries: dict[str, Paper] = field(default_factory=dict)
    """Papers by citation key, as the .bib has them."""

    notes: list[str] = field(default_factory=list)


def read_draft(path: Path) -> Draft:
    """The draft at ``path``: LaTeX for .tex/.latex/.ltx (or a file that looks like a LaTeX
    document), Markdown otherwise."""
    try:
        with open_text(path) as handle:
            text = handle.read(MAX_DRAFT_CHARS + 1)
    except OSError as error:
        raise InputError(f"cannot read the draft {path}: {error.strerror or error}") from error
    if len(text) > MAX_DRAFT_CHARS:
        raise InputError(f"{path}: over {MAX_DRAFT_CHARS:,} characters; not a draft")
    if not text.strip():
        raise InputError(f"the draft {path} is empty")
    return parse_draft(text, "latex" if is_latex(path, text) else "markdown")


def parse_draft(text: str, format: Format) -> Draft:
    return latex.parse(text) if format == "latex" else markdown.parse(text)


def is_latex(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in _LATEX_SUFFIXES or suffix in _MARKDOWN_SUFFIXES:
        return suffix in _LATEX_SUFFIXES
    return "\\begin{document}" in text or "\\documentclass" in text


def read_bib(paths: list[Path]) -> Bibliography:
    """Every entry of the .bib files, by key (the first file to define a key wins)."""
    bibliography = Bibliography()
    reader = BibtexReader()
    for path in paths:
        found = 0
        try:
            for item in reader.read(path):
                if isinstance(item, ReadIssue):
                    bibliography.notes.append(f"{item}: entry skipped")
                elif item.citation_key:
                    found += 1
                    _add(bibliography, item.citation_key, item)
        except (OSError, UnicodeDecodeError) as error:
            bibliography.notes.append(f"{path}: cannot read it ({error}); not used")
            continue
        except InputError as error:
            bibliography.notes.append(f"{error}; not used")
            continue
        if not found:
            bibliography.notes.append(
                f"{path}: no BibTeX entry could be read; citations are looked up in the "
                "library alone"
            )
    bibliography.notes += [
        f"{', '.join(keys)}: .bib entries with the same title (“{title}”) and no DOI or arXiv "
        "id to tell them apart; each is checked against its own abstract"
        for title, keys in shared_titles(bibliography).items()
    ]
    return bibliography


def _add(bibliography: Bibliography, key: str, entry: Paper) -> None:
    first = bibliography.entries.get(key)
    if first is None:
        bibliography.entries[key] = entry
        return
    where = [p.sources[0].location() if p.sources else "?" for p in (first, entry)]
    bibliography.notes.append(
        f"{key} is defined twice in the .bib ({where[0]} and {where[1]}): the first is used"
    )


def shared_titles(bibliography: Bibliography) -> dict[str, list[str]]:
    """Titles of entries that only their title identifies, held by more than one key."""
    by_identity: dict[str, list[str]] = {}
    for key, entry in bibliography.entries.items():
        if not entry.doi and not entry.arxiv_id:
            by_identity.setdefault(entry.identity(), []).append(key)
    return {
        bibliography.entries[keys[0]].title: keys for keys in by_identity.values() if len(keys) > 1
    }


def bib_files_named(draft: Draft, draft_path: Path) -> list[Path]:
    """The .bib files a LaTeX draft names (``\\bibliography{refs}``) that exist beside it."""
    found: list[Path] = []
    for name in draft.bibliographies:
        path = draft_path.parent / name
        path = path if path.suffix == ".bib" else path.with_name(path.name + ".bib")
        if path.is_file():
            found.append(path)
    return found
