"""Map: the library's topics (k-means on the embeddings, labelled with their top title terms),
the papers on a plane coloured by topic, and papers per year. Enter on a topic shows its papers
in the library."""

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from assistant.tui.messages import ShowTopic
from assistant.tui.screens.base import ModeScreen
from assistant.tui.widgets.scatter_plot import ScatterPlot, colour

if TYPE_CHECKING:
    from assistant.topics import TopicMap


class MapScreen(ModeScreen):
    MODE = "map"
    topic_map: "TopicMap | None" = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="main"):
            with Vertical(id="map-side"):
                yield Label("Topics · Enter shows their papers", classes="section")
                yield OptionList(id="clusters")
                yield Label("Papers per year", classes="section")
                yield Sparkline([], id="years")
                yield Static(id="years-range")
            yield ScatterPlot(id="plot")

    def on_mount(self) -> None:
        self.watch(self.app, "library_version", self._rebuild, init=True)
        self.query_one(OptionList).focus()

    def _rebuild(self, _version: int) -> None:
        self.build()

    @work(thread=True, exclusive=True, exit_on_error=False, group="map")
    def build(self) -> None:
        if not self.context.is_open:
            return  # built when the library opens (library_version changes)
        from assistant.topics import build_map

        topic_map = build_map(self.context.runner.library)
        self.app.call_from_thread(self._show, topic_map)

    def _show(self, topic_map: "TopicMap") -> None:
        self.topic_map = topic_map
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(Content.assemble(("● ", colour(c.number)), f"{c.label} ({len(c.paper_ids)})"))
            for c in topic_map.clusters
        )
        if topic_map.clusters:
            options.highlighted = 0
        self.query_one(ScatterPlot).plot([(p.x, p.y, p.cluster) for p in topic_map.points])
        years = topic_map.years
        shown = self.query_one("#years-range", Static)
        self.query_one(Sparkline).display = bool(years)
        if not years:
            shown.update("No paper has a year.")
            return
        first, last = min(years), max(years)
        self.query_one(Sparkline).data = [years.get(y, 0) for y in range(first, last + 1)]
        busiest = max(years, key=lambda y: years[y])
        shown.update(f"{first}–{last} · most: {years[busiest]} in {busiest}")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(ScatterPlot).highlight = event.option_index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.topic_map is not None:
            cluster = self.topic_map.clusters[event.option_index]
            self.post_message(ShowTopic(cluster.label, frozenset(cluster.paper_ids)))
