"""Sentence boundaries in scientific writing: abstracts, model replies, Markdown and LaTeX drafts.

One pass over the text looks at each place a sentence may end (a full stop, "?", "!", an
ellipsis, CJK "。！？") and decides it from the word before (``words.before``: an abbreviation,
an initial, an ordinary word) and what follows (``words.after``: a capital, a digit, a
lower-case name such as "iTransformer", a symbol, or a word that goes on). Closing quotes and
brackets after the stop stay with its sentence, and so do citations (``citations``): ``[3]``,
``[@a; @b]``, ``\\cite{a}``, ``(Smith et al., 2020)`` after a full stop belong to the sentence
before, unless a plain lower-case word follows them ("... entirely. [3] show that ..."), which
makes the citation the next sentence's subject. A blank line always ends a sentence.

``hard_breaks`` is for text laid out in lines (drafts, a model's Markdown reply): a line break
after a full stop then ends the sentence whatever follows; a line that starts a list item, a
heading or a quote starts a sentence (the marks themselves are left out of it); a line that ends
with a citation ends a sentence when the next line starts one; and a paragraph with no sentence
end at all is read as one sentence per line (every line that starts like a sentence or follows
a citation; a line that starts with a plain lower-case word after one that does not end with a
citation continues it, as a wrapped line does).

Nothing is ever cut for length: a sentence of 100,000 characters comes back whole. The work is
linear in the text's length: each look back or ahead is bounded, or covers text that no later
look reads again.
"""

import re
from collections.abc import Iterator
from typing import NamedTuple

from assistant.sentences.citations import citation_end, ends_with_citation
from assistant.sentences.words import STARTS, After, Before, after, before

Span = tuple[int, int]
"""Where a sentence starts and ends in the text (``text[start:end]``), white space trimmed."""

_STOPS = re.compile(r"[.!?…。！？．｡]+")
_STOPS_AND_LINES = re.compile(r"[.!?…。！？．｡]+|\n")
_WIDE = frozenset("。！？．｡")
"""Stops that need no space after them."""

_CLOSERS = re.compile(r"[\"'”’»)\]}」』）】]*")
_SPACE = re.compile(r"\s*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_LAYOUT = re.compile(r"[^\S\n]*(?:[-*+•]|\d{1,3}[.)]|#{1,6}|>+)[^\S\n]+")
"""A list item's, heading's or quote's marks at a line's start."""

_HEADING = re.compile(r"[^\S\n]*#{1,6}[^\S\n]")
_TERMINATED = re.compile(r"[。！？．｡]|[.!?…][\"'”’)\]]*(?:\s|\Z)")
_MAX_CITATIONS = 16


class Cut(NamedTuple):
    end: int
    """Where the sentence before ends."""

    next: int
    """Where the next one starts."""


def sentence_spans(text: str, *, hard_breaks: bool = False) -> list[Span]:
    """Where each sentence of ``text`` starts and ends, in order."""
    spans: list[Span] = []
    for start, end in _paragraphs(text):
        paragraph = _Paragraph(text, start, end, hard_breaks)
        position = paragraph.first()
        for cut in paragraph.cuts():
            _add(spans, text, position, cut.end)
            position = cut.next
        _add(spans, text, position, end)
    return spans


def split_sentences(text: str, *, hard_breaks: bool = False) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``)."""
    return [text[start:end] for start, end in sentence_spans(text, hard_breaks=hard_breaks)]


def _paragraphs(text: str) -> Iterator[Span]:
    start = 0
    for blank in _BLANK_LINE.finditer(text):
        yield start, blank.start()
        start = blank.end()
    yield start, len(text)


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        first = start + len(piece) - len(piece.lstrip())
        spans.append((first, first + len(stripped)))


def _past(pattern: re.Pattern[str], text: str, position: int, limit: int) -> int:
    """Where ``pattern``, which matches the empty string too, stops matching from ``position``."""
    match = pattern.match(text, position, limit)
    return match.end() if match else position


def _ends(word: Before | None, kind: After, broken: bool) -> bool:
    """Whether a stop after ``word`` (None: "!" or "?") ends its sentence, ``kind`` following
    (and a line break in hard-break mode, when ``broken``: any word may then start one)."""
    if word is Before.NUMBERED and kind in (After.DIGIT, After.ENUMERATION):
        return False
    if word is Before.WEAK:
        return kind is After.STARTER
    if word is Before.ELLIPSIS:
        return kind in (After.STARTER, After.UPPER) or broken
    return kind in STARTS or broken


class _Paragraph:
    """One paragraph's cuts, found left to right."""

    def __init__(self, text: str, start: int, end: int, hard_breaks: bool) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.hard = hard_breaks
        self.unpunctuated = hard_breaks and not _TERMINATED.search(text, start, end)
        """A paragraph with no sentence end at all: one sentence per line."""

        self.read = start
        """Everything before this was read as what follows an earlier stop."""

        self.line = start
        """Where the current line starts."""

    def first(self) -> int:
        """Where the first sentence starts: after a list item's marks, in hard-break mode."""
        layout = _LAYOUT.match(self.text, self.start, self.end) if self.hard else None
        return layout.end() if layout else self.start

    def cuts(self) -> Iterator[Cut]:
        pattern = _STOPS_AND_LINES if self.hard else _STOPS
        for match in pattern.finditer(self.text, self.start, self.end):
            cut = None
            if match.start() >= self.read:
                cut = self._line(match.start()) if match.group() == "\n" else self._stop(match)
            if match.group() == "\n":
                self.line = match.end()
            if cut is not None:
                yield cut

    def _stop(self, stop: re.Match[str]) -> Cut | None:
        text = self.text
        closed = _past(_CLOSERS, text, stop.end(), self.end)
        glued = closed < self.end and not text[closed].isspace()
        wide = stop.group()[-1] in _WIDE
        tie = (
            glued and text.startswith("~", closed) and citation_end(text, closed + 1, self.end) > 0
        )
        start = closed + 1 if tie else closed  # "holds.~\cite{a}"
        if glued and not (wide or tie) and citation_end(text, start, self.end) < 0:
            return None  # "3.5", "e.g.,", "example.org", "sharing.This"
        groups, following, newline = self._citations(start)
        self.read = following
        end = groups[-1][1] if groups else closed
        broken = newline and self.hard
        layout = _LAYOUT.match(text, self._line_start(following), self.end) if broken else None
        if layout is not None:
            return Cut(end, layout.end())
        word = None if wide else self._word(stop)
        if word is Before.ABBREVIATION:
            return None
        kind = after(text, following, self.end)
        if kind in (After.END, After.CONTINUATION):
            return None
        # "... entirely. [3] show that ...": the last citation opens the next sentence.
        textual = kind is After.LOWER and bool(groups) and groups[-1][0] > start
        if textual:
            kind = After.SYMBOL
        if not (wide or _ends(word, kind, broken)):
            return None
        if textual:
            return Cut(groups[-2][1] if len(groups) > 1 else closed, groups[-1][0])
        return Cut(end, following)

    def _line_start(self, position: int) -> int:
        return self.text.rfind("\n", self.start, position) + 1 or self.start

    def _word(self, stop: re.Match[str]) -> Before | None:
        """What the word before ``stop`` is (None for "!" or "?")."""
        marks = stop.group()
        if "…" in marks or marks.count(".") >= 3:
            elision = stop.start() > self.start and self.text[stop.start() - 1] in "(["
            return Before.ABBREVIATION if elision else Before.ELLIPSIS  # "[...]": an elision
        if "!" in marks or "?" in marks:
            return None
        return before(self.text, stop.start(), self.start)

    def _citations(self, position: int) -> tuple[list[Span], int, bool]:
        """The citations from ``position`` (runs of them glued together, each run a span), where
        the text after them starts, and whether a line break came before it."""
        text = self.text
        groups: list[Span] = []
        newline = False
        while True:
            following = _past(_SPACE, text, position, self.end)
            newline = newline or "\n" in text[position:following]
            if len(groups) >= _MAX_CITATIONS:
                return groups, following, newline
            end = citation_end(text, following, self.end)
            if end < 0:
                return groups, following, newline
            if groups and following == position:
                groups[-1] = (groups[-1][0], end)
            else:
                groups.append((following, end))
            position = end

    def _line(self, newline: int) -> Cut | None:
        """A line break that no stop before it decided (hard-break mode)."""
        text = self.text
        following = _past(_SPACE, text, newline, self.end)
        layout = _LAYOUT.match(text, newline + 1, self.end)
        if layout or _HEADING.match(text, self.line, newline):
            return Cut(newline, layout.end() if layout else following)
        kind = after(text, following, self.end)
        if kind in (After.END, After.CONTINUATION):
            return None
        line_end = len(text[self.line : newline].rstrip()) + self.line
        cited = ends_with_citation(text, line_end, self.line)
        starts = kind in STARTS
        if (cited and (starts or self.unpunctuated)) or (self.unpunctuated and starts):
            return Cut(newline, following)
        return None
