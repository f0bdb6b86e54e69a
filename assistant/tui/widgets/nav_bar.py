"""The top line: the app's name and its screens, the current one marked; each is clickable."""

from typing import ClassVar

from textual.content import Content
from textual.style import Style
from textual.widget import Widget

SCREENS = (
    ("ask", "F1", "Ask"),
    ("library", "F2", "Library"),
    ("map", "F3", "Map"),
    ("draft", "F4", "Draft"),
    ("history", "F5", "History"),
    ("discover", "F6", "Discover"),
)


class NavBar(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"nav-bar--current", "nav-bar--key", "nav-bar--name"}

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def render(self) -> Content:
        parts: list[str | tuple[str, str | Style]] = [
            (" citewise ", self.get_visual_style("nav-bar--name", partial=True))
        ]
        for mode, key, title in SCREENS:
            click = Style.from_meta({"@click": f"app.switch_mode('{mode}')"})
            style = (
                self.get_visual_style("nav-bar--current", partial=True)
                if mode == self.current
                else Style()
            )
            parts.append(" ")
            parts.append((key, self.get_visual_style("nav-bar--key", partial=True) + click))
            parts.append((f" {title} ", style + click))
        return Content.assemble(*parts)
