"""Runs of characters on a line, as ``extract`` gathers them: joined into lines, with TeX
accents put back on their letters. Plain Python: no pdfium here.

A TeX accent drawn as a glyph of its own ("M´exico") is composed with the letter it sits over,
wherever pdfium placed it in the text; the spaces pdfium puts around it go when the letters
either side touch. A ring over no letter is a degree sign ("35˚C").
"""

import math
import statistics
import unicodedata
from dataclasses import dataclass, field

GAP = 1.2
"""A horizontal gap wider than this many font sizes splits a run."""
_TOUCHING = 0.1
"""Letters closer than this many font sizes have no space between them."""
ACCENTS = {
    "\u00a8": "\u0308",  # diaeresis
    "\u00b4": "\u0301",  # acute
    "\u02cb": "\u0300",  # grave
    "`": "\u0300",  # grave, as Computer Modern draws it
    "\u02dc": "\u0303",  # tilde
    "\u02c6": "\u0302",  # circumflex
    "\u02da": "\u030a",  # ring
    "\u00b8": "\u0327",  # cedilla
    "\u02dd": "\u030b",  # double acute
    "\u02c7": "\u030c",  # caron
    "\u02d8": "\u0306",  # breve
    "\u02d9": "\u0307",  # dot above
    "\u00af": "\u0304",  # macron
}
"""Spacing accents, as TeX fonts draw them apart from their letter, and their combining forms."""
_LONE_ACCENTS = {"\u02da": "°"}
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPTS = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SMALL = 0.8
"""A digit set smaller than this share of its line's size is a script when it sits off the
line's middle: a superscript ("filter¹⁴", a footnote or affiliation mark; "10⁵") or a subscript
("H₂O"), not a digit of the word before it."""
_SHIFT = 0.1
"""How far, in font sizes, a script's middle sits above or below its line's."""


def scripted(digits: str, middle: float, line_middle: float, em: float) -> str:
    """``digits`` as superscripts or subscripts by where they sit, or as they are."""
    if middle > line_middle + _SHIFT * em:
        return digits.translate(_SUPERSCRIPTS)
    if middle < line_middle - _SHIFT * em:
        return digits.translate(_SUBSCRIPTS)
    return digits


@dataclass
class Run:
    """Characters on one line, with their horizontal extents (NaN where unknown: a space, or
    a run read whole from pdfium's rectangle for it). Boxes in PDF coordinates (y upwards)."""

    chars: list[str] = field(default_factory=list)
    lefts: list[float] = field(default_factory=list)
    rights: list[float] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)
    x0: float = math.inf
    x1: float = -math.inf
    top: float = -math.inf
    bottom: float = math.inf
    first: int = -1
    """pdfium's index of its first character, and of its last."""
    last: int = -1
    baseline: float = math.nan
    """Vertical centre of the last character added..."""
    last_left: float = math.nan
    """...and its left edge."""
    em: float = 1.0
    """Its font size, once it is complete."""
    near_accent: set[int] = field(default_factory=set)
    """Spaces next to an accent taken out of the text (pdfium spaces it off: "M ´ exico")."""

    @classmethod
    def whole(
        cls, text: str, box: tuple[float, float, float, float], size: float, span: range
    ) -> "Run":
        """A run read at once: ``text`` in ``box`` (left, bottom, right, top)."""
        chars = list(" ".join(text.split()))
        unknown = [math.nan] * len(chars)
        left, bottom, right, top = box
        return cls(chars, unknown, unknown[:], [size], left, right, top, bottom, span[0], span[-1])

    def add(
        self, char: str, index: int, box: tuple[float, float, float, float], size: float
    ) -> None:
        left, bottom, right, top = box
        self.chars.append(char)
        self.lefts.append(left)
        self.rights.append(right)
        self.sizes.append(size)
        if left < self.x0:
            self.x0 = left
        if right > self.x1:
            self.x1 = right
        if top > self.top:
            self.top = top
        if bottom < self.bottom:
            self.bottom = bottom
        self.baseline = (top + bottom) / 2
        self.last_left = left
        if self.first < 0:
            self.first = index
        self.last = index

    def space(self, near_accent: bool = False) -> None:
        if near_accent:
            self.near_accent.add(len(self.chars))
        self.chars.append(" ")
        self.lefts.append(math.nan)
        self.rights.append(math.nan)

    def breaks(self, box: tuple[float, float, float, float], size: float) -> bool:
        """Whether a character at ``box`` cannot continue the run on its line: it goes back
        left and down (a new line pdfium did not mark), leaves a wide gap, or sits above or
        below the whole run."""
        em = size if size > 1.0 else 1.0
        left, bottom, _, top = box
        lower = (top + bottom) / 2 < self.baseline - 0.5 * em
        if left < self.last_left - em and lower:
            return True
        if left - self.x1 > GAP * em:
            return True
        return top < self.bottom or bottom > self.top

    def extend(self, other: "Run") -> None:
        if other.size() < SMALL * self.size():  # a script pdfium read as a line of its own
            middle, own = (other.top + other.bottom) / 2, (self.top + self.bottom) / 2
            other.chars = [scripted(c, middle, own, self.size()) for c in other.chars]
        elif other.x0 - self.x1 > 0.15 * self.size():
            self.space()
        self.near_accent |= {index + len(self.chars) for index in other.near_accent}
        self.chars += other.chars
        self.lefts += other.lefts
        self.rights += other.rights
        self.sizes += other.sizes
        self.x1 = max(self.x1, other.x1)
        self.top = max(self.top, other.top)
        self.bottom = min(self.bottom, other.bottom)
        self.last = other.last

    def size(self) -> float:
        return max(statistics.median(self.sizes), 1.0)

    def text(self) -> str:
        """The characters, without the spaces pdfium put around an accent that was taken out
        where the letters either side touch."""
        kept: list[str] = []
        for index, char in enumerate(self.chars):
            if index in self.near_accent and 0 < index < len(self.chars) - 1:
                before, after = self.rights[index - 1], self.lefts[index + 1]
                if after - before < _TOUCHING * self.em:
                    continue
            kept.append(char)
        return "".join(kept).strip()


@dataclass(frozen=True)
class Accent:
    spacing: str
    """The character as drawn."""
    x: float
    """Horizontal centre."""
    y: float
    """Vertical centre."""


def join_runs(runs: list[Run]) -> list[Run]:
    """Neighbouring runs on one baseline with no wide gap between them, as one (a superscript
    made pdfium break the line)."""
    joined: list[Run] = []
    for run in runs:
        if joined and _same_line(joined[-1], run):
            joined[-1].extend(run)
        else:
            joined.append(run)
    for run in joined:
        run.em = run.size()
    return joined


def _same_line(left: Run, right: Run) -> bool:
    gap = right.x0 - left.x1
    em = left.size()
    if not -0.2 * em <= gap <= GAP * em:
        return False
    overlap = min(left.top, right.top) - max(left.bottom, right.bottom)
    return overlap >= 0.5 * min(left.top - left.bottom, right.top - right.bottom)


def place_accent(accent: Accent, runs: list[Run]) -> None:
    """Compose ``accent`` with the letter under it, or keep it where it is drawn."""
    best: tuple[float, Run, int] | None = None
    for run in runs:
        if not run.bottom - run.em <= accent.y <= run.top + run.em:
            continue
        if not run.x0 <= accent.x <= run.x1:
            continue
        for index, (left, right) in enumerate(zip(run.lefts, run.rights, strict=True)):
            if left <= accent.x <= right and run.chars[index].isalpha():
                distance = abs(accent.y - (run.top + run.bottom) / 2)
                if best is None or distance < best[0]:
                    best = (distance, run, index)
    if best is None:
        _insert_lone(accent, runs)
        return
    _, run, index = best
    letter = run.chars[index].replace("ı", "i")  # TeX puts an accent over a dotless i
    run.chars[index] = unicodedata.normalize("NFC", letter + ACCENTS[accent.spacing])


def _insert_lone(accent: Accent, runs: list[Run]) -> None:
    """A spacing accent over no letter goes back into its line as drawn."""
    for run in runs:
        if run.bottom <= accent.y <= run.top and run.x0 <= accent.x <= run.x1 + run.em:
            at = sum(1 for right in run.rights if right <= accent.x)
            run.chars.insert(at, _LONE_ACCENTS.get(accent.spacing, accent.spacing))
            run.lefts.insert(at, accent.x)
            run.rights.insert(at, accent.x)
            return
