"""Field-level helpers shared by the readers: years, identifiers, lists of tags, markup."""

import html
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from assistant.corpus.normalize import clean_text, normalize_arxiv_id, normalize_doi
from assistant.corpus.paper import Source

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_TAG = re.compile(r"</?([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>")
_INLINE_TAGS = frozenset(
    {"a", "b", "bold", "em", "i", "italic", "sc", "span", "strong", "sub", "sup", "u"}
)
"""Tags dropped without a space, so that ``H<sub>2</sub>O`` reads ``H2O``; others leave one."""
_SEMICOLON = re.compile(r"\s*;\s*")
_COMMA = re.compile(r"\s*,\s*")
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")
_ABSTRACT_HEADING = re.compile(r"^(?i:abstract)(?:\s*[:.\u2014-]\s*|\s+)(?=[A-Z0-9(\[])")


def source(path: Path, fmt: str, *, line: int | None = None, record: int | None = None) -> Source:
    """Where a record came from, with the absolute path."""
    return Source(path=_absolute(path, os.getcwd()), format=fmt, line=line, record=record)


@lru_cache(maxsize=64)
def _absolute(path: Path, cwd: str) -> str:
    # Resolved once per file (and working directory), not once per record.
    return str(path.resolve())


def text_value(value: object) -> str:
    """A string field as clean text; numbers become text, anything else is empty.

    UTF-8 that was once decoded as cp1252 ("BÃ¼hlmann", seen in Manubot output) is repaired.
    """
    if isinstance(value, str):
        return clean_text(_repair(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def strip_markup(value: object) -> str:
    """Text without HTML/JATS tags or character entities, whitespace collapsed."""
    text = text_value(value)
    if "<" in text or "&" in text:
        text = clean_text(html.unescape(_TAG.sub(_tag_gap, text)))
    return text


def clean_abstract(value: object) -> str:
    """An abstract as plain text, without markup or a leading "Abstract" heading."""
    return _ABSTRACT_HEADING.sub("", strip_markup(value))


def parse_year(value: object) -> int | None:
    """The year in ``2021``, ``"2021-05-03"``, ``"May 2021"``; None when there is none."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1500 <= value <= 2199 else None
    match = _YEAR.search(text_value(value))
    return int(match.group(1)) if match else None


def arxiv_from_doi(doi: str | None) -> str | None:
    """``10.48550/arXiv.2401.01234`` (arXiv's DataCite DOI) -> ``2401.01234``."""
    match = _ARXIV_DOI.match(doi or "")
    return normalize_arxiv_id(match.group(1)) if match else None


def find_arxiv_id(*candidates: object) -> str | None:
    """The first candidate that is an arXiv id, abs/pdf URL, or arXiv DOI."""
    for candidate in candidates:
        text = text_value(candidate)
        found = normalize_arxiv_id(text) or arxiv_from_doi(normalize_doi(text))
        if found:
            return found
    return None


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty cleaned values, first spelling kept, duplicates (ignoring case) dropped."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        text = clean_text(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return kept


def split_list(value: object) -> list[str]:
    """A list of strings, or one string separated by semicolons (else commas)."""
    if isinstance(value, list):
        return unique(text_value(item) for item in value)
    text = text_value(value)
    separator = _SEMICOLON if ";" in text else _COMMA
    return unique(separator.split(text))


def _tag_gap(tag: re.Match[str]) -> str:
    name = tag.group(1).rsplit(":", 1)[-1].casefold()  # "jats:italic" -> "italic"
    return "" if name in _INLINE_TAGS else " "


def _repair(text: str) -> str:
    if not _MOJIBAKE.search(text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text
