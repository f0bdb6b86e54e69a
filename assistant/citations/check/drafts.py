"""A user's draft, Markdown or LaTeX, as sentences that each carry the citation keys they cite.

Each format's reader (``markdown.py``, ``latex.py``) turns its source into ``Block``s: paragraphs
of plain text with the line they start on, every citation replaced, where it stands, by a
numbered placeholder marker (``[100001, 100002]``) that ``CitationKeys`` maps back to the keys.
The shared tail here splits each block into sentences (``sentence_spans`` with hard line breaks:
a line that ends a sentence, a list item or a one-sentence-per-line paragraph never joins two
sentences), takes each sentence's markers out (``markers.strip_markers``) and turns numbers back
into keys. Which sentence a citation belongs to is the splitter's call: one after a full stop
(``holds. [@a] Next``, ``holds.\\cite{a}``) belongs to the sentence before, one that opens a
sentence as its subject (``\\citet{a} show``, ``@key showed``) to the sentence it opens. A
bracketed number that is no placeholder (a hand-written ``[12]``) is reported in
``Draft.notes`` and not checked, and so is a sentence too long to be one.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from assistant.citations.markers import format_marker, strip_markers
from assistant.sentences import sentence_spans

Format = Literal["markdown", "latex"]

FIRST_NUMBER = 100_001
"""Placeholder numbers start here, far from any number a person writes in brackets."""

PARAGRAPH = "\x1e"
"""A paragraph break a reader inserts without adding a line (a heading, a list item)."""

LINE = "\ue000"
"""A line break inside a block, kept through decoding so each sentence knows its line."""

LONG_SENTENCE = 5_000
"""Characters past which a sentence is reported: it is checked whole, but its punctuation is
likely missing."""

_BLANK_LINE = re.compile(rf"\n[ \t]*\n|{PARAGRAPH}")
_ONLY_PUNCTUATION = re.compile(r"[\W_]*")
_NEWLINE = re.compile("\n")


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
        self.keys: dict[int, str] = {}
        """The reverse of ``numbers``, kept as it grows (rebuilt per sentence, it made a draft
        with many keys take quadratic time)."""

    def marker(self, keys: Iterable[str]) -> str:
        """The placeholder marker for ``keys`` (empty when there are none)."""
        unique = dict.fromkeys(key.strip() for key in keys)
        return format_marker(self._number(key) for key in unique if key)

    def keys_of(self, numbers: Iterable[int]) -> tuple[tuple[str, ...], list[int]]:
        """The keys of the placeholder numbers, and the numbers that are no placeholder."""
        found = [self.keys[n] for n in numbers if n in self.keys]
        return tuple(dict.fromkeys(found)), [n for n in numbers if n not in self.keys]

    def _number(self, key: str) -> int:
        if key not in self.numbers:
            self.numbers[key] = FIRST_NUMBER + len(self.numbers)
            self.keys[self.numbers[key]] = key
        return self.numbers[key]


class Output:
    """The text a reader writes, kept in pieces and joined once at the end (rebuilding the whole
    text at each citation takes time quadratic in the draft's length), its lines counted."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.lines = 0
        """Line breaks written so far."""

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.lines += text.count("\n")

    def text(self) -> str:
        return "".join(self.pieces)


def paragraphs(text: str, first_line: int = 1) -> Iterator[Block]:
    """Blocks of ``text`` split at blank lines and ``PARAGRAPH`` marks, with their lines (counted
    on from the previous block: counting from the start each time is quadratic on many)."""
    start = counted = 0
    line = first_line
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            skipped = len(piece) - len(piece.lstrip())
            line += text.count("\n", counted, start + skipped)
            counted = start + skipped
            yield Block(piece.strip().replace("\n", LINE), line)
        if match:
            start = match.end()


def assemble(format: Format, blocks: Iterable[Block], keys: CitationKeys) -> Draft:
    """The draft's sentences: each block split, its markers read back as keys."""
    draft = Draft(format)
    unknown: list[int] = []
    for paragraph, block in enumerate(blocks):
        plain = block.text.replace(LINE, "\n")
        breaks = [match.start() for match in _NEWLINE.finditer(plain)]
        for start, end in sentence_spans(plain, hard_breaks=True):
            line = block.line + bisect_right(breaks, start)
            text, numbers = strip_markers(plain[start:end])
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
            if len(text) > LONG_SENTENCE:
                draft.notes.append(
                    f"line {line}: a sentence of {len(text):,} characters, checked as one: "
                    "is its punctuation missing?"
                )
            draft.sentences.append(DraftSentence(text, cited, line, paragraph))
    for number in dict.fromkeys(unknown):
        draft.notes.append(f"[{number}] is a numbered reference, not a citation key: not checked")
    return draft
