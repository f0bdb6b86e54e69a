"""History: past sessions listed, reopened, and continued."""

from textual.widgets import DataTable

from assistant.history import History
from assistant.settings import Settings
from assistant.tui.widgets.answer_view import AnswerView
from tests.fakes import FakeChatModel
from tests.helpers import ANSWER
from tests.ui.pilot import AppFactory, ask, opened, settle

QUESTION = "how does dense retrieval compare with BM25"


async def test_reopen_a_session_and_continue_it(make_app: AppFactory, settings: Settings) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    model.enqueue("Fusion needs no training data [2].")
    first = make_app(model)
    async with first.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, QUESTION)
        await ask(pilot, "and fusion?")

    model.enqueue("It also works for passages [1].")
    again = make_app(model)
    async with again.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("f5")
        await pilot.pause()
        table = again.screen.query_one("#sessions", DataTable)
        assert table.row_count == 1
        assert "how does dense retrieval" in str(table.get_row_at(0)[1])
        assert "and fusion?" in str(again.screen.query_one("#entries-text").render())
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert again.current_mode == "ask"
        views = list(again.screen.query(AnswerView))
        assert [v.heading for v in views] == [
            "how does dense retrieval compare with BM25",
            "and fusion?",
        ]
        assert views[0].result is not None and views[0].result.sentences[0].citations == [1]
        await ask(pilot, "and for passages?")
        conversation = model.calls[-1].messages[-1].content
        assert "and fusion?" in conversation  # the reopened turns went to the model

    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        assert [e.query for e in history.entries(session.id)][-1] == "and for passages?"
