"""Discover (F6): a question finds papers through the replay server, marked in or not in the
library with why; marked papers are added in one step; offline is a toast, the question stays."""

import socket
from collections.abc import Iterator
from contextlib import nullcontext

import pytest
from textual.message import Message
from textual.widgets import DataTable, Input

from assistant.library import Library
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from assistant.tui.messages import LibraryChanged
from assistant.tui.screens.discover import DiscoverScreen
from assistant.tui.widgets.paper_panel import PaperPanel
from tests.openalex_pool import OpenAlexPool, work
from tests.scholarly_server import ScholarlyServer
from tests.ui.pilot import opened, settle, toasts, unique

QUESTION = "dense passage retrieval for question answering"
POOL = [
    work(
        "W1",
        "Dense passage retrieval for open-domain question answering",  # in the library already
        "Open-domain question answering relies on efficient passage retrieval.",
        year=2020,
        authors=["Vladimir Karpukhin"],
    ),
    work(
        "W2",
        "Late interaction over contextualized embeddings for passage retrieval",
        "Token-level late interaction makes dense passage retrieval precise and fast.",
        year=2020,
    ),
    work(
        "W3",
        "Retrieval-augmented question answering with dense passages",
        "Answers are generated from dense passage retrieval results.",
        year=2021,
    ),
]


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer() as running:
        OpenAlexPool(POOL).mount(running)
        yield running


def app_for(settings: Settings, library: Library) -> CitewiseApp:
    return CitewiseApp(settings, lambda: library, model_opener=lambda: nullcontext(None))


async def test_discover_marks_explains_and_adds(
    settings: Settings, ui_library: Library, server: ScholarlyServer
) -> None:
    online = settings.model_copy(update={"scholarly": server.settings()})
    app = app_for(online, ui_library)
    seen: list[Message] = []
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        await pilot.press("f6")
        assert isinstance(app.screen, DiscoverScreen)
        await pilot.press(*QUESTION, "enter")
        await settle(pilot)
        table = app.screen.query_one("#candidates", DataTable)
        rows = {str(table.get_row_at(r)[2]): table.get_row_at(r) for r in range(table.row_count)}
        assert set(rows) == {w["title"] for w in POOL}
        assert rows["Dense passage retrieval for open-domain question answering"][4] == "yes"
        assert rows["Retrieval-augmented question answering with dense passages"][4] == "no"
        assert all("search (OpenAlex #" in str(row[5]) for row in rows.values())
        assert app.screen.query_one(PaperPanel).paper is not None  # the highlighted one's abstract
        new = [r for r in range(table.row_count) if table.get_row_at(r)[4] == "no"]
        for row in new:
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.press("a")
        await settle(pilot)
        [changed] = unique(m for m in seen if isinstance(m, LibraryChanged))
        assert changed.summary == "2 added from Discover"
        assert [str(table.get_row_at(r)[4]) for r in new] == ["added", "added"]
    added = [p for p in ui_library.papers() if p.sources[0].format == "openalex"]
    assert sorted(p.title for p in added) == sorted(str(w["title"]) for w in POOL[1:])
    assert len(ui_library.papers()) == 14


async def test_offline_is_a_toast_and_the_question_stays(
    settings: Settings, ui_library: Library
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offline = settings.model_copy(
        update={
            "scholarly": settings.scholarly.model_copy(
                update={
                    "openalex": settings.scholarly.openalex.model_copy(
                        update={"base_url": f"http://127.0.0.1:{port}"}
                    )
                }
            )
        }
    )
    app = app_for(offline, ui_library)
    seen: list[Message] = []
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        await pilot.press("f6", *QUESTION, "enter")
        await settle(pilot)
        [toast] = [t for t in toasts(seen) if t.severity == "error"]
        assert toast.title == "Offline" and "cannot connect" in toast.message
        assert app.screen.query_one("#discover-question", Input).value == QUESTION
        assert app.screen.query_one("#candidates", DataTable).row_count == 0
