"""People's names as bibliographies write them, turned into display form.

BibTeX and RIS write ``Last, First`` (or ``von Last, Jr, First``); both may wrap a corporate
author in braces so that its commas and its "and" are not read as separators. These helpers
only rearrange the parts; decoding LaTeX accents is the BibTeX reader's job, after the split.
"""

import re

from assistant.corpus.normalize import clean_text

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_OTHERS = {"others", "et al", "et al."}


def split_authors(raw: str) -> list[str]:
    """Split a BibTeX name list on " and " outside braces; "and others" is dropped.

    >>> split_authors("Doe, Jane and {Barnes and Noble} and others")
    ['Doe, Jane', '{Barnes and Noble}']
    """
    text = clean_text(raw)
    if not text:
        return []
    names = [clean_text(part) for part in _split_top_level(f" {text} ", _AND)]
    return [name for name in names if name and name.casefold() not in _OTHERS]


def person_name(raw: str) -> str:
    """Display form: ``Last, First`` -> ``First Last``; ``Last, Jr, First`` -> ``First Last Jr``;
    ``{Org}`` -> ``Org``.

    Commas inside braces do not split. A name without a comma is already in display order.
    """
    text = clean_text(raw)
    parts = _split_top_level(text, _COMMA)
    if len(parts) >= 2:
        last, suffix, first = parts[0], parts[1:-1], parts[-1]
        text = " ".join(part for part in (first, last, *suffix) if part)
    return _strip_outer_braces(clean_text(text))


def _split_top_level(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split ``text`` at matches of ``separator`` that start at brace depth zero."""
    depths = _brace_depths(text)
    pieces: list[str] = []
    start = 0
    for match in separator.finditer(text):
        if match.start() >= start and depths[match.start()] == 0:
            pieces.append(text[start : match.start()])
            start = match.end()
    pieces.append(text[start:])
    return pieces


def _brace_depths(text: str) -> list[int]:
    """Brace depth before each character (never below zero, so stray braces do no harm)."""
    depths: list[int] = []
    depth = 0
    for char in text:
        depths.append(depth)
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
    return depths


def _strip_outer_braces(text: str) -> str:
    """``{World Health Organization}`` -> ``World Health Organization`` when one group wraps all."""
    while len(text) >= 2 and text[0] == "{" and text[-1] == "}":
        depths = _brace_depths(text)
        if any(depth == 0 for depth in depths[1:]):
            return text  # "{\"O}zt{\"u}rk": the first group closes before the end
        text = text[1:-1].strip()
    return text
