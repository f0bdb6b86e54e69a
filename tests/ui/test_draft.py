"""Draft: a related-work draft for a topic, edited in place, checked again, exported."""

from pathlib import Path

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import TextArea

from assistant.history import History
from assistant.settings import Settings
from assistant.tui.widgets.answer_view import AnswerView
from tests.fakes import FakeChatModel
from tests.helpers import DRAFT
from tests.ui.pilot import AppFactory, answer_prompt, opened, settle, toasts


async def draft(pilot: Pilot[None], topic: str) -> AnswerView:
    app = pilot.app
    await app.switch_mode("draft")
    await pilot.pause()
    await pilot.press(*topic, "enter")
    await pilot.pause()
    await settle(pilot)
    return app.screen.query_one(AnswerView)


async def test_draft_edit_check_export(
    make_app: AppFactory, settings: Settings, tmp_path: Path
) -> None:
    model = FakeChatModel()
    model.enqueue(DRAFT)
    app = make_app(model)
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        view = await draft(pilot, "retrieval and attention")
        assert view.result is not None and view.result.kind == "draft"
        assert [s.paragraph for s in view.result.sentences] == [0, 0, 1]
        await pilot.press("ctrl+r")
        editor = app.screen.query_one("#editor", TextArea)
        assert editor.display and editor.text == view.result.text
        editor.text = view.result.text + " A claim of my own [1]. A wrong one [42]."
        await pilot.press("ctrl+r")
        await pilot.pause()
        await settle(pilot)
        assert not editor.display
        assert view.result.sentences[-2].text == "A claim of my own."
        assert view.result.sentences[-2].citations == [1]
        assert view.result.invalid_citations == ["[42]"]
        assert any("[42]" in str(t.message) for t in toasts(seen))
        await pilot.press("ctrl+s")
        await pilot.pause()
        await answer_prompt(pilot, str(tmp_path / "related.tex"))
    tex = (tmp_path / "related.tex").read_text()
    assert "A claim of my own~\\cite{" in tex and "42" not in tex
    assert (tmp_path / "related.bib").read_text().count("@") == 3
    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        [entry] = history.entries(session.id)
    assert entry.kind == "draft" and entry.options["paragraphs"] == 2


async def test_draft_in_evidence_mode_has_themes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        view = await draft(pilot, "reinforcement learning from offline data")
        assert view.result is not None and view.result.mode == "evidence"
        assert len(view.result.headings) == 2
        await pilot.press("ctrl+r", "ctrl+r")  # edit without changes: same sentences and themes
        await pilot.pause()
        assert view.result.headings and view.result.sentences
        assert all(s.citations for s in view.result.sentences)


async def test_draft_needs_a_topic(make_app: AppFactory) -> None:
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        await app.switch_mode("draft")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert any("topic" in str(t.message) for t in toasts(seen))
