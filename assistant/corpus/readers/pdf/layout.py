"""Reading order from positions: columns found per page, read one after the other.

A page's lines (segments of text on one baseline, as ``extract`` builds them) are first cut
into bands by the lines that run across most of the text's width (a single-column paragraph),
so that text wrapped around a figure is read apart from the figure. Each band is split at a
gutter: a vertical band near the middle of the text that few lines cross. Lines that span both
sides of it (titles, a figure caption across both columns) cut the page into bands; each band is
read left side first, then right side, and each side is searched for a gutter of its own (three
columns, a sidebar beside two columns). A side with no gutter is read top to bottom, and lines on
one row left to right.

Footnotes (smaller print at the foot of a column, starting with a mark) are read after the
columns, so that a sentence running from one column into the next reads whole. A margin column
(narrow, in smaller print than the text beside it: the dates, licence and funding notes PLOS
and PeerJ print beside the first pages) comes last, marked as an aside.
"""

import re
from dataclasses import dataclass

import numpy as np

from assistant.corpus.readers.pdf.runs import SUPERSCRIPT_DIGITS

MIN_LINES = 6
"""Fewer lines than this are never split into columns."""
_EDGE = 0.15
"""The gutter is looked for between 15 % and 85 % of the text's width."""
_MAX_CROSSING = 0.3
"""At most this share of the characters may lie on lines crossing the gutter..."""
_MIN_SIDE = 0.12
"""...and at least this share must lie wholly on each side of it; or, for a margin column
(PLOS's sidebar), hardly a line may cross a gutter this wide and each side hold a few lines of
some length:"""
_CLEAR_GUTTER = 8.0
_CLEAR_CROSSING = 0.03
_CLEAR_SIDE_LINES = 3
_CLEAR_LINE_CHARS = 12
_MARGIN_WIDTH = 0.3
"""A side narrower than this share of the text's width, in smaller print, is a margin column."""
_WIDE = 0.8
"""A line this share of the text's width or wider runs across the page and cuts it into bands."""
_FULL_WIDTH = 0.25
"""A crossing line spans both columns when it covers this share of each; else it overflows."""
_DEPTH = 3
_NOTE_SIZE = 0.92
"""Footnotes are set smaller than this share of their column's usual size..."""
_NOTE_MARK = re.compile(rf"^(?:\d{{1,2}}|[{SUPERSCRIPT_DIGITS}]{{1,2}}|[*∗†‡§¶]|[a-z]\b)\s?\S")
"""...start with a mark..."""
_MAX_NOTE_SHARE = 0.4
"""...and take at most this share of the column's rows."""
_PAGE_NUMBER = re.compile(r"^\d{1,5}$")
TEXT, NOTE, ASIDE = "text", "note", "aside"


@dataclass(frozen=True)
class Line:
    """A run of text on one baseline, with no wide gap inside it."""

    text: str
    x0: float
    x1: float
    top: float
    """Distance from the top of the page, in points; ``bottom`` > ``top``."""
    bottom: float
    size: float
    """Font size, the median of its characters'."""
    bold: bool

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Placed:
    """A line in reading order, with what its column says about it."""

    line: Line
    indent: float
    """How far right of its column's left edge it starts."""
    gap: float
    """Space above it to the previous row of its column; infinite for a column's first row."""
    parts: tuple[str, ...]
    """The texts of the lines of its column's row it was joined from (a table row has
    several; most lines are one)."""
    column: int
    """Which column of the page (in reading order) it belongs to."""
    flow: str
    """"text"; "note" for a footnote; "aside" for a margin column beside the text."""

    @property
    def cells(self) -> int:
        return len(self.parts)


def reading_order(lines: list[Line]) -> list[Placed]:
    """``lines`` in the order a person reads them."""
    columns: list[list[Line]] = []
    asides: list[list[Line]] = []
    flowing: list[Line] = []
    """Lines read top to bottom as one column: wide ones, and bands with no gutter."""
    for wide, band in _bands(lines):
        if wide or _gutter(band) is None:
            flowing += band
            continue
        if flowing:
            columns.append(flowing)
            flowing = []
        _order(band, columns, asides, 0)
    if flowing:
        columns.append(flowing)
    placed: list[Placed] = []
    notes: list[list[list[Line]]] = []
    for number, column in enumerate(columns):
        rows, foot = _footnotes(_rows(column))
        placed += _place(rows, number, TEXT)
        notes.append(foot)
    for number, foot in enumerate(notes, len(columns)):
        placed += _place(foot, number, NOTE)
    for number, aside in enumerate(asides, 2 * len(columns)):
        placed += _place(_rows(aside), number, ASIDE)
    return placed


def _bands(lines: list[Line]) -> list[tuple[bool, list[Line]]]:
    """Runs of lines, top to bottom: (True, wide lines) and (False, the lines between)."""
    left = min((line.x0 for line in lines), default=0.0)
    width = max((line.x1 for line in lines), default=0.0) - left
    bands: list[tuple[bool, list[Line]]] = []
    for line in sorted(lines, key=lambda line: line.top):
        wide = line.x1 - line.x0 >= _WIDE * width
        if bands and bands[-1][0] == wide:
            bands[-1][1].append(line)
        else:
            bands.append((wide, [line]))
    return bands


def _order(
    lines: list[Line], columns: list[list[Line]], asides: list[list[Line]], depth: int
) -> None:
    gutter = _gutter(lines) if depth < _DEPTH else None
    if gutter is None:
        if lines:
            columns.append(lines)
        return
    left, right, full = _split(lines, gutter)
    for margin, main in ((left, right), (right, left)):
        if _is_margin(margin, main, lines):
            _order(main + full, columns, asides, depth + 1)
            asides.append(margin)
            return
    full.sort(key=lambda line: line.top)
    bands: list[tuple[list[Line], list[Line]]] = [([], []) for _ in range(len(full) + 1)]
    tops = [line.top for line in full]
    for side, group in ((0, left), (1, right)):
        for line in group:
            middle = (line.top + line.bottom) / 2
            bands[sum(top < middle for top in tops)][side].append(line)
    for index, (band_left, band_right) in enumerate(bands):
        _order(band_left, columns, asides, depth + 1)
        _order(band_right, columns, asides, depth + 1)
        if index < len(full):
            if index > 0 and not bands[index][0] and not bands[index][1] and columns:
                columns[-1].append(full[index])  # consecutive full-width lines read as one
            else:
                columns.append([full[index]])


def _gutter(lines: list[Line]) -> float | None:
    """The x of a vertical band few lines cross, with enough text on both sides; None when the
    lines form one column."""
    if len(lines) < MIN_LINES:
        return None
    x0 = np.array([line.x0 for line in lines])
    x1 = np.array([line.x1 for line in lines])
    weight = np.array([len(line.text) for line in lines], dtype=float)
    total = weight.sum()
    left_edge, right_edge = x0.min(), x1.max()
    width = right_edge - left_edge
    if width < 100 or total == 0:
        return None
    xs = np.arange(left_edge + _EDGE * width, right_edge - _EDGE * width, 1.0)
    if xs.size == 0:
        return None
    crossing = ((x0[:, None] < xs - 0.5) & (x1[:, None] > xs + 0.5)) * weight[:, None]
    crossed = crossing.sum(axis=0)
    low = crossed.min()
    if low > _MAX_CROSSING * total:
        return None
    at_low = np.flatnonzero(crossed == low)
    bands = np.split(at_low, np.flatnonzero(np.diff(at_low) > 1) + 1)

    def balance(band: np.ndarray) -> float:
        """How much text (in characters) the lesser side holds, cut at the middle of ``band``."""
        x = xs[band[len(band) // 2]]
        return float(min(weight[x1 <= x].sum(), weight[x0 >= x].sum()))

    band = max(bands, key=balance)  # not a margin beside everything but a page number
    x = float(xs[band[len(band) // 2]])
    left, right = x1 <= x, x0 >= x
    if balance(band) >= _MIN_SIDE * total:
        return x
    clear = low <= _CLEAR_CROSSING * total and len(band) >= _CLEAR_GUTTER
    wordy = weight >= _CLEAR_LINE_CHARS  # not the numbers of a list beside its entries
    sides = min((left & wordy).sum(), (right & wordy).sum())
    return x if clear and sides >= _CLEAR_SIDE_LINES else None


def _is_margin(side: list[Line], other: list[Line], lines: list[Line]) -> bool:
    if not side or not other:
        return False
    width = max(line.x1 for line in lines) - min(line.x0 for line in lines)
    side_width = max(line.x1 for line in side) - min(line.x0 for line in side)
    return side_width < _MARGIN_WIDTH * width and _median_size(side) < _median_size(other)


def _median_size(lines: list[Line]) -> float:
    return float(np.median([line.size for line in lines]))


def _split(lines: list[Line], x: float) -> tuple[list[Line], list[Line], list[Line]]:
    """Lines left of ``x``, right of it, and spanning both sides."""
    left_edge = min(line.x0 for line in lines)
    right_edge = max(line.x1 for line in lines)
    left: list[Line] = []
    right: list[Line] = []
    full: list[Line] = []
    for line in lines:
        if line.x1 <= x + 0.5:
            left.append(line)
        elif line.x0 >= x - 0.5:
            right.append(line)
        else:
            on_left = (x - line.x0) / max(x - left_edge, 1.0)
            on_right = (line.x1 - x) / max(right_edge - x, 1.0)
            if min(on_left, on_right) >= _FULL_WIDTH:
                full.append(line)
            else:
                (left if on_left >= on_right else right).append(line)
    between = _between(left, right, toward=1) + _between(right, left, toward=-1)
    moved = {id(line) for line in between}
    return (
        [line for line in left if id(line) not in moved],
        [line for line in right if id(line) not in moved],
        full + between,
    )


def _between(side: list[Line], other: list[Line], toward: int) -> list[Line]:
    """Lines of ``side`` lying wholly in the gap between the rest of it and ``other`` (a centred
    "Abstract" between two authors' blocks): they span both. ``toward``: 1 when ``other`` is
    to the right, -1 when to the left."""
    if len(side) < 2 or not other:
        return []
    edges = sorted((line.x1 if toward > 0 else -line.x0) for line in side)
    gap_end = min(line.x0 for line in other) if toward > 0 else -max(line.x1 for line in other)
    found = []
    for line in side:
        near, far = (line.x0, line.x1) if toward > 0 else (-line.x1, -line.x0)
        rest_edge = edges[-2] if far == edges[-1] else edges[-1]
        if near >= rest_edge and far <= gap_end:
            found.append(line)
    return found


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows (overlapping vertically by half the smaller height), top to
    bottom, each row left to right."""
    rows: list[list[Line]] = []
    bottom = -1.0
    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        if rows:
            row_top = min(other.top for other in rows[-1])
            overlap = min(bottom, line.bottom) - max(row_top, line.top)
            if overlap >= 0.5 * min(line.height, bottom - row_top):
                rows[-1].append(line)
                bottom = max(bottom, line.bottom)
                continue
        rows.append([line])
        bottom = line.bottom
    for row in rows:
        row.sort(key=lambda line: line.x0)
    return rows


def _footnotes(rows: list[list[Line]]) -> tuple[list[list[Line]], list[list[Line]]]:
    """A column's rows, and the footnotes at its foot taken apart (a bare page number under
    them stays where it is)."""
    sizes = sorted(line.size for row in rows for line in row)
    if len(rows) < 2:
        return rows, []
    small = _NOTE_SIZE * sizes[len(sizes) // 2]
    end = len(rows)
    while end > 0 and _PAGE_NUMBER.match(" ".join(line.text for line in rows[end - 1])):
        end -= 1
    start = end
    while start > 0 and all(line.size <= small for line in rows[start - 1]):
        start -= 1
    while start < end and not _NOTE_MARK.match(rows[start][0].text):
        start += 1  # the notes begin with a mark
    if start == end or start == 0 or end - start > _MAX_NOTE_SHARE * len(rows):
        return rows, []
    return rows[:start] + rows[end:], rows[start:end]


def _place(rows: list[list[Line]], number: int, flow: str) -> list[Placed]:
    starts = sorted(line.x0 for row in rows for line in row)
    if not starts:
        return []
    left = starts[len(starts) // 10]  # the column's edge, ignoring a few outliers on the left
    placed: list[Placed] = []
    previous_bottom: float | None = None
    for row in rows:
        line = row[0] if len(row) == 1 else _joined(row)
        gap = float("inf") if previous_bottom is None else line.top - previous_bottom
        parts = tuple(part.text for part in row)
        placed.append(Placed(line, line.x0 - left, gap, parts, number, flow))
        previous_bottom = line.bottom
    return placed


def _joined(row: list[Line]) -> Line:
    """One line from the pieces of a row, left to right."""
    return Line(
        text=" ".join(line.text for line in row),
        x0=row[0].x0,
        x1=max(line.x1 for line in row),
        top=min(line.top for line in row),
        bottom=max(line.bottom for line in row),
        size=max(line.size for line in row),
        bold=all(line.bold for line in row),
    )
