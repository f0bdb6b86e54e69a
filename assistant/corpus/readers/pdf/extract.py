"""Characters and their positions from pdfium, gathered into lines, one page at a time.

pdfium gives the page's text with its own line breaks. A line it draws as one rectangle of
one line's height is taken whole (most lines of a LaTeX paper, and the fast path). Any other is
read character by character, each one's loose box through pdfium's C API, and split into runs
where the next character jumps back and down, leaves a gap wider than about an em, or stops
overlapping vertically (so two columns written on one baseline stay apart). A line's size is
its font size scaled by its text matrix (PDFlib draws at size 1, scaled), sampled on a few of
its characters. Rotated lines (an arXiv stamp along the margin) are kept apart as side text. A
page holding a TeX accent is read character by character throughout, to place the accent.
"""

import ctypes
import math
import statistics
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assistant.corpus.readers.pdf.layout import Line
from assistant.corpus.readers.pdf.runs import (
    ACCENTS,
    SMALL,
    Accent,
    Run,
    join_runs,
    place_accent,
    scripted,
)

_LINE_BREAKS = frozenset("\r\n")
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-"})
"""pdfium marks a hyphen it sees at the end of a line with U+FFFE (older builds: U+0002)."""
_ANGLE_SAMPLES = 200
_TALL = 1.8
"""A rectangle taller than this many font sizes holds more than one line."""
_INVISIBLE = 3
"""``FPDF_TEXTRENDERMODE_INVISIBLE``: text drawn for search only, as OCR layers are."""
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi", "medi", "cmbx", "sfbx")
_BOLD_SUFFIXES = (".b", ".bi", "-b")
"""Publishers' subset fonts such as "AdvTTaf7f9f4f.B"."""
_FONT_NAME_BYTES = 128

Box = tuple[float, float, float, float]
"""left, bottom, right, top"""


@dataclass
class PageText:
    """What one page holds: its lines, its rotated side text, and character counts."""

    lines: list[Line] = field(default_factory=list)
    side_text: str = ""
    chars: int = 0
    invisible: int = 0
    """Characters drawn invisibly (an OCR layer over a scanned image)."""


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

    def upright(self, left: float, bottom: float, right: float, top: float) -> Box:
        if not self.quarter:
            return left, bottom, right, top
        (x0, y0), (x1, y1) = self.point(left, bottom), self.point(right, top)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def read_page(page: pdfium.PdfPage) -> PageText:
    """The lines of one page, in content order (``layout`` orders them)."""
    textpage = page.get_textpage()
    try:
        turns = _quarter_turns(textpage.raw)
        frame = _Frame((4 - turns) % 4, page.get_width(), page.get_height())
        return _PageReader(textpage, frame, turns * math.pi / 2).read()
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


class _PageReader:
    def __init__(self, textpage: pdfium.PdfTextPage, frame: _Frame, upright: float) -> None:
        self.raw = textpage.raw
        self.text = _characters(textpage)
        self.frame = frame
        self.upright = upright
        """The angle of the page's text, which other angles are side text to."""
        self.by_character = any(char in ACCENTS for char in self.text)
        self.found = PageText()
        self.runs: list[Run] = []
        self.accents: list[Accent] = []
        self.side: list[str] = []
        self.doubles = [ctypes.c_double() for _ in range(4)]
        self.box = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()

    def read(self) -> PageText:
        for span in _pdfium_lines(self.text):
            self.line(span)
        lines = join_runs(self.runs)
        for accent in self.accents:
            place_accent(accent, lines)
        raw = self.raw
        found = self.found
        found.invisible = sum(
            len(r.chars) for r in lines if _render_mode(raw, r.first) == _INVISIBLE
        )
        found.lines = [_line(run, raw, self.frame.height) for run in lines]
        found.side_text = " ".join(self.side)
        return found

    def line(self, span: range) -> None:
        """One of pdfium's lines: ``span`` its characters' indices, spaces trimmed."""
        text = self.text[span.start : span.stop].translate(_HYPHEN_MARKS)
        angle, scale = self.orientation(span.start)
        if abs(math.remainder(angle - self.upright, 2 * math.pi)) > 0.01:
            self.side.append(" ".join(text.split()))
            return
        samples = (span.start, span.start + len(span) // 2, span[-1])
        size = statistics.median(pdfium_c.FPDFText_GetFontSize(self.raw, i) for i in samples)
        size *= scale
        box = None if self.by_character else self.single_box(span, size)
        if box is not None:
            self.found.chars += sum(not char.isspace() for char in text)
            text = self.scripts(span, text, size, (box[1] + box[3]) / 2)
            self.runs.append(Run.whole(text, box, size, span))
        else:
            self.characters(span, text, size)

    def scripts(self, span: range, text: str, size: float, middle: float) -> str:
        """The line's text with its digits set small and off its ``middle`` as scripts."""
        if not any(char.isdigit() for char in text):
            return text
        chars = list(text)
        for offset, char in enumerate(chars):
            if char.isdigit() and (found := self.script_middle(span.start + offset, size)):
                chars[offset] = scripted(char, found, middle, size)
        return "".join(chars)

    def script_middle(self, index: int, size: float) -> float | None:
        """The vertical middle of the character at ``index`` when it is set smaller than
        ``SMALL`` of ``size`` (sizes scaled by their text matrices), else None."""
        scale = self.orientation(index)[1]
        if pdfium_c.FPDFText_GetFontSize(self.raw, index) * scale >= SMALL * size:
            return None
        if not pdfium_c.FPDFText_GetLooseCharBox(self.raw, index, ctypes.byref(self.box)):
            return None
        box = self.box
        _, bottom, _, top = self.frame.upright(box.left, box.bottom, box.right, box.top)
        return (top + bottom) / 2

    def orientation(self, index: int) -> tuple[float, float]:
        """The angle (clockwise, as pdfium measures it) and scale of a character's text."""
        matrix = self.matrix
        if not pdfium_c.FPDFText_GetMatrix(self.raw, index, ctypes.byref(matrix)):
            return self.upright, 1.0
        return -math.atan2(matrix.b, matrix.a), math.hypot(matrix.c, matrix.d)

    def single_box(self, span: range, size: float) -> Box | None:
        """The line's box when pdfium draws it as one rectangle one line high."""
        if pdfium_c.FPDFText_CountRects(self.raw, span.start, len(span)) != 1:
            return None
        left, top, right, bottom = self.doubles
        refs = (ctypes.byref(value) for value in (left, top, right, bottom))
        if not pdfium_c.FPDFText_GetRect(self.raw, 0, *refs):
            return None
        if top.value - bottom.value > _TALL * max(size, 1.0):
            return None
        return self.frame.upright(left.value, bottom.value, right.value, top.value)

    def characters(self, span: range, text: str, size: float) -> None:
        """The line read character by character, into runs."""
        run = Run()
        box, raw = self.box, self.raw
        pending_space = accent_seen = False
        middle, after_script = math.nan, False
        """The vertical middle of the last character that is not a script."""
        for index, char in zip(span, text, strict=True):
            if char.isspace():
                pending_space = bool(run.chars)
                continue
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, index, ctypes.byref(box)):
                continue
            upright = self.frame.upright(box.left, box.bottom, box.right, box.top)
            self.found.chars += 1
            if char in ACCENTS:
                left, bottom, right, top = upright
                self.accents.append(Accent(char, (left + right) / 2, (top + bottom) / 2))
                accent_seen = True
                continue
            if run.chars and run.breaks(upright, size):
                self.runs.append(run)
                run = Run()
                pending_space = False
            if pending_space:
                run.space(near_accent=accent_seen)
                pending_space = False
            accent_seen = False
            _, bottom, _, top = upright
            if char.isdigit() and run.chars and self.script_middle(index, size):
                char = scripted(char, (top + bottom) / 2, middle, size)
                after_script = char != run.chars[-1]
            elif not (after_script and char in ",-–"):  # "¹,²": the comma is a script's too
                middle, after_script = (top + bottom) / 2, False
            run.add(char, index, upright, size)
        if run.chars:
            self.runs.append(run)


def _characters(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one per pdfium index: in one call when pdfium's text maps one to
    one onto its indices (it does but for characters beyond U+FFFF), else one by one."""
    count: int = textpage.count_chars()
    text: str = textpage.get_text_range()
    if len(text) == count:
        return text
    codes = (pdfium_c.FPDFText_GetUnicode(textpage.raw, index) for index in range(count))
    return "".join(chr(code) if code <= sys.maxunicode else "\ufffd" for code in codes)


def _pdfium_lines(text: str) -> Iterator[range]:
    """The indices of each line pdfium broke the text into, without its surrounding spaces."""
    start = 0
    for end in [*(i for i, char in enumerate(text) if char in _LINE_BREAKS), len(text)]:
        first = start
        while first < end and text[first].isspace():
            first += 1
        last = end
        while last > first and text[last - 1].isspace():
            last -= 1
        if first < last:
            yield range(first, last)
        start = end + 1


def _line(run: Run, raw: object, height: float) -> Line:
    return Line(
        text=run.text(),
        x0=run.x0,
        x1=run.x1,
        top=height - run.top,
        bottom=height - run.bottom,
        size=run.em,
        bold=_bold(raw, run.first) and _bold(raw, run.last),
    )


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
