"""Library: the table, its instant filter and sorting, adding files with progress, removing,
and papers that other processes write showing up."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static

from assistant.errors import StoreError
from assistant.library import Library
from assistant.settings import Settings
from assistant.tui import app as app_module
from assistant.tui.app import CitewiseApp
from assistant.tui.messages import IngestProgress, LibraryChanged, StoreChecked
from assistant.tui.widgets.paper_panel import PaperPanel
from assistant.tui.widgets.paper_table import PaperTable
from tests.fakes import HashEmbedder
from tests.helpers import UI_DATA
from tests.ui.pilot import AppFactory, answer_prompt, opened, settle, toasts, unique

T = TypeVar("T")


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
    extra.write_text((UI_DATA / "more.jsonl").read_text())
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


@pytest.fixture
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the store for other writers every 0.1 s instead of every few seconds."""
    monkeypatch.setattr(app_module, "POLL_SECONDS", 0.1)


def counted(calls: list[int], function: Callable[[], T]) -> Callable[[], T]:
    """``function``, appending to ``calls`` each time it is called."""

    def call() -> T:
        calls.append(1)
        return function()

    return call


async def until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


@pytest.mark.usefixtures("fast_poll")
async def test_papers_another_process_writes_show_up(
    make_app: AppFactory, settings: Settings, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.jsonl"
    extra.write_text((UI_DATA / "more.jsonl").read_text())
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        await pilot.pause()
        table.focus()
        await pilot.press("s", "down", "down")  # sorted by year, the third paper chosen
        chosen, order = table.current, titles(table)
        assert chosen is not None
        other = Library(settings, embedder=HashEmbedder())  # as `citewise ingest` elsewhere
        await asyncio.to_thread(other.ingest, [extra])
        await until(pilot, lambda: app.papers == 14)
        assert table.row_count == 14 and "Scientific claim verification" in titles(table)
        assert "14 papers" in str(app.screen.query_one("#status-papers", Static).render())
        assert table.sort_column == "year" and table.current == chosen  # sort, cursor kept
        assert [t for t in titles(table) if t in order] == order
        changed = unique(m for m in seen if isinstance(m, LibraryChanged))
        assert len(changed[-1].papers) == 14 and not any(m.summary for m in changed)  # no toast


@pytest.mark.usefixtures("fast_poll")
async def test_the_check_reads_papers_only_when_the_store_changed(
    make_app: AppFactory, ui_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "extra.jsonl"
    extra.write_text((UI_DATA / "more.jsonl").read_text())
    reads: list[int] = []
    checks: list[int] = []
    monkeypatch.setattr(ui_library, "papers", counted(reads, ui_library.papers))
    monkeypatch.setattr(
        ui_library.store, "generation", counted(checks, ui_library.store.generation)
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        table = await library_screen(app)
        assert len(reads) == 1  # the app opening
        await until(pilot, lambda: len(checks) >= 5)  # the poll ran, nothing changed
        assert len(reads) == 1
        await pilot.press("ctrl+o")  # this app's own write
        await pilot.pause()
        await answer_prompt(pilot, str(extra))
        await settle(pilot)
        assert app.papers == 14 and len(reads) == 2
        version, checked = app.library_version, len(checks)
        await until(pilot, lambda: len(checks) >= checked + 5)
        assert len(reads) == 2 and app.library_version == version  # not read or shown again
        assert table.row_count == 14
        table.focus()
        await pilot.press("delete")  # removing a paper: shown once, not again by the check
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        version, checked = app.library_version, len(checks)
        await until(pilot, lambda: len(checks) >= checked + 5)
        assert app.papers == 13 and app.library_version == version


@pytest.mark.usefixtures("fast_poll")
async def test_an_unreachable_store_is_one_toast(
    make_app: AppFactory, ui_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = ui_library.store.generation
    down = True

    def flaky() -> str:
        if down:
            raise StoreError("the Chroma server at http://x:8000 did not answer")
        return generation()

    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        monkeypatch.setattr(ui_library.store, "generation", flaky)

        def failed_checks() -> int:
            return sum(isinstance(m, StoreChecked) and m.error is not None for m in seen)

        await until(pilot, lambda: failed_checks() >= 5)
        [warning] = [t for t in toasts(seen) if t.severity == "warning"]
        assert warning.title == "Store" and "did not answer" in warning.message
        assert not [t for t in toasts(seen) if t.severity == "error"]
        down = False  # the server is back: the poll went on
        await until(pilot, lambda: not app.store_down)
        assert [t for t in toasts(seen) if t.title == "Store"][-1].message == (
            "The store answers again."
        )
        assert app.papers == 12
