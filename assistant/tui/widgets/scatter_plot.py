"""Papers as dots on a plane, coloured by topic, drawn with Unicode braille (2 x 4 dots a cell).
A cell takes the colour of the topic with most dots in it; when a topic is highlighted, the
others are dimmed."""

from collections import Counter
from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

COLOURS = ("#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d19a66", "#abb2bf")
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""The braille bit of the dot at (row, column) of a cell."""


def colour(cluster: int) -> str:
    return COLOURS[cluster % len(COLOURS)]


class ScatterPlot(Widget):
    highlight: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: list[tuple[float, float, int]] = []

    def plot(self, points: Sequence[tuple[float, float, int]]) -> None:
        """(x, y, cluster) for each paper."""
        self.points = list(points)
        self.refresh()

    def render(self) -> Content:
        width, height = self.size.width, self.size.height
        if not self.points or width < 2 or height < 2:
            return Content("No papers to plot yet.")
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        bits: dict[tuple[int, int], int] = {}
        owners: dict[tuple[int, int], Counter[int]] = {}
        for x, y, cluster in self.points:
            dx = round((x - x0) / ((x1 - x0) or 1) * (2 * width - 1))
            dy = round((y1 - y) / ((y1 - y0) or 1) * (4 * height - 1))
            cell = (dy // 4, dx // 2)
            bits[cell] = bits.get(cell, 0) | _DOTS[dy % 4][dx % 2]
            owners.setdefault(cell, Counter())[cluster] += 1
        lines = []
        for row in range(height):
            parts: list[str | tuple[str, str | Style]] = []
            for column in range(width):
                cell = (row, column)
                if cell not in bits:
                    parts.append(" ")
                    continue
                here, chosen = owners[cell], self.highlight
                cluster = (
                    chosen if chosen is not None and chosen in here else here.most_common(1)[0][0]
                )
                faded = self.highlight is not None and cluster != self.highlight
                style = Style.parse(f"{colour(cluster)}{' dim' if faded else ' bold'}")
                parts.append((chr(0x2800 + bits[cell]), style))
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)
