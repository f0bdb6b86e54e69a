"""A terminal killed mid-answer loses nothing already typed or shown: the app runs in a child
process, answering slowly; it is killed with SIGKILL midway; the session reopens intact."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from assistant.history import INTERRUPTED, History
from assistant.settings import Settings
from assistant.tui.widgets.answer_view import AnswerView
from tests.helpers import ANSWER
from tests.ui.pilot import AppFactory, opened, settle

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "how does dense retrieval compare with BM25"


async def test_killed_mid_stream_the_session_reopens_intact(
    make_app: AppFactory, settings: Settings
) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.ui.kill_child",
        str(settings.store.path),
        QUESTION,
        ANSWER,
        "20",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stderr is not None
        line = await asyncio.wait_for(child.stdout.readline(), 120)
        assert line.strip() == b"STREAMING", (await child.stderr.read()).decode()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()

    with History.for_store(settings.store) as history:  # opening it marks the entry interrupted
        [session] = history.sessions()
        [entry] = history.entries(session.id)
    assert entry.query == QUESTION
    assert entry.status == "incomplete" and entry.error == INTERRUPTED
    assert entry.text and ANSWER.startswith(entry.text) and len(entry.text) < len(ANSWER)

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("f5", "enter")
        await pilot.pause()
        await settle(pilot)
        [view] = app.screen.query(AnswerView)
        assert view.heading == QUESTION
        assert view.result is not None and view.result.text == entry.text
        assert "Incomplete: interrupted" in str(view.query_one(".answer--note").render())
