"""A Markdown draft (Pandoc citation syntax) as sentences with citation keys.

Citations: ``[@key]``, ``[@key1; @key2]``, ``[see @key, p. 3]``, ``[-@key]``, ``@{key}``, and
``@key`` in running text (a textual citation; an e-mail address is not one). Dropped: YAML front
matter, fenced code, HTML comments and tags, headings (each starts a new paragraph), tables,
horizontal rules, images, link targets, footnote references. Kept: list items and footnote
definitions (each its own paragraph), block quotes, link text, emphasised and code text.
LaTeX left in text pasted from an arXiv abstract is mended ("6times" reads "6×", "85.4\\%"
"85.4%": ``latex_remnants``), so that it reads as the abstract it was copied from does.
"""

import re
from bisect import bisect_left

from assistant.citations.check.drafts import (
    PARAGRAPH,
    Block,
    CitationKeys,
    Draft,
    assemble,
    paragraphs,
)
from assistant.corpus.latex_remnants import mend_latex
from assistant.corpus.normalize import clean_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.DOTALL | re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t].*)?$", re.MULTILINE)
_SETEXT = re.compile(r"^[^\n]+\n[ \t]{0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*$", re.MULTILINE)
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:[ \t]*", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)

_KEY = r"(?:\{[^{}\n]+\}|[\w](?:[\w:.#$%&+?<>~/-]*[\w])?)"
_BRACKETED = re.compile(r"\[([^\[\]]*?(?<![\w.])-?@[^\[\]]*?)\](?![(\[:])")
_KEY_IN_BRACKETS = re.compile(rf"(?<![\w.])-?@({_KEY})")
_IN_TEXT = re.compile(rf"(?<![\w.@\\/])@({_KEY})")

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^)]*\)")
_REFERENCE_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]*>")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]]+\]")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_CODE = re.compile(r"(`+)(.+?)\1")
_OPENING = re.compile(r"\*|(?<!\w)_")
_CLOSING = {
    **{("*", size): re.compile(rf"(?<=\S)(?=\*{{{size}}})") for size in (1, 2, 3)},
    **{("_", size): re.compile(rf"(?<=\S)(?=_{{{size}}}(?!\w))") for size in (1, 2, 3)},
}
"""Where a closing run of one to three marks can start: after a non-space (and for ``_``, before
no word character)."""


def parse(source: str) -> Draft:
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    for pattern in (_FRONT_MATTER, _FENCE, _HTML_COMMENT):
        text = pattern.sub(_blank, text)
    text = _SETEXT.sub(lambda m: PARAGRAPH + "\n" * m.group(0).count("\n"), text)
    for pattern in (_HEADING, _RULE, _TABLE_ROW):
        text = pattern.sub(PARAGRAPH, text)
    for pattern in (_ITEM, _FOOTNOTE_DEFINITION):
        text = pattern.sub(PARAGRAPH, text)
    text = _QUOTE.sub("", text)
    keys = CitationKeys()
    text = _citations(text, keys)
    text = _inline(text)
    blocks = [Block(clean_text(b.text), b.line) for b in paragraphs(text)]
    return assemble("markdown", (b for b in blocks if b.text), keys)


def _citations(text: str, keys: CitationKeys) -> str:
    """Bracketed citation groups, then textual ``@key``s, replaced by placeholders where they
    stand (a group that names no key is dropped)."""

    def bracketed(match: re.Match[str]) -> str:
        found = [_key(k) for k in _KEY_IN_BRACKETS.findall(match.group(1))]
        marker = keys.marker(found)
        return f"{marker} " if marker else ""

    text = _BRACKETED.sub(bracketed, text)
    return _IN_TEXT.sub(lambda m: f" {keys.marker([_key(m.group(1))])} ", text)


def _key(raw: str) -> str:
    return raw[1:-1] if raw.startswith("{") else raw


def _inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub("", text)
    text = _FOOTNOTE_REFERENCE.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE.sub(r"\2", text)
    previous = None
    while previous != text:  # nested emphasis: ***a** b*
        previous, text = text, _emphasis(text)
    return mend_latex(text).replace("\\", "")


def _emphasis(text: str) -> str:
    """``text`` with each emphasised span, left to right, replaced by what it emphasises.

    A span opens with one to three ``*`` (or ``_`` after no word character) before a non-space,
    and closes at the nearest run of as many of the same marks on that line that follows a
    non-space (``_`` before no word character); the most marks that find a closing win. Each
    opening looks its closing up in a sorted list of them: scanning the line for it from every
    mark takes quadratic time on a line of marks that close nothing (``*a *a *a``)."""
    if "*" not in text and "_" not in text:
        return text
    closings = {marks: [m.start() for m in p.finditer(text)] for marks, p in _CLOSING.items()}
    line_ends = [m.start() for m in re.finditer("\n", text)] + [len(text)]
    pieces: list[str] = []
    position = 0
    for opening in _OPENING.finditer(text):
        start = opening.start()
        span = _span(text, start, closings, line_ends) if start >= position else None
        if span is not None:
            size, close = span
            pieces += [text[position:start], text[start + size : close]]
            position = close + size
    pieces.append(text[position:])
    return "".join(pieces)


def _span(
    text: str, start: int, closings: dict[tuple[str, int], list[int]], line_ends: list[int]
) -> tuple[int, int] | None:
    """How many marks open the span at ``start`` and where its closing marks begin; None when no
    span opens there."""
    mark = text[start]
    for size in (3, 2, 1):
        inner = start + size
        if not text.startswith(mark * size, start) or text[inner : inner + 1].isspace():
            continue
        candidates = closings[mark, size]
        found = bisect_left(candidates, inner + 1)
        line_end = line_ends[bisect_left(line_ends, inner)]
        if found < len(candidates) and candidates[found] < line_end:
            return size, candidates[found]
    return None


def _blank(match: re.Match[str]) -> str:
    return PARAGRAPH + "\n" * match.group(0).count("\n")
