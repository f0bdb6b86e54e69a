"""Section headings: which lines start a section, what the section is called, and its kind.

A line is a heading when it stands alone on its row (its number aside) and is short, and either
names a section every paper has ("Introduction", "3 Method", "III. RESULTS", "References"), or
is numbered ("3.2 Ablations", "A. Proofs") and set in bold or a larger size than the body, or
(once the paper's first heading has passed) is an unnumbered bold or larger title ("Plant
materials and growth conditions"). "Abstract." or "Abstract—" followed by text is a run-in
heading.
"""

import re
from dataclasses import dataclass

from assistant.corpus.readers.pdf.layout import Line

KINDS = (
    ("abstract", r"abstract|summary"),
    ("introduction", r"introduction|background"),
    ("related work", r"(?:related|prior|previous) (?:work|research)|literature review"),
    ("method", r"methods?|methodology|(?:materials?|data) (?:and|&) methods?|approach"),
    ("experiments", r"experiments?|experimental \w+(?: \w+)?|evaluation"),
    ("results", r"results?(?: and discussions?)?|findings"),
    ("discussion", r"discussions?"),
    (
        "conclusion",
        r"conclusions?(?: and future work)?|concluding remarks|summary and conclusions?",
    ),
    ("acknowledgements", r"acknowledge?ments?"),
    ("references", r"references|bibliography|literature cited|works cited|reference list"),
    (
        "appendix",
        r"appendix(?: [a-z0-9]+)?|appendices|supplementary (?:material|information)"
        r"|supporting information",
    ),
)
"""Canonical kinds and the titles that name them (whole title, case folded)."""
_KINDS = [(kind, re.compile(rf"(?:{pattern})[.:]?$")) for kind, pattern in KINDS]
BODY = "body"
"""The kind of any other section."""
FRONT = "front"
"""The kind of the text before the first heading: title, authors, affiliations."""

_NUMBER = re.compile(
    r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2}){0,2}\.?"
    r"|Appendix\s+[A-H0-9]{1,2}[.:]?)\s+(?P<title>\S.*)$"
)
_RUN_IN = re.compile(r"^(?P<title>Abstract|ABSTRACT|Summary)\s*(?:[.:—–]|-{1,2})\s*(?P<rest>\S.*)$")
_NOT_TITLES = re.compile(
    r"^(?:fig(?:ure)?|table|tab|algorithm|listing|box|eq|equation|keywords|key words|index terms"
    r"|subjects|ccs concepts)\b",
    re.IGNORECASE,
)
_MAX_CHARS = 90
_MAX_WORDS = 12
_LARGER = 1.05
"""A heading set in a size at least this much above the body's stands out by size alone."""


@dataclass(frozen=True)
class Heading:
    title: str
    """As printed, numbering included ("3.2 Results"), spacing normalised."""
    kind: str
    size: float
    number: str | None = None
    """"3.2", "III", "A": the numbering, without its dot."""
    rest: str = ""
    """Text that follows a run-in heading on its line."""

    @property
    def ends_references(self) -> bool:
        """Whether it can end a reference list (where bold author names are no headings)."""
        return self.known and self.kind != "references"

    @property
    def known(self) -> bool:
        """It names a section every paper has, or it is numbered."""
        return self.number is not None or self.kind != BODY


def kind_of(title: str) -> str:
    """The canonical kind a section title names, numbering aside; ``BODY`` for any other."""
    match = _NUMBER.match(title)
    name = (match.group("title") if match else title).casefold().strip()
    for kind, pattern in _KINDS:
        if pattern.match(name):
            return kind
    return BODY


def heading(line: Line, cells: int, body_size: float, *, started: bool) -> Heading | None:
    """The heading ``line`` is, or None. ``started``: a heading has been seen already."""
    text = line.text.strip()
    run_in = _RUN_IN.match(text)
    if run_in:
        return Heading(run_in.group("title"), "abstract", line.size, rest=run_in.group("rest"))
    numbered = _NUMBER.match(text)
    if cells > (2 if numbered else 1):
        return None  # a table row; but "1" and its title may stand apart (a tab in Word)
    if not text or len(text) > _MAX_CHARS or len(text.split()) > _MAX_WORDS:
        return None
    if _NOT_TITLES.match(text) or not any(char.isalpha() for char in text):
        return None
    styled = line.bold or line.size >= _LARGER * body_size
    title = numbered.group("title") if numbered else text
    if not title[0].isupper() or title.endswith((",", ";", ":")):
        return None
    kind = kind_of(text)
    number = numbered.group("number").removeprefix("Appendix").strip(" .:") if numbered else None
    found = Heading(text, kind, line.size, number)
    if kind != BODY and (styled or len(title.split()) <= 4):
        return found
    if number and _roman_capitals(number, title):
        return found
    if not styled or line.size < 0.95 * body_size or title.endswith("."):
        return None
    if started or (number and number[0].isdigit()):
        return found
    return None  # a bold or large line before any heading: the title, an author


def _roman_capitals(number: str, title: str) -> bool:
    """ "III. RESULTS": a Roman numeral and a title in capitals (IEEE, RevTeX)."""
    letters = [char for char in title if char.isalpha()]
    return number.isalpha() and len(letters) > 2 and all(c.isupper() for c in letters)
