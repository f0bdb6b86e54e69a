"""Hugging Face "Daily Papers" listing pages saved as plain text.

A page is chrome ("new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the
research community", a date such as "Jun 13") and then, for each paper, its title on one line
and its abstract on the next, with or without blank lines between. Some saves glue the first title
to "Subscribe" ("SubscribeViTPose++: ..."). The abstracts keep some of their LaTeX ("85.4\\%",
"5times higher"): it is mended (``latex_remnants``). Titles are short; abstracts are long
paragraphs.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.latex_remnants import mend_latex
from assistant.corpus.normalize import clean_text
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import source
from assistant.corpus.readers.text import LONG_LINE, bounded_lines, open_text

_CHROME = frozenset(
    {
        "new",
        "Subscribe",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
        "byAK and the research community",
    }
)
_DATE = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:, \d{4})?$"
)
_GLUED = re.compile(r"^Subscribe(?=[A-Z0-9])")
_SENTENCE_END = (".", "!", "?", ")", '"')

ABSTRACT_MIN_CHARS = 250
"""A line this long is an abstract (real dumps: abstracts 420+ characters, titles < 180)."""
ABSTRACT_MIN_WORDS = 30
"""A shorter line is still an abstract when it has this many words and ends like a sentence."""


@dataclass
class _Pending:
    """A title read, waiting for its abstract lines."""

    title: str
    line: int
    abstract: list[str] = field(default_factory=list)


class DailyPapersReader:
    """Reads title/abstract pairs from saved Daily Papers pages."""

    name = "daily-papers"
    extensions: tuple[str, ...] = (".txt",)

    def sniff(self, head: str) -> bool:
        """The page chrome stands on lines of its own near the top (a README that merely
        quotes it, inside a sentence or a code block, is not a dump)."""
        top = {line.strip() for line in head.splitlines()[:12]}
        return any(line.startswith("Get trending papers in your email inbox") for line in top)

    def read(self, path: Path) -> Iterator[Item]:
        pending: _Pending | None = None
        with open_text(path) as handle:
            for number, raw in enumerate(bounded_lines(handle), start=1):
                if raw is None:
                    yield ReadIssue(str(path), LONG_LINE, line=number)
                    continue
                text = content_line(raw)
                if not text:
                    continue
                if looks_like_abstract(text):
                    if pending is None:
                        yield ReadIssue(str(path), "abstract with no title before it", line=number)
                    else:
                        pending.abstract.append(text)
                    continue
                if pending is not None:
                    yield self._paper(path, pending)
                pending = _Pending(text, number)
        if pending is not None:
            yield self._paper(path, pending)

    def _paper(self, path: Path, pending: _Pending) -> Paper:
        return Paper(
            title=mend_latex(pending.title),
            abstract=mend_latex(" ".join(pending.abstract)),
            sources=[source(path, self.name, line=pending.line)],
        )


def content_line(raw: str) -> str:
    """The line's text, or "" for blank lines and page chrome; a glued "Subscribe" is cut off."""
    text = _GLUED.sub("", clean_text(raw.lstrip("\ufeff")))
    if text in _CHROME or _DATE.match(text):
        return ""
    return text


def looks_like_abstract(text: str) -> bool:
    """Long lines, or many words ending like a sentence, are abstracts; the rest are titles."""
    if len(text) >= ABSTRACT_MIN_CHARS:
        return True
    return len(text.split()) >= ABSTRACT_MIN_WORDS and text.endswith(_SENTENCE_END)
