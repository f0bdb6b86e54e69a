"""Snapshots of every screen at 100x30, and of Ask at 80x24, on the fixed test corpus with the
deterministic test embedding (``--snapshot-update`` rewrites them after a deliberate change)."""

import time
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from assistant.history import History
from assistant.results import CitedSentence, TaskResult
from assistant.settings import Settings
from tests.fakes import FakeChatModel
from tests.helpers import ANSWER, DRAFT
from tests.ui.pilot import AppFactory, ask, opened, settle

Compare = Callable[..., bool]
Step = Callable[[Pilot[None]], Awaitable[None]]


def steps(*actions: Step) -> Step:
    async def run(pilot: Pilot[None]) -> None:
        await opened(pilot)
        for action in actions:
            await action(pilot)
        await settle(pilot)
        steady_cursors(pilot)

    return run


def steady_cursors(pilot: Pilot[None]) -> None:
    """A blinking cursor is drawn or not depending on when the picture is taken: stop it."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False


def mode(name: str) -> Step:
    async def switch(pilot: Pilot[None]) -> None:
        await pilot.app.switch_mode(name)
        await settle(pilot)

    return switch


def keys(*pressed: str) -> Step:
    async def press(pilot: Pilot[None]) -> None:
        await pilot.press(*pressed)
        await settle(pilot)

    return press


def asking(question: str) -> Step:
    return lambda pilot: ask(pilot, question)


def scripted(*replies: str) -> FakeChatModel:
    model = FakeChatModel()
    for reply in replies:
        model.enqueue(reply)
    return model


def test_ask_with_a_citation_open(snap_compare: Compare, make_app: AppFactory) -> None:
    app = make_app(scripted(ANSWER))
    run = steps(asking("how does dense retrieval compare with BM25"), keys("tab"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run)


def test_ask_evidence_mode_at_80x24(snap_compare: Compare, make_app: AppFactory) -> None:
    app = make_app()
    run = steps(asking("how do mixture of experts route tokens"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_library(snap_compare: Compare, make_app: AppFactory) -> None:
    run = steps(mode("library"), keys("down", "down", "enter"))
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run)


def test_map(snap_compare: Compare, make_app: AppFactory) -> None:
    run = steps(mode("map"))
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run)


def test_draft(snap_compare: Compare, make_app: AppFactory) -> None:
    app = make_app(scripted(DRAFT))
    run = steps(mode("draft"), keys(*"retrieval and attention", "enter"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run)


def test_history(
    snap_compare: Compare, make_app: AppFactory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("assistant.history.database._now", lambda: "2025-03-04T10:20:30+00:00")
    with History.for_store(settings.store) as history:
        for title, status in (("how do transformers scale", "complete"), ("offline RL", "failed")):
            session = history.new_session(title)
            entry = history.start(session, "answer", title, {})
            result = TaskResult(
                "answer",
                title,
                "llm",
                [],
                text="Attention alone suffices [1].",
                sentences=[CitedSentence("Attention alone suffices.", [1])],
                status=status,
            )
            history.finish(entry, result)
    run = steps(mode("history"))
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run)
    time.tzset()
