"""Errors: a failing model, a stopped answer, a library that cannot open. The user is told what
happened and what to do, the question comes back, and the interface keeps working."""

import pytest
from textual.message import Message

from assistant.errors import LLMError, StoreError
from assistant.history import History
from assistant.library import Library
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.question_input import QuestionInput
from tests.fakes import FakeChatModel
from tests.helpers import ANSWER
from tests.ui.pilot import AppFactory, ask, opened, settle, toasts
from tests.ui.slow_model import SlowChatModel


async def test_model_error_is_a_toast_and_the_question_comes_back(
    make_app: AppFactory, settings: Settings
) -> None:
    model = FakeChatModel()
    model.enqueue(
        "", error=LLMError("the server at http://x/v1 refused the key", hint="check OPENAI_API_KEY")
    )
    model.enqueue(ANSWER)
    app = make_app(model)
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        [toast] = [t for t in toasts(seen) if t.severity == "error"]
        assert toast.title == "Language model"
        assert "refused the key" in toast.message and "check OPENAI_API_KEY" in toast.message
        question = app.screen.query_one(QuestionInput)
        assert question.value == "how does dense retrieval compare with BM25"
        assert app.focused is question
        await pilot.press("enter")  # ask again: it works this time
        await pilot.pause()
        await settle(pilot)
        views = list(app.screen.query(AnswerView))
        assert views[-1].result is not None and views[-1].result.status == "complete"
    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        assert [e.status for e in history.entries(session.id)] == ["failed", "complete"]


async def test_escape_stops_a_streaming_answer(make_app: AppFactory, settings: Settings) -> None:
    model = SlowChatModel(stall_after=4)
    model.enqueue(ANSWER, chunk_size=5)
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press(*"how does dense retrieval compare", "enter")
        while model.sent < 4:
            await pilot.pause(0.02)
        await pilot.pause(0.1)
        await pilot.press("escape")
        await settle(pilot)
        [view] = app.screen.query(AnswerView)
        assert "Stopped" in str(view.query_one(".answer--note").render())
        await pilot.press(*"still responsive")
        assert app.screen.query_one(QuestionInput).value == "still responsive"
    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        [entry] = history.entries(session.id)
    assert entry.status == "incomplete" and entry.text == ANSWER[:20]


async def test_a_library_that_cannot_open(settings: Settings) -> None:
    def broken() -> Library:
        raise StoreError("the store at /nowhere failed: locked", hint="close the other citewise")

    app = CitewiseApp(settings, broken)
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await ask(pilot, "anything")
        errors = [t for t in toasts(seen) if t.severity == "error"]
        assert errors and all("locked" in t.message for t in errors)
        assert "close the other citewise" in errors[0].message
        assert app.screen.query_one(QuestionInput).value == "anything"


async def test_an_unexpected_failure_is_a_toast(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(library: Library) -> None:
        raise RuntimeError("the map broke")

    monkeypatch.setattr("assistant.topics.build_map", broken)
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        await pilot.press("f3")
        await settle(pilot)
        [toast] = [t for t in toasts(seen) if t.severity == "error"]
        assert toast.title == "Unexpected error" and "the map broke" in toast.message
        await pilot.press("f1", *"still works")
        assert app.screen.query_one(QuestionInput).value == "still works"
