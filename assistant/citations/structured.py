"""Structured output: the JSON schema a reply must follow, read incrementally as it streams.

The model is asked (``response_format`` json_schema) for::

    {"paragraphs": [{"sentences": [{"text": "...", "citations": [1, 3], "pages": ["6-7", ""]}]}]}

Nobody wants to watch JSON being typed, so ``JsonSentenceStream`` turns the raw pieces into the
readable rendering as they arrive: each ``"text"`` string is decoded and passed on character by
character (escapes included, even when split across pieces); when a sentence object closes, its
valid citations follow as a marker placed before the sentence's closing punctuation (which is
held back until then), with the pages of a full-text passage where ``pages`` names them (one
entry a citation, "" for none: ``[1, pp. 6-7; 3]``); paragraphs are separated by a blank line.
The user sees the same prose as in marker mode. ``finish`` gives the cited sentences, including
those of a reply that was cut off mid-object (a truncated reply is never thrown away for being
invalid JSON).
"""

import contextlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.citations.markers import (
    MarkerStream,
    Parsed,
    add_sentence,
    format_marker,
    page_span,
    place,
)


class SentenceOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="One sentence, without citation markers.")
    citations: list[int] = Field(description="Numbers of the sources that support it.")
    pages: list[str] = Field(
        description="For each citation, in the same order: the page or pages of the passage it "
        'rests on ("6" or "6-7"), or "" when the source gives none.'
    )


class ParagraphOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentences: list[SentenceOut]


class CitedTextOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paragraphs: list[ParagraphOut]


def json_schema() -> dict[str, Any]:
    """The schema of ``CitedTextOut``, as passed to ``ChatModel.stream(json_schema=...)``."""
    return CitedTextOut.model_json_schema()


_HELD = re.compile(r"[.!?…:;\"'”’)\]]+\Z")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass
class _Frame:
    kind: str  # "{" or "["
    owner: str | None  # the key this container is the value of (arrays pass theirs on)
    key: str | None = None
    expect_key: bool = True


@dataclass
class _Sentence:
    paragraph: int
    text: list[str] = field(default_factory=list)
    citations: list[int] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def cited_pages(self) -> dict[int, str]:
        """Each citation's pages, as a marker writes them (none where they do not read as
        pages)."""
        spans = (page_span(p) for p in self.pages)
        return {n: span for n, span in zip(self.citations, spans, strict=False) if span}


class JsonSentenceStream:
    """Feed raw JSON pieces, get readable text back; ``finish`` parses what arrived."""

    def __init__(self, valid: Collection[int]) -> None:
        self.valid = valid
        self._stack: list[_Frame] = []
        self._in_string = False
        self._string_role = ""  # "key", "text" or "other"
        self._buffer: list[str] = []  # the key being read
        self._escape: str | None = None  # the escape being read, after its backslash
        self._surrogate: int | None = None
        self._number = ""
        self._paragraph = 0
        self._sentences: list[_Sentence] = []
        self._current: _Sentence | None = None
        self._filter = MarkerStream(valid)
        self._held = ""
        self._shown = False  # whether any sentence text has been shown yet
        self._started = False  # whether the current sentence has shown text yet
        self._paragraph_shown = -1

    def feed(self, piece: str) -> str:
        out: list[str] = []
        for char in piece:
            if self._in_string:
                self._string_char(char, out)
            else:
                self._structure_char(char, out)
        return "".join(out)

    def close(self) -> str:
        """Flush what is held back (at the end of the stream)."""
        out: list[str] = []
        if self._current is not None:
            self._end_sentence(out)
        return "".join(out)

    def finish(self) -> Parsed:
        """The sentences that arrived, citations checked against the given sources."""
        parsed = Parsed()
        sentences = [*self._sentences, *([self._current] if self._current else [])]
        for sentence in sentences:
            add_sentence(
                parsed,
                "".join(sentence.text),
                sentence.citations,
                sentence.paragraph,
                self.valid,
                pages=sentence.cited_pages(),
            )
        return parsed

    # Outside strings

    def _structure_char(self, char: str, out: list[str]) -> None:
        if char.isdigit() or char == "-" or (self._number and char in "+.eE"):
            self._number += char
            return
        if self._number:
            self._end_number()
        top = self._stack[-1] if self._stack else None
        if char == '"':
            self._start_string(top)
        elif char in "{[":
            owner = (top.key if top.kind == "{" else top.owner) if top else None
            self._stack.append(_Frame(char, owner))
            if char == "{" and owner == "sentences":
                self._current = _Sentence(self._paragraph)
                self._started = False
        elif char in "}]" and self._stack:
            frame = self._stack.pop()
            if frame.kind == "{" and frame.owner == "sentences":
                self._end_sentence(out)
            elif frame.kind == "{" and frame.owner == "paragraphs":
                self._paragraph += 1
        elif top is not None and top.kind == "{" and char in ":,":
            top.expect_key = char == ","

    def _end_number(self) -> None:
        top = self._stack[-1] if self._stack else None
        if top is not None and top.kind == "[" and top.owner == "citations" and self._current:
            with contextlib.suppress(ValueError):
                self._current.citations.append(int(float(self._number)))
        self._number = ""

    # Inside strings

    def _start_string(self, top: _Frame | None) -> None:
        self._in_string = True
        self._buffer = []
        if top is not None and top.kind == "{" and top.expect_key:
            self._string_role = "key"
        elif top is not None and top.kind == "{" and top.key == "text" and self._current:
            self._string_role = "text"
        elif top is not None and top.kind == "[" and top.owner == "pages" and self._current:
            self._string_role = "page"
        else:
            self._string_role = "other"

    def _string_char(self, char: str, out: list[str]) -> None:
        if self._escape is not None:
            self._escape += char
            decoded = self._decode_escape()
            if decoded is not None:
                self._escape = None
                self._string_text(decoded, out)
        elif char == "\\":
            self._escape = ""
        elif char == '"':
            self._in_string = False
            if self._string_role == "key" and self._stack:
                self._stack[-1].key = "".join(self._buffer)
            elif self._string_role == "page" and self._current is not None:
                self._current.pages.append("".join(self._buffer))
        else:
            self._string_text(char, out)

    def _decode_escape(self) -> str | None:
        """The character an escape stands for, once complete; None while it is not."""
        escape = self._escape or ""
        if not escape.startswith("u"):
            return _ESCAPES.get(escape, escape)
        if len(escape) < 5:
            return None
        try:
            code = int(escape[1:], 16)
        except ValueError:
            return ""
        if 0xD800 <= code < 0xDC00:
            self._surrogate = code
            return ""
        if 0xDC00 <= code < 0xE000 and self._surrogate is not None:
            code = 0x10000 + ((self._surrogate - 0xD800) << 10) + (code - 0xDC00)
        self._surrogate = None
        return chr(code) if not 0xD800 <= code < 0xE000 else ""

    def _string_text(self, text: str, out: list[str]) -> None:
        if self._string_role in ("key", "page"):
            self._buffer.append(text)
        elif self._string_role == "text" and self._current is not None:
            self._current.text.append(text)
            self._show(text, out)

    # Showing

    def _show(self, text: str, out: list[str]) -> None:
        """Pass sentence text on, holding back closing punctuation until the sentence ends."""
        if not text:
            return
        if self._paragraph_shown != self._paragraph:
            if self._shown:
                out.append(self._filter.close() + "\n\n")
            self._paragraph_shown = self._paragraph
        elif not self._started and self._shown:
            out.append(" ")  # the first piece of a new sentence in the same paragraph
        self._shown = self._started = True
        visible = self._held + self._filter.feed(text)
        held = _HELD.search(visible)
        cut = held.start() if held else len(visible)
        self._held = visible[cut:]
        out.append(visible[:cut])

    def _end_sentence(self, out: list[str]) -> None:
        sentence, self._current = self._current, None
        if sentence is None:
            return
        visible = self._held + self._filter.close()
        self._held = ""
        if sentence.text:
            cited = [n for n in sentence.citations if n in self.valid]
            visible = place(visible, format_marker(cited, sentence.cited_pages()))
        out.append(visible)
        self._sentences.append(sentence)


class ReplyStream:
    """The reader for a reply that was asked for as JSON: ``JsonSentenceStream`` when it is
    JSON (a Markdown code fence around it is skipped), ``MarkerStream`` when the server ignored
    the schema and the model wrote prose, decided by the reply's first characters."""

    def __init__(self, valid: Collection[int]) -> None:
        self.valid = valid
        self._reader: JsonSentenceStream | MarkerStream | None = None
        self._start = ""

    @property
    def structured(self) -> bool:
        return isinstance(self._reader, JsonSentenceStream)

    def feed(self, piece: str) -> str:
        if self._reader is not None:
            return self._reader.feed(piece)
        self._start += piece
        head = self._start.lstrip()
        if head.startswith("```"):
            if "\n" not in head:
                return ""
            head = head.split("\n", 1)[1].lstrip()
        if not head or head == "`" * len(head):
            return ""
        self._reader = (
            JsonSentenceStream(self.valid) if head[0] == "{" else MarkerStream(self.valid)
        )
        return self._reader.feed(head if self.structured else self._start)

    def close(self) -> str:
        if self._reader is None and self._start.strip():
            self._reader = MarkerStream(self.valid)
            return self._reader.feed(self._start) + self._reader.close()
        return self._reader.close() if self._reader else ""

    def finish(self) -> Parsed:
        return self._reader.finish() if self._reader else Parsed()
