"""A paper's full text, as a reader found it in a PDF: pages, the sections over them, and the
reference list. Plain data: no I/O, nothing here knows where the text came from.

``Page.text`` is all the text a person reads on the page, in reading order (running headers,
footers, page numbers and margin stamps left out). ``Body.spans`` say which parts of it are the
paper's body and which section each belongs to: the reference list is never in a span (its
entries are ``Body.references``), nor are section headings or margin notes. Text after the
references that starts with a heading of its own (appendices, a datasheet, a checklist) is body
again, in its own sections.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    """1-based page in the PDF."""
    text: str
    """The page's clean text in reading order; paragraphs separated by a blank line."""


@dataclass(frozen=True)
class Span:
    """A run of body text on one page that belongs to one section."""

    section: str
    """The heading as printed, numbering included ("3.2 Results"); "" before the first one."""
    kind: str
    """What the section is: "front" (title, authors: before the first heading), "abstract",
    "introduction", "related work", "method", "experiments", "results", "discussion",
    "conclusion", "acknowledgements", "appendix", or "body" for any other section."""
    page: int
    start: int
    """Offset of the first character in that page's ``Page.text``."""
    end: int
    """Offset just past the last character."""


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list."""

    text: str
    """As printed (its number or label included), lines joined."""
    doi: str | None = None
    """Normalised, as ``corpus.normalize.normalize_doi`` gives it."""
    arxiv_id: str | None = None
    """Normalised, as ``corpus.normalize.normalize_arxiv_id`` gives it."""


@dataclass(frozen=True)
class Body:
    """Everything read from a paper's PDF beyond its metadata."""

    pages: tuple[Page, ...]
    """Every page of the PDF, in order (a page that could not be read has empty text)."""
    spans: tuple[Span, ...]
    """The body, in reading order."""
    references: tuple[Reference, ...]
    issues: tuple[str, ...]
    """What went wrong on single pages, readable: "page 4: could not be read (...)"."""
    sha256: str
    """Of the file's bytes: an unchanged file need not be read (or embedded) again."""

    def text(self, span: Span) -> str:
        """The text a span covers."""
        return self.pages[span.page - 1].text[span.start : span.end]

    def section_text(self, section: str) -> str:
        """All the body text of a section, its pieces on successive pages joined."""
        return "\n\n".join(self.text(span) for span in self.spans if span.section == section)
