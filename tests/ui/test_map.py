"""Map: topics from the embeddings, the plot, papers per year; a topic filters the library."""

from assistant.tui.screens.map import MapScreen
from assistant.tui.widgets.paper_table import PaperTable
from assistant.tui.widgets.scatter_plot import ScatterPlot
from tests.ui.pilot import AppFactory, opened, settle


async def test_topics_plot_and_years(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await app.switch_mode("map")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MapScreen)
        topic_map = screen.topic_map
        assert topic_map is not None and len(topic_map.clusters) >= 2
        assert sum(len(c.paper_ids) for c in topic_map.clusters) == 12
        plot = screen.query_one(ScatterPlot)
        assert len(plot.points) == 12
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in str(plot.render()))
        assert topic_map.years == {2009: 2, 2017: 2, 2018: 1, 2020: 3, 2022: 2, 2023: 2}
        assert "2009–2023" in str(screen.query_one("#years-range").render())
        await pilot.press("down")
        assert plot.highlight == 1
        await pilot.press("enter")  # the second topic's papers, in the library
        await pilot.pause()
        assert app.current_mode == "library"
        table = app.screen.query_one(PaperTable)
        assert table.row_count == len(topic_map.clusters[1].paper_ids)
        await pilot.press("escape")  # all papers again
        assert table.row_count == 12
