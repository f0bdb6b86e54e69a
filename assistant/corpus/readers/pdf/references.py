"""The reference list: its lines split into entries, and each entry's DOI and arXiv id.

Entries are found by the first of these that fits the list: numbers in brackets ("[12]") or
followed by a dot ("12.") counting up by one at line starts; a hanging indent (an entry's first
line at the column's edge, the rest indented); extra space between entries; else a line that
ends a sentence followed by one that starts with a surname and an initial.
"""

import re
import statistics
from collections.abc import Callable, Sequence

from assistant.corpus.fulltext import Reference
from assistant.corpus.normalize import normalize_arxiv_id, normalize_doi
from assistant.corpus.readers.pdf.layout import Placed

BRACKETED = re.compile(r"^\[(\d{1,4})\]")
_DOTTED = re.compile(r"^(\d{1,4})\.?\s+\S")
_AUTHOR_START = re.compile(r"^[A-Z][^\W\d_]+(?:[-' ][A-Z]?[^\W\d_]+)*,?\s+(?:[A-Z]\.|[A-Z]{1,3}\b)")
_MIN_ENTRIES = 2
_FLUSH = 0.3
_INDENTED = 0.7
"""Indents, in font sizes: an entry's first line within the first, its continuation beyond the
second."""
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_ARXIV = re.compile(
    r"(?:arxiv[:\s]\s*|arxiv\.org/(?:abs|pdf)/|\babs/)(\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE
)
_OLD_ARXIV = re.compile(
    r"\b((?:astro-ph|hep-th|hep-ph|hep-ex|hep-lat|gr-qc|quant-ph|cond-mat|math-ph|nucl-th"
    r"|nucl-ex|nlin|physics|math|cs|q-bio|stat)(?:\.[A-Z]{2})?/\d{7})\b"
)
_LINK_END = re.compile(r"(?:https?://|doi:\s*|\b10\.\d{4,9}/)\S*[./\-_:=?&#]$", re.IGNORECASE)
_TRAILING = ".,;:)]}>"

Line = tuple[str, Placed]
"""A reference list's line: its clean text, and where it sits."""


def parse_references(lines: Sequence[Line], join: Callable[[str, str], str]) -> list[Reference]:
    """The entries of a reference list, in order; ``join`` mends two lines' break."""
    if not lines:
        return []
    starts = (
        _numbered(lines, BRACKETED)
        or _numbered(lines, _DOTTED)
        or _hanging(lines)
        or _spaced(lines)
        or _by_author(lines)
    )
    entries: list[str] = []
    for index, (text, _) in enumerate(lines):
        if index in starts or not entries:
            entries.append(text)
        else:
            entries[-1] = _join_entry(entries[-1], text, join)
    return [_reference(entry) for entry in entries if entry.strip()]


def find_ids(text: str) -> tuple[str | None, str | None]:
    """The first DOI and arXiv id in ``text``, normalised."""
    doi = next(filter(None, (normalize_doi(m.rstrip(_TRAILING)) for m in _DOI.findall(text))), None)
    arxiv = None
    for pattern in (_ARXIV, _OLD_ARXIV):
        arxiv = arxiv or next(filter(None, map(normalize_arxiv_id, pattern.findall(text))), None)
    return doi, arxiv


def _reference(text: str) -> Reference:
    doi, arxiv = find_ids(text)
    return Reference(text=text, doi=doi, arxiv_id=arxiv)


def _join_entry(first: str, second: str, join: Callable[[str, str], str]) -> str:
    if _LINK_END.search(first):
        return first + second  # a DOI or URL broken at the end of a line
    return join(first, second)


def _numbered(lines: Sequence[Line], pattern: re.Pattern[str]) -> set[int]:
    """Lines starting with the next number of a sequence counting up by one."""
    starts: set[int] = set()
    expected: int | None = None
    for index, (text, _) in enumerate(lines):
        match = pattern.match(text)
        if match and (expected is None or int(match.group(1)) == expected):
            starts.add(index)
            expected = int(match.group(1)) + 1
    first_is_start = 0 in starts
    return starts if len(starts) >= _MIN_ENTRIES and first_is_start else set()


def _hanging(lines: Sequence[Line]) -> set[int]:
    em = statistics.median(placed.line.size for _, placed in lines)
    flush = {i for i, (_, placed) in enumerate(lines) if placed.indent < _FLUSH * em}
    indented = [i for i, (_, placed) in enumerate(lines) if placed.indent > _INDENTED * em]
    if len(flush) >= _MIN_ENTRIES and len(indented) >= 0.3 * len(flush):
        return flush | {0}
    return set()


def _spaced(lines: Sequence[Line]) -> set[int]:
    gaps = [placed.gap for _, placed in lines if placed.gap != float("inf")]
    if len(gaps) < _MIN_ENTRIES:
        return set()
    em = statistics.median(placed.line.size for _, placed in lines)
    usual = statistics.median(gaps)
    starts = {i for i, (_, placed) in enumerate(lines) if placed.gap > usual + 0.25 * em}
    return starts | {0} if len(starts) >= _MIN_ENTRIES else set()


def _by_author(lines: Sequence[Line]) -> set[int]:
    starts = {0}
    for index in range(1, len(lines)):
        previous, text = lines[index - 1][0], lines[index][0]
        if previous.rstrip().endswith(".") and _AUTHOR_START.match(text):
            starts.add(index)
    return starts
