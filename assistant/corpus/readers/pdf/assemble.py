"""From placed lines to what a reader returns: each page's text, the body's spans over it by
section, and the lines of the reference list.

Lines are walked in reading order across pages. A heading starts a section; "References" (or,
when no such heading exists, a bracketed list starting "[1]" in the second half of the paper)
starts the reference list, which runs until a heading or, when the list is set smaller than the
body, a line in the body's size (RevTeX's last page puts the end of the text beside the list). A
paragraph ends at a heading, a wider gap, or a new column, unless the sentence runs on into it.
A figure's caption waits until the paragraph it interrupts has ended; footnotes and margin
notes come after the page's text (``layout`` places them so).
"""

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from assistant.corpus.fulltext import Page, Span
from assistant.corpus.readers.pdf.clean import Vocabulary, clean_line
from assistant.corpus.readers.pdf.document import PdfPage
from assistant.corpus.readers.pdf.layout import ASIDE, NOTE, TEXT, Placed
from assistant.corpus.readers.pdf.references import BRACKETED
from assistant.corpus.readers.pdf.sections import BODY, FRONT, Heading, heading

_PARAGRAPH_GAP = 0.7
"""A gap above a line wider than this many font sizes starts a paragraph."""
_WRAPPED_WORDS = 9
"""A numbered heading this long that runs on in its style is a list item, not a title."""
_TEXT_WORDS = 4
"""A line of text under a heading has this many words at least (a table cell fewer)."""
_LOOKAHEAD = 12
"""A bare "[1]" starts a reference list when "[2]" follows within this many lines."""
_SENTENCE_END = (".", "!", "?", ":")
_IN_SPANS = frozenset({"body", "caption", "note"})
_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Tab\.)\s*[A-Z]?\d+[.:]")
"""A caption starts a paragraph of its own, even beside a sentence it interrupts."""


@dataclass(frozen=True)
class _Item:
    page: int
    text: str
    placed: Placed
    heading: Heading | None


@dataclass
class Assembled:
    """A paper's pages, its body's spans, and the lines of its reference list to be parsed."""

    pages: list[Page] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    reference_lines: list[tuple[str, Placed]] = field(default_factory=list)
    body_size: float = 0.0


@dataclass
class _Paragraph:
    role: str
    """"body", "caption", "note" (a footnote), "heading", "references" or "aside": only
    paragraphs of one role join; body, captions and notes are in the spans."""
    section: tuple[str, str]
    """(title, kind) of the section it is in."""
    lines: list[str]
    last: Placed
    closed: bool = False
    """Nothing joins it (a heading)."""


def assemble(pages: list[PdfPage], dropped: list[set[int]]) -> tuple[Assembled, Vocabulary]:
    kept = [
        [
            (text, placed)
            for i, placed in enumerate(page.lines)
            if i not in drop
            if (text := clean_line(placed.line.text))
        ]
        for page, drop in zip(pages, dropped, strict=True)
    ]
    vocabulary = Vocabulary()
    for lines in kept:
        vocabulary.add(text for text, _ in lines)
    result = Assembled(body_size=_body_size(kept))
    items = _headings(pages, kept, result.body_size, vocabulary)
    bare_list = _bare_list_start(items)
    _Walk(result, vocabulary, bare_list).run(items, [page.number for page in pages])
    return result, vocabulary


def _body_size(pages: list[list[tuple[str, Placed]]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for text, placed in lines:
            sizes[round(placed.line.size * 2) / 2] += len(text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _headings(
    pages: list[PdfPage],
    kept: list[list[tuple[str, Placed]]],
    body_size: float,
    vocabulary: Vocabulary,
) -> list[_Item]:
    items: list[_Item] = []
    started = False
    for page, lines in zip(pages, kept, strict=True):
        for text, placed in lines:
            found = None
            if placed.flow == TEXT:
                line = replace(placed.line, text=text)
                found = heading(line, placed.cells, body_size, started=started)
            started = started or found is not None
            items.append(_Item(page.number, text, placed, found))
    return _unwrapped(items, vocabulary)


def _unwrapped(items: list[_Item], vocabulary: Vocabulary) -> list[_Item]:
    """Headings that run on to a second line in their style: a short numbered one keeps it as
    part of its title; any other is no heading but a paragraph (or a list item) set in bold or
    large type, unless it names a section every paper has. An unnumbered title must also be
    followed by a line of text: a bold cell of a table is followed by short ones."""
    kept: list[_Item] = []
    skip = False
    for index, item in enumerate(items):
        after = items[index + 1] if index + 1 < len(items) else None
        if skip:
            skip = False
            continue
        found = item.heading
        if found and not found.rest and after and not after.heading and _same_style(item, after):
            if found.number is not None and len(found.title.split()) < _WRAPPED_WORDS:
                title = vocabulary.join(found.title, after.text)
                item = replace(item, heading=replace(found, title=title))
                skip = True
            elif found.kind == BODY:
                item = replace(item, heading=None)
        elif found and not found.known and not _followed_by_text(item, after):
            item = replace(item, heading=None)
        kept.append(item)
    return kept


def _followed_by_text(item: _Item, after: _Item | None) -> bool:
    """Whether what follows a title reads as text under it: a heading, a line of a few words,
    a line alone on its row of the same column (a run-in subheading), or anything on the next
    page."""
    if after is None or after.heading or after.page != item.page:
        return True
    below = after.placed.column == item.placed.column and after.placed.cells == 1
    return below or len(after.text.split()) >= _TEXT_WORDS


def _same_style(first: _Item, second: _Item) -> bool:
    one, two = first.placed, second.placed
    if first.page != second.page or one.column != two.column:
        return False
    em = max(one.line.size, 1.0)
    same = one.line.bold == two.line.bold and abs(one.line.size - two.line.size) < 0.5
    return same and two.gap < _PARAGRAPH_GAP * em


def _bare_list_start(items: list[_Item]) -> int | None:
    """Where a reference list with no heading starts: "[1]" then "[2]" soon after, in the
    second half of the paper, when no heading names the references."""
    if any(item.heading and item.heading.kind == "references" for item in items):
        return None
    last_page = items[-1].page if items else 0
    for index, item in enumerate(items):
        match = BRACKETED.match(item.text)
        if match and match.group(1) == "1" and 2 * item.page > last_page:
            following = items[index + 1 : index + 1 + _LOOKAHEAD]
            if any((m := BRACKETED.match(other.text)) and m.group(1) == "2" for other in following):
                return index
    return None


class _Walk:
    """The walk through every line of the paper, building pages, spans and the reference list."""

    def __init__(self, result: Assembled, vocabulary: Vocabulary, bare_list: int | None) -> None:
        self.result = result
        self.vocabulary = vocabulary
        self.bare_list = bare_list
        self.section: tuple[str, str] = ("", FRONT)
        self.in_references = False
        self.reference_size = 0.0
        self.next_number: int | None = None
        """The number the next bracketed entry would have, once the list has left off."""
        self.paragraphs: list[_Paragraph] = []
        self.captions: list[_Paragraph] = []
        """Figure and table captions waiting for the paragraph they interrupt to end, so as not
        to cut a sentence that runs past the figure."""
        self.in_caption = False
        self.parent: Heading | None = None
        """The last heading of a known kind, whose subsections share its kind..."""
        self.child_size: float | None = None
        """...and the size its unnumbered subsection headings are set in."""
        self.text_since_heading = False

    def run(self, items: list[_Item], numbers: list[int]) -> None:
        by_page: dict[int, list[tuple[int, _Item]]] = {number: [] for number in numbers}
        for index, item in enumerate(items):
            by_page[item.page].append((index, item))
        for number in numbers:
            self.paragraphs, self.captions, self.in_caption = [], [], False
            for index, item in by_page[number]:
                self.line(index, item)
            self.finish_page(number)

    def line(self, index: int, item: _Item) -> None:
        placed, found = item.placed, item.heading
        if placed.flow == ASIDE:
            self.add("aside", item.text, placed)
            return
        if placed.flow == NOTE:
            self.add("note", item.text, placed)
            return
        if self.in_references and found and not found.ends_references:
            found = None  # bold author names (PeerJ), not a heading
        if self.in_references and (found or self.resumes(item)):
            self.in_references = False
        elif not self.in_references and not found and self.starts_list(index, item):
            self.in_references = True
            self.reference_size = 0.0
        if found and found.kind == "references":
            self.add("heading", found.title, placed, new=True, closed=True)
            self.in_references = True
            self.reference_size = 0.0
        elif self.in_references:
            self.result.reference_lines.append((item.text, placed))
            self.number_seen(item.text)
            self.add("references", item.text, placed)
        elif found:
            self.add("heading", found.title, placed, new=True, closed=True)
            self.section = (found.title, self.kind(found))
            if found.rest:
                self.add("body", found.rest, placed, new=True)
        else:
            self.add("body", item.text, placed)
            self.text_since_heading = True

    def kind(self, found: Heading) -> str:
        """The heading's kind, or its parent's when it opens a subsection: "2.1" under "2
        Related work"; an unnumbered title right under its parent's, and the later ones in the
        same size (PLOS sets both levels alike); a smaller one."""
        parent, first_child = self.parent, not self.text_since_heading
        self.text_since_heading = False
        if found.kind != BODY:
            self.parent, self.child_size = found, None
            return found.kind
        if parent is None:
            return BODY
        if found.number is not None and parent.number is not None:
            within = found.number.startswith(parent.number + ".")
        elif found.number is None and parent.number is None:
            if self.child_size is None and (first_child or found.size < parent.size - 0.5):
                self.child_size = found.size
            within = self.child_size is not None and abs(found.size - self.child_size) < 0.5
        else:
            within = False
        if within:
            return parent.kind
        self.parent = None
        return BODY

    def resumes(self, item: _Item) -> bool:
        """A line in the body's size after a list set smaller: the body goes on beside it."""
        size = item.placed.line.size
        if not self.reference_size:
            self.reference_size = size
            return False
        body = self.result.body_size
        smaller = self.reference_size < body - 0.5
        return smaller and abs(size - body) < 0.5 and not BRACKETED.match(item.text)

    def starts_list(self, index: int, item: _Item) -> bool:
        if index == self.bare_list:
            return True
        match = BRACKETED.match(item.text)
        return bool(match and self.next_number and int(match.group(1)) == self.next_number)

    def number_seen(self, text: str) -> None:
        match = BRACKETED.match(text)
        if match:
            self.next_number = int(match.group(1)) + 1

    def add(
        self, role: str, text: str, placed: Placed, *, new: bool = False, closed: bool = False
    ) -> None:
        """``text`` into the page's current paragraph, or a new one."""
        if role == "body" and _CAPTION.match(text):
            self.captions.append(_Paragraph("caption", self.section, [text], placed))
            self.in_caption = True
            return
        if self.in_caption:
            caption = self.captions[-1]
            same_column = placed.column == caption.last.column
            if role == "body" and not new and same_column and _continues(caption, placed, text):
                caption.lines.append(text)
                caption.last = placed
                return
            self.in_caption = False
        last = self.paragraphs[-1] if self.paragraphs else None
        joins = (
            last
            and not (new or last.closed)
            and (last.role, last.section)
            == (
                role,
                self.section,
            )
        )
        if last and joins and _continues(last, placed, text):
            last.lines.append(text)
            last.last = placed
        else:
            self.flush_captions()
            self.paragraphs.append(_Paragraph(role, self.section, [text], placed, closed))

    def flush_captions(self) -> None:
        if not self.in_caption:
            self.paragraphs += self.captions
            self.captions = []

    def finish_page(self, number: int) -> None:
        self.in_caption = False
        self.flush_captions()
        text = ""
        for paragraph in self.paragraphs:
            joined = paragraph.lines[0]
            for line in paragraph.lines[1:]:
                joined = self.vocabulary.join(joined, line)
            start = len(text) + 2 if text else 0
            text = f"{text}\n\n{joined}" if text else joined
            if paragraph.role in _IN_SPANS:
                self.span(number, paragraph.section, start, len(text))
        self.result.pages.append(Page(number, text))

    def span(self, page: int, section: tuple[str, str], start: int, end: int) -> None:
        """A span for a body paragraph; one with the paragraph before when they are neighbours
        in one section."""
        spans = self.result.spans
        previous = spans[-1] if spans else None
        if (
            previous
            and previous.page == page
            and (previous.section, previous.kind) == section
            and previous.end + 2 == start
        ):
            spans[-1] = Span(previous.section, previous.kind, page, previous.start, end)
        else:
            spans.append(Span(section[0], section[1], page, start, end))


def _continues(paragraph: _Paragraph, placed: Placed, text: str) -> bool:
    """Whether ``placed`` (its clean text ``text``) goes on with the paragraph that ends with
    ``paragraph.last``."""
    last = paragraph.last
    if _CAPTION.match(text):
        return False
    em = max(placed.line.size, 1.0)
    gap = placed.line.top - last.line.bottom
    below = placed.line.x0 < last.line.x1 and last.line.x0 < placed.line.x1 and gap >= -0.5 * em
    if placed.column != last.column and not below:
        return not paragraph.lines[-1].endswith(_SENTENCE_END)  # running on into a new column
    if (gap if placed.column != last.column else placed.gap) > _PARAGRAPH_GAP * em:
        return False
    indented = placed.indent > last.indent + 0.8 * em
    return not (indented and paragraph.lines[-1].endswith(_SENTENCE_END))
