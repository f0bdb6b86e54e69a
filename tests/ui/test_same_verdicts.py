"""One runner for both front ends: the same question gets the same verdicts from
``citewise ask --check --no-repair`` as from the terminal UI's Ask screen (which marks what the
check finds and repairs nothing), with a language model and in evidence mode."""

import asyncio
import json
from pathlib import Path

import pytest

from assistant import cli
from assistant.library import Library
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from assistant.tui.widgets.answer_view import AnswerView
from tests.cli_corpus import use_fast_library
from tests.helpers import ANSWER
from tests.openai_server import OpenAIServer, Reply
from tests.ui.pilot import ask, opened

QUESTION = "how does dense retrieval compare with BM25"
REPLY = ANSWER + " Quantum computers factor large primes in seconds [1]."
"""Two sentences the corpus supports, and one it does not."""


def cli_verdicts(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    capsys.readouterr()
    cli.main(["ask", QUESTION, "--check", "--no-repair", "--json"])
    entry = json.loads(capsys.readouterr().out)
    return [(s["text"], s["verdict"]) for s in entry["checks"]["sentences"]]


async def tui_verdicts(settings: Settings, library: Library) -> list[tuple[str, str]]:
    app = CitewiseApp(settings, lambda: library)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, QUESTION)
        [view] = list(app.screen.query(AnswerView))
        assert view.result is not None and view.cited is not None
        verdicts = view.cited.verdicts
        return [(s.text, verdicts.get(i, "")) for i, s in enumerate(view.result.sentences)]


@pytest.mark.parametrize("with_model", [True, False], ids=["llm", "evidence"])
def test_the_cli_and_the_tui_give_the_same_verdicts(
    with_model: bool,
    ui_library: Library,
    settings: Settings,
    openai_server: OpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    use_fast_library(monkeypatch)  # the CLI opens the same store with the same test embedding
    monkeypatch.setenv("CITEWISE_STORE", str(settings.store.path))
    if with_model:
        openai_server.enqueue(Reply(text=REPLY), Reply(text=REPLY))
        monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
        llm = settings.llm.model_copy(update={"base_url": openai_server.base_url})
        settings = settings.model_copy(update={"llm": llm})

    from_cli = cli_verdicts(capsys)
    from_tui = asyncio.run(tui_verdicts(settings, ui_library))

    assert from_cli == from_tui
    assert len(from_cli) >= 2
    if with_model:
        assert len(from_cli) == 3  # nothing repaired or dropped
        assert len({verdict for _, verdict in from_cli}) >= 2  # a check that tells them apart
