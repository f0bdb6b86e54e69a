"""A user's draft, Markdown or LaTeX, as sentences that each carry the citation keys they cite.

Each format's reader (``markdown.py``, ``latex.py``) turns its source into ``Block``s: paragraphs
of plain text with the line they start on, every citation replaced by a numbered placeholder
marker (``[100001, 100002]``) that ``CitationKeys`` maps back to the keys. The shared tail here
splits each block into sentences (``split_sentences``), takes each sentence's markers out
(``markers.strip_markers``) and turns numbers back into keys. A bracketed number that is no
placeholder (a hand-written ``[12]``) is reported in ``Draft.notes`` and not checked.

A citation placed after a sentence's full stop (``holds.\\cite{a}``, ``holds.~\\cite{a}``, or
``holds. [@a]`` followed by the next sentence's capital) belongs to that sentence: the readers
put its placeholder before the full stop (``place_marker``). A textual citation (``\\citet``,
``@key`` in running text) always belongs to the sentence it opens.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from assistant.citations.markers import format_marker, strip_markers
from assistant.sentences import split_sentences

Format = Literal["markdown", "latex"]

FIRST_NUMBER = 100_001
"""Placeholder numbers start here, far from any number a person writes in brackets."""

PARAGRAPH = "\x1e"
"""A paragraph break a reader inserts without adding a line (a heading, a list item)."""

LINE = "\ue000"
"""A line break inside a block, kept through decoding so each sentence knows its line."""

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?:~|\\ )?\Z")
_BLANK_LINE = re.compile(rf"\n[ \t]*\n|{PARAGRAPH}")
_ONLY_PUNCTUATION = re.compile(r"[\W_]*")


@dataclass(frozen=True)
class DraftSentence:
    text: str
    keys: tuple[str, ...]
    """Citation keys as written, in order of first appearance in the draft."""

    line: int
    """1-based line the sentence starts on."""

    paragraph: int


@dataclass
class Draft:
    format: Format
    sentences: list[DraftSentence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What could not be read as written (per item), for the report."""

    bibliographies: list[str] = field(default_factory=list)
    """Bibliography files the draft names (``\\bibliography{refs}``), as written."""

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(k for s in self.sentences for k in s.keys))


@dataclass(frozen=True)
class Block:
    text: str
    """Plain text; its line breaks are ``LINE`` characters."""

    line: int


class CitationKeys:
    """The keys a draft cites, each standing for one placeholder number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def marker(self, keys: Iterable[str]) -> str:
        """The placeholder marker for ``keys`` (empty when there are none)."""
        numbers = [
            self.numbers.setdefault(key, FIRST_NUMBER + len(self.numbers))
            for key in dict.fromkeys(k.strip() for k in keys)
            if key
        ]
        return format_marker(numbers)

    def keys_of(self, numbers: Iterable[int]) -> tuple[tuple[str, ...], list[int]]:
        """The keys of the placeholder numbers, and the numbers that are no placeholder."""
        by_number = {number: key for key, number in self.numbers.items()}
        found = [by_number[n] for n in numbers if n in by_number]
        return tuple(dict.fromkeys(found)), [n for n in numbers if n not in by_number]


def place_marker(before: str, marker: str, after: str, *, textual: bool) -> str:
    """``before`` with ``marker`` appended, or put before its closing full stop when the citation
    belongs to the sentence that ends there (see the module docstring)."""
    if not marker:
        return before
    end = None if textual else _SENTENCE_END.search(before)
    if end is not None:
        glued = not before[end.start() :].rstrip("~\\ ").endswith(" ")
        follows = after.lstrip(" \t~")
        if glued or not follows or follows[:1] in "\n" or follows[:1].isupper():
            return f"{before[: end.start()]} {marker}{before[end.start() :]}"
    return f"{before} {marker} "


def paragraphs(text: str, first_line: int = 1) -> Iterator[Block]:
    """Blocks of ``text`` split at blank lines and ``PARAGRAPH`` marks, with their lines."""
    start = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            skipped = len(piece) - len(piece.lstrip())
            line = first_line + text.count("\n", 0, start + skipped)
            yield Block(piece.strip().replace("\n", LINE), line)
        if match:
            start = match.end()


def assemble(format: Format, blocks: Iterable[Block], keys: CitationKeys) -> Draft:
    """The draft's sentences: each block split, its markers read back as keys."""
    draft = Draft(format)
    unknown: list[int] = []
    for paragraph, block in enumerate(blocks):
        plain, breaks = _line_breaks(block.text)
        cursor = 0
        for raw in split_sentences(plain):
            offset = max(plain.find(raw, cursor), cursor)
            cursor = offset + len(raw)
            line = block.line + bisect_right(breaks, offset)
            text, numbers = strip_markers(raw)
            cited, others = keys.keys_of(numbers)
            unknown.extend(others)
            previous = draft.sentences[-1] if draft.sentences else None
            if _ONLY_PUNCTUATION.fullmatch(text):
                if cited and previous is not None and previous.paragraph == paragraph:
                    merged = tuple(dict.fromkeys([*previous.keys, *cited]))
                    draft.sentences[-1] = DraftSentence(
                        previous.text, merged, previous.line, paragraph
                    )
                continue
            draft.sentences.append(DraftSentence(text, cited, line, paragraph))
    for number in dict.fromkeys(unknown):
        draft.notes.append(f"[{number}] is a numbered reference, not a citation key: not checked")
    return draft


def _line_breaks(text: str) -> tuple[str, list[int]]:
    """``text`` with each ``LINE`` made a space, and the offsets where they were."""
    breaks = [index for index, char in enumerate(text) if char == LINE]
    return text.replace(LINE, " "), breaks
