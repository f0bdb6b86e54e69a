"""Library: the table, its instant filter and sorting, adding files with progress, removing."""

from pathlib import Path

from textual.message import Message

from assistant.library import Library
from assistant.tui.app import CitewiseApp
from assistant.tui.messages import IngestProgress
from assistant.tui.widgets.paper_panel import PaperPanel
from assistant.tui.widgets.paper_table import PaperTable
from tests.ui.conftest import DATA, AppFactory, answer_prompt, opened, settle, toasts, unique


async def library_screen(app: CitewiseApp) -> PaperTable:
    await app.switch_mode("library")
    return app.screen.query_one(PaperTable)


def titles(table: PaperTable) -> list[str]:
    return [str(table.get_row_at(row)[1]) for row in range(table.row_count)]


async def test_table_filter_and_sort(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        await pilot.pause()
        assert table.row_count == 12
        assert titles(table) == sorted(titles(table), key=str.casefold)
        await pilot.press("ctrl+f", *"reinforcement")
        await pilot.pause()
        assert sorted(t.split()[0] for t in titles(table)) == ["Offline", "Proximal", "World"]
        await pilot.press("enter")  # back to the table
        await pilot.press("s")  # sort by year
        assert titles(table)[0].startswith("Proximal policy")
        await pilot.press("r")
        assert titles(table)[0].startswith("Offline reinforcement")  # 2020
        await pilot.press("ctrl+f", *(["backspace"] * 13), *"2009 retrieval")
        await pilot.pause()
        assert sorted(titles(table)) == [
            "BM25 and beyond: probabilistic relevance framework",
            "Hybrid retrieval with reciprocal rank fusion",
        ]


async def test_open_a_paper(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        await pilot.pause()
        table.focus()
        await pilot.press("enter")
        panel = app.screen.query_one(PaperPanel)
        assert panel.has_class("-open") and panel.paper is not None
        assert panel.paper.title == titles(table)[0]
        await pilot.press("down")
        assert panel.paper.title == titles(table)[1]  # the panel follows the cursor
        await pilot.press("escape")
        assert not panel.has_class("-open")


async def test_add_files_with_progress(make_app: AppFactory, tmp_path: Path) -> None:
    extra = tmp_path / "extra.jsonl"
    extra.write_text((DATA / "more.jsonl").read_text())
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await answer_prompt(pilot, str(extra))
        await settle(pilot)
        assert app.papers == 14 and table.row_count == 14
        assert "Scientific claim verification" in titles(table)
        phases = {m.phase for m in unique(m for m in seen if isinstance(m, IngestProgress))}
        assert {"read", "embed"} <= phases
        assert app.progress is None  # the bar is gone
        assert any("2 added" in str(t.message) for t in toasts(seen))


async def test_add_rejects_a_missing_path(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await library_screen(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await answer_prompt(pilot, str(tmp_path / "nothing.bib"))
        assert "Nothing at" in str(app.screen.query_one("#problem").render())
        await pilot.press("escape")
        assert app.papers == 12


async def test_remove_marked_papers(make_app: AppFactory, ui_library: Library) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        await pilot.pause()
        table.focus()
        first, second = titles(table)[:2]
        await pilot.press("space", "space", "delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await settle(pilot)
        assert app.papers == 10 and table.row_count == 10
        assert first not in titles(table) and second not in titles(table)
    assert len(ui_library.papers()) == 10
    assert ui_library.search("attention is all you need")[0].paper.title != first
