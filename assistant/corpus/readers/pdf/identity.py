"""Who a PDF is, without a language model: title, authors, DOI, arXiv id and year from the
document's metadata (when it is plausible) and its first page.

The metadata title wins when the first page prints it (it has no line breaks to mend); else the
largest text near the top of the first page; else the metadata title; else the file name, with
a caveat for either fallback. Junk titles ("Microsoft Word - x.doc", "6489122611071476 1..10",
a file name) are ignored, and so are junk authors ("ibm").
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.normalize import clean_text, normalize_title
from assistant.corpus.readers.fields import arxiv_from_doi, parse_year
from assistant.corpus.readers.pdf.clean import clean_line
from assistant.corpus.readers.pdf.furniture import ARXIV_STAMP
from assistant.corpus.readers.pdf.layout import Placed
from assistant.corpus.readers.pdf.references import find_ids
from assistant.corpus.readers.pdf.runs import SUPERSCRIPT_DIGITS

_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s+-|untitled|slide\s*\d|title$|document\d*$)"
    r"|\.(?:docx?|pdf|tex|dvi|ps|rtf|txt|odt|indd|qxd)\b|\d\.\.\d",
    re.IGNORECASE,
)
_BANNER = re.compile(
    r"\b(?:journal|proceedings|transactions on|preprint|conference|workshop|volume|issue)\b"
    r"|https?://|www\.|©|\bopen access\b",
    re.IGNORECASE,
)
_AFFILIATION = re.compile(
    r"universit|institut|department|dept\b|school|college|laborator|\bcent(?:er|re)\b|\binc\b"
    r"|\bltd\b|@|faculty|academy|hospital|\bgroup\b|corporation|\bLLC\b|\b\d{4,}\b|abstract",
    re.IGNORECASE,
)
_MARKS = re.compile(rf"[\d{SUPERSCRIPT_DIGITS}*∗†‡§¶♦♣♠♥☯#✉()\"]+|''|\b[a-z]\b(?=\s*(?:,|$))")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|[∗*†‡§¶♦♣♠♥☯✉]+|\s\d[\d,]*(?=\s|$))\s*")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "du", "del", "la", "le", "dos"}
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_DATED = re.compile(
    r"©|\(c\)|\bc\s+(?:19|20)\d\d|copyright|proceedings|journal|published|accepted|received"
    r"|volume|\bvol\b|naturforsch|\bpp?\.\s*\d",
    re.IGNORECASE,
)
"""Lines whose years date the paper (a copyright, its venue, when it was published)."""
_CITE_AS = re.compile(r"\bcite this (?:article|paper)\b", re.IGNORECASE)
_CITE_AS_REACH = 5
_TOP = 0.6
"""The title is looked for in the top 60 % of the first page."""
_MAX_AUTHOR_LINES = 4
_MIN_TITLE_CHARS = 8
_TITLE_LETTERS = 0.6
_SHORT_TITLE_WORDS = 3
_TITLE_SIZE = 1.15
"""A title shorter than three words must stand out by its size ("Deep learning")."""


@dataclass
class Identity:
    title: str
    authors: list[str] = field(default_factory=list)
    doi: str | None = None
    arxiv_id: str | None = None
    year: int | None = None
    caveats: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FirstPage:
    """What identity needs of the first page that has text."""

    height: float
    lines: Sequence[Placed]
    """Every line, running headers and footers included."""
    side_text: str


def identify(path: Path, meta: dict[str, str], first: FirstPage | None, cited_as: str) -> Identity:
    """``cited_as``: how the paper asks to be cited, if it does (``cited_as`` below)."""
    page_text = " ".join(clean_line(p.line.text) for p in first.lines) if first else ""
    meta_title = _plausible_title(meta.get("Title", ""))
    printed = _printed_title(first) if first else None
    caveats: list[str] = []
    if meta_title and normalize_title(meta_title) in normalize_title(page_text):
        title = meta_title
    elif printed:
        title = printed
    elif meta_title:
        title = meta_title
        caveats.append("no title found on the first page; the PDF's metadata title is used")
    else:
        title = path.stem
        caveats.append("no title found on the first page or in the metadata; the file name is used")
    side = first.side_text if first else ""
    stamp = next((line for line in (side, *_lines(first)) if ARXIV_STAMP.match(line)), "")
    text = " ".join((meta.get("Subject", ""), meta.get("Keywords", ""), *_lines(first)))
    doi, arxiv = find_ids(text)
    doi = doi or find_ids(cited_as)[0]
    arxiv = find_ids(stamp)[1] or arxiv_from_doi(doi) or (arxiv if stamp else None)
    return Identity(
        title=title,
        authors=_meta_authors(meta.get("Author", ""))
        or (_printed_authors(first, title) if first else []),
        doi=doi,
        arxiv_id=arxiv,
        year=_year(_lines(first), stamp, meta.get("CreationDate", "")),
        caveats=caveats,
    )


def cited_as(lines: Sequence[str]) -> str:
    """The lines around a "Cite this article as" (where BMC prints the paper's DOI)."""
    for index, line in enumerate(lines):
        if _CITE_AS.search(line):
            return " ".join(lines[max(index - _CITE_AS_REACH, 0) : index + _CITE_AS_REACH])
    return ""


def _lines(first: FirstPage | None) -> list[str]:
    return [p.line.text for p in first.lines] if first else []


def _plausible_title(value: str) -> str:
    title = clean_text(value)
    letters = sum(char.isalpha() for char in title)
    if len(title) < _MIN_TITLE_CHARS or len(title.split()) < 2 or letters < 0.5 * len(title):
        return ""
    return "" if _JUNK_TITLE.search(title) else title


def _printed_title(first: FirstPage) -> str | None:
    """The largest text near the top of the page, its lines (close together) joined."""
    candidates = [
        (index, placed)
        for index, placed in enumerate(first.lines)
        if placed.line.top < _TOP * first.height and _could_be_title(placed.line.text)
    ]
    if not candidates:
        return None
    largest = max(placed.line.size for _, placed in candidates)
    title: list[str] = []
    previous: int | None = None
    for index, placed in candidates:
        if placed.line.size < largest - 0.5:
            if title:
                break
            continue
        if previous is not None and (
            index != previous + 1
            or placed.gap > placed.line.size  # a paragraph below, in the same type
            or len(_names(placed.line.text)) > 1  # the authors, as large (an OCR layer)
        ):
            break
        title.append(clean_line(placed.line.text))
        previous = index
    joined = " ".join(title)
    if len(joined.split()) < _SHORT_TITLE_WORDS and largest < _TITLE_SIZE * _usual_size(first):
        return None  # two words in the body's type: a label ("Printed by"), not a title
    return _plausible_title(joined) or None


def _usual_size(first: FirstPage) -> float:
    sizes = sorted(
        size for placed in first.lines for size in [placed.line.size] * len(placed.line.text)
    )
    return sizes[len(sizes) // 2] if sizes else 0.0


def _could_be_title(text: str) -> bool:
    words = text.split()
    letters = sum(char.isalpha() for char in text)
    if letters < _TITLE_LETTERS * len(text.replace(" ", "")):
        return False  # an equation
    if len(words) < 2 and not (words and len(words[0]) > 12):
        return False
    if _BANNER.search(text) or (text.isupper() and len(words) <= 3):
        return False
    return sum(len(word) == 1 for word in words) < 0.5 * len(words)  # "R E S E A R C H"


def _meta_authors(value: str) -> list[str]:
    """Authors from the metadata: "A B; C D" or "A B, C D and E F"; lower-case names are
    capitalised ("oren etzioni"); anything else ("ibm", "Administrator") is not a name."""
    names = re.split(r"\s*;\s*", value) if ";" in value else re.split(r"\s*,\s*|\s+and\s+", value)
    authors = [clean_text(name) for name in names if clean_text(name)]
    authors = [name.title() if name.islower() else name for name in authors]
    return authors if authors and all(_is_name(name) for name in authors) else []


def _printed_authors(first: FirstPage, title: str) -> list[str]:
    """Names on the lines just below the title, before affiliations and the abstract."""
    texts = [clean_line(placed.line.text) for placed in first.lines]
    key = normalize_title(title)
    after = next(
        (
            i + 1
            for i, text in enumerate(texts)
            if normalize_title(text) and key.endswith(normalize_title(text))
        ),
        None,
    )
    if after is None:
        return []
    authors: list[str] = []
    for text in texts[after : after + _MAX_AUTHOR_LINES]:
        if _AFFILIATION.search(text):
            break
        authors += _names(text)
    return authors


def _names(text: str) -> list[str]:
    """The people a line names, marks and numbers of affiliations left out."""
    pieces = [clean_text(_MARKS.sub(" ", piece)) for piece in _NAME_SPLIT.split(clean_line(text))]
    return [piece for piece in pieces if _is_name(piece)]


def _is_name(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    return all(word[0].isupper() or word in _PARTICLES for word in words if word[0].isalpha())


def _year(lines: list[str], stamp: str, created: str) -> int | None:
    """The arXiv stamp's year; else the latest year on a first-page line that dates the paper
    (its copyright, venue, publication), but not after the file was made; else that year."""
    made = parse_year(created[2:6] if created.startswith("D:") else created)
    if stamp:
        return parse_year(stamp.split("]")[-1])
    years = [
        int(year)
        for line in lines
        if _DATED.search(line)
        for year in _YEAR.findall(line)
        if made is None or int(year) <= made
    ]
    return max(years, default=made)
