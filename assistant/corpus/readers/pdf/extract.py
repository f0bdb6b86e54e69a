"""Characters and their positions from pdfium, gathered into lines, one page at a time.

Each character's code point, loose box, size and angle are read through pdfium's C API. They
become runs where pdfium breaks a line, or where the next character jumps back, leaves a gap
wider than about an em, or stops overlapping vertically (so two columns written on one baseline
stay apart). Runs on one baseline with no wide gap between them (a superscript that made pdfium
break the line) are joined again. Rotated characters (an arXiv stamp along the margin) are kept
apart as side text. A TeX accent drawn as a glyph of its own ("M´exico") is put back on the
letter it sits over, wherever pdfium placed it in the text.
"""

import ctypes
import math
import statistics
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assistant.corpus.readers.pdf.layout import Line

_GAP = 1.2
"""A horizontal gap wider than this many font sizes splits a run."""
_TOUCHING = 0.1
"""Letters closer than this many font sizes have no space between them."""
_LINE_BREAKS = frozenset("\r\n")
_HYPHEN_MARKS = {"\ufffe": "-", "\x02": "-"}
"""pdfium marks a hyphen it sees at the end of a line with U+FFFE (older builds: U+0002)."""
_ACCENTS = {
    "\u00a8": "\u0308",  # diaeresis
    "\u00b4": "\u0301",  # acute
    "\u02cb": "\u0300",  # grave
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
"""An accent over no letter: a ring before "C" is a degree sign."""
_ANGLE_SAMPLES = 200
_INVISIBLE = 3
"""``FPDF_TEXTRENDERMODE_INVISIBLE``: text drawn for search only, as OCR layers are."""
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi", "medi", "cmbx", "sfbx")
_BOLD_SUFFIXES = (".b", ".bi", "-b")
"""Publishers' subset fonts such as "AdvTTaf7f9f4f.B"."""
_FONT_NAME_BYTES = 128


@dataclass
class PageText:
    """What one page holds: its lines, its rotated side text, and character counts."""

    lines: list[Line] = field(default_factory=list)
    side_text: str = ""
    chars: int = 0
    invisible: int = 0
    """Characters drawn invisibly (an OCR layer over a scanned image)."""


@dataclass
class _Run:
    """Characters on one line, with their horizontal extents (NaN for a space)."""

    chars: list[str] = field(default_factory=list)
    lefts: list[float] = field(default_factory=list)
    rights: list[float] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)
    x0: float = math.inf
    x1: float = -math.inf
    top: float = -math.inf
    """In PDF coordinates here (y grows upwards); turned around when the line is made."""
    bottom: float = math.inf
    first: int = -1
    last: int = -1
    baseline: float = math.nan
    """Vertical centre of the last character added..."""
    last_left: float = math.nan
    """...and its left edge."""
    em: float = 1.0
    """Its font size, once it is complete."""
    near_accent: set[int] = field(default_factory=set)
    """Spaces next to an accent taken out of the text (pdfium spaces it off: "M ´ exico")."""

    def add(self, char: str, index: int, box: "pdfium_c.FS_RECTF", size: float) -> None:
        left, right, top, bottom = box.left, box.right, box.top, box.bottom
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

    def extend(self, other: "_Run") -> None:
        if other.x0 - self.x1 > 0.15 * self.size():
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


@dataclass(frozen=True)
class _Accent:
    mark: str
    x: float
    """Horizontal centre."""
    y: float
    """Vertical centre (PDF coordinates)."""
    spacing: str
    """The character as drawn, kept when it sits over no letter."""


class _Frame:
    """Turns a page whose text runs sideways (a landscape page drawn rotated) upright: boxes in
    the page's coordinates become boxes in which the text runs left to right."""

    def __init__(self, quarter: int, width: float, height: float) -> None:
        self.quarter = quarter
        self.dx = self.dy = 0.0
        corners = [self.point(x, y) for x in (0.0, width) for y in (0.0, height)]
        self.dx = -min(x for x, _ in corners)
        self.dy = -min(y for _, y in corners)
        self.height = max(y for _, y in corners) + self.dy

    def point(self, x: float, y: float) -> tuple[float, float]:
        for _ in range(self.quarter):
            x, y = y, -x  # a quarter turn clockwise
        return x + self.dx, y + self.dy

    def upright(self, box: "pdfium_c.FS_RECTF") -> None:
        if not self.quarter:
            return
        (x0, y0), (x1, y1) = self.point(box.left, box.bottom), self.point(box.right, box.top)
        box.left, box.right = min(x0, x1), max(x0, x1)
        box.bottom, box.top = min(y0, y1), max(y0, y1)


def read_page(page: pdfium.PdfPage) -> PageText:
    """The lines of one page, in content order (``layout`` orders them)."""
    textpage = page.get_textpage()
    try:
        turns = _quarter_turns(textpage.raw)
        frame = _Frame((4 - turns) % 4, page.get_width(), page.get_height())
        return _read_textpage(textpage, frame, turns * math.pi / 2)
    finally:
        textpage.close()


def _quarter_turns(raw: object) -> int:
    """How many quarter turns (clockwise, as pdfium measures angles) most of the page's text
    is rotated by, from a sample of its characters."""
    count = pdfium_c.FPDFText_CountChars(raw)
    turns = Counter(
        round(pdfium_c.FPDFText_GetCharAngle(raw, index) / (math.pi / 2)) % 4
        for index in range(0, count, max(1, count // _ANGLE_SAMPLES))
    )
    return turns.most_common(1)[0][0] if turns else 0


def _read_textpage(textpage: pdfium.PdfTextPage, frame: _Frame, upright: float) -> PageText:
    """``upright``: the angle of the page's text, which other angles are side text to."""
    raw = textpage.raw
    found = PageText()
    runs: list[_Run] = []
    accents: list[_Accent] = []
    side: list[str] = []
    run = _Run()
    box = pdfium_c.FS_RECTF()
    box_ref = ctypes.byref(box)
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    pending_space = accent_seen = sideways = False
    for index, char in enumerate(_characters(textpage)):
        if char in _LINE_BREAKS:
            if run.chars:
                runs.append(run)
                run = _Run()
            pending_space = False
            continue
        if char.isspace():
            pending_space = bool(run.chars)
            if sideways:
                side.append(" ")
            continue
        scale = 1.0
        if pdfium_c.FPDFText_GetMatrix(raw, index, matrix_ref):
            sideways = abs(_turn(-math.atan2(matrix.b, matrix.a) - upright)) > 0.01
            if sideways:
                side.append(char)
                continue
            scale = math.hypot(matrix.c, matrix.d)  # PDFlib draws at size 1, scaled
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, index, box_ref):
            continue
        frame.upright(box)
        found.chars += 1
        char = _HYPHEN_MARKS.get(char, char)
        if char in _ACCENTS:
            x, y = (box.left + box.right) / 2, (box.top + box.bottom) / 2
            accents.append(_Accent(_ACCENTS[char], x, y, char))
            accent_seen = True
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, index) * scale
        if run.chars and _breaks(run, box, size):
            runs.append(run)
            run = _Run()
            pending_space = False
        if pending_space:
            run.space(near_accent=accent_seen)
            pending_space = False
        accent_seen = False
        run.add(char, index, box, size)
    if run.chars:
        runs.append(run)
    lines = _join(runs)
    for accent in accents:
        _place_accent(accent, lines)
    found.invisible = sum(len(r.chars) for r in lines if _render_mode(raw, r.first) == _INVISIBLE)
    found.lines = [_line(r, raw, frame.height) for r in lines]
    found.side_text = "".join(side).strip()
    return found


def _characters(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one per pdfium index: in one call when pdfium's text maps one to
    one onto its indices (it does but for characters beyond U+FFFF), else one by one."""
    count: int = textpage.count_chars()
    text: str = textpage.get_text_range()
    if len(text) == count:
        return text
    codes = (pdfium_c.FPDFText_GetUnicode(textpage.raw, index) for index in range(count))
    return "".join(chr(code) if code <= sys.maxunicode else "\ufffd" for code in codes)


def _turn(angle: float) -> float:
    """An angle folded into (-pi, pi]."""
    return math.remainder(angle, 2 * math.pi)


def _breaks(run: _Run, box: "pdfium_c.FS_RECTF", size: float) -> bool:
    """Whether a character at ``box`` cannot continue ``run`` on its line."""
    em = size if size > 1.0 else 1.0
    left: float = box.left
    top: float = box.top
    bottom: float = box.bottom
    lower = (top + bottom) / 2 < run.baseline - 0.5 * em
    if left < run.last_left - em and lower:
        return True  # back left and down: a new line pdfium did not mark
    if left - run.x1 > _GAP * em:
        return True
    return top < run.bottom or bottom > run.top


def _join(runs: list[_Run]) -> list[_Run]:
    """Neighbouring runs on one baseline with no wide gap between them, as one."""
    joined: list[_Run] = []
    for run in runs:
        if joined and _same_line(joined[-1], run):
            joined[-1].extend(run)
        else:
            joined.append(run)
    for run in joined:
        run.em = run.size()
    return joined


def _same_line(left: _Run, right: _Run) -> bool:
    gap = right.x0 - left.x1
    em = left.size()
    if not -0.2 * em <= gap <= _GAP * em:
        return False
    overlap = min(left.top, right.top) - max(left.bottom, right.bottom)
    return overlap >= 0.5 * min(left.top - left.bottom, right.top - right.bottom)


def _place_accent(accent: _Accent, runs: list[_Run]) -> None:
    """Compose ``accent`` with the letter under it, or keep it where it is drawn."""
    best: tuple[float, _Run, int] | None = None
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
    letter = "ı" if run.chars[index] == "ı" else run.chars[index]
    composed = unicodedata.normalize("NFC", letter.replace("ı", "i") + accent.mark)
    run.chars[index] = composed


def _insert_lone(accent: _Accent, runs: list[_Run]) -> None:
    """A spacing accent over no letter (a ring used as a degree sign) goes back in its line."""
    for run in runs:
        if run.bottom <= accent.y <= run.top and run.x0 <= accent.x <= run.x1 + run.em:
            at = sum(1 for right in run.rights if right <= accent.x)
            run.chars.insert(at, _LONE_ACCENTS.get(accent.spacing, accent.spacing))
            run.lefts.insert(at, accent.x)
            run.rights.insert(at, accent.x)
            return


def _line(run: _Run, raw: object, height: float) -> Line:
    return Line(
        text=_text(run),
        x0=run.x0,
        x1=run.x1,
        top=height - run.top,
        bottom=height - run.bottom,
        size=statistics.median(run.sizes),
        bold=_bold(raw, run.first) and _bold(raw, run.last),
    )


def _text(run: _Run) -> str:
    """The run's characters, without the spaces pdfium put around an accent that was taken out
    when the letters either side of them touch."""
    kept: list[str] = []
    for index, char in enumerate(run.chars):
        if index in run.near_accent and 0 < index < len(run.chars) - 1:
            before, after = run.rights[index - 1], run.lefts[index + 1]
            if after - before < _TOUCHING * run.em:
                continue
        kept.append(char)
    return "".join(kept).strip()


def _bold(raw: object, index: int) -> bool:
    if pdfium_c.FPDFText_GetFontWeight(raw, index) >= 600:
        return True
    name = ctypes.create_string_buffer(_FONT_NAME_BYTES)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(raw, index, name, _FONT_NAME_BYTES, ctypes.byref(flags))
    lowered = name.value.decode("latin-1").lower()
    return any(word in lowered for word in _BOLD_NAMES) or lowered.endswith(_BOLD_SUFFIXES)


def _render_mode(raw: object, index: int) -> int:
    text_object = pdfium_c.FPDFText_GetTextObject(raw, index)
    return int(pdfium_c.FPDFTextObj_GetTextRenderMode(text_object)) if text_object else 0
