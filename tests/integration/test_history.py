"""The history file: written before the model is called, as the text streams, and at the end."""

import json
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant import paths
from assistant.corpus.paper import Paper
from assistant.errors import InputError, LLMError, StoreError
from assistant.history import INTERRUPTED, SCHEMA_VERSION, STOPPED, History, history_path
from assistant.library import Library
from assistant.settings import Settings, StoreSettings
from assistant.tasks import answer
from assistant.tasks.events import Finished, Retrieved, TaskEvent, TextDelta
from assistant.tasks.recording import Recording
from assistant.tasks.requests import AnswerRequest
from tests.fakes import FakeChatModel

KEY = "sk-history-must-never-hold-this-7f3a"
REPLY = "Routers choose experts per token [1]. Sparse attention scales linearly [2]."


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "history.sqlite3")


@pytest.fixture
def papers(library: Library) -> Library:
    library.add_papers(
        [
            Paper(
                title="Routing tokens in mixture of experts",
                abstract="Experts are chosen per token by a learned router.",
                year=2022,
            ),
            Paper(
                title="Sparse attention for long documents",
                abstract="Sparse attention scales linearly with the input length.",
                year=2021,
            ),
        ]
    )
    return library


def run_answer(
    papers: Library, model: FakeChatModel, question: str = "how are experts chosen?"
) -> AsyncIterator[TaskEvent]:
    return answer.run(papers, AnswerRequest(question), model)


async def test_an_entry_is_running_before_the_model_is_called_then_finalised(
    history: History, papers: Library, tmp_path: Path
) -> None:
    model = FakeChatModel()
    model.enqueue(REPLY, chunk_size=5)
    session = history.new_session("how are experts chosen?")
    recording = Recording(
        history,
        session,
        "answer",
        "how are experts chosen?",
        {"k": 5},
        run_answer(papers, model),
        flush_s=0.0,
    )
    reader = History(tmp_path / "history.sqlite3")  # another connection, as another process
    before = reader.entry(recording.entry_id)
    assert before.status == "running" and before.query == "how are experts chosen?"
    assert before.options == {"k": 5} and model.calls == []

    seen_text: list[str] = []
    async for event in recording:
        if isinstance(event, Retrieved):
            assert [s.title for s in reader.entry(recording.entry_id).sources]
        elif isinstance(event, TextDelta):
            seen_text.append(reader.entry(recording.entry_id).text)
    assert seen_text[1] and seen_text[-1] != seen_text[1]  # the text grew as it streamed

    entry = reader.entry(recording.entry_id)
    assert entry.status == "complete" and entry.error is None
    assert entry.mode == "llm" and entry.backend == "openai" and entry.model == "fake-model"
    assert entry.prompt_version.startswith("system@")
    assert (entry.prompt_tokens, entry.completion_tokens) == (100, 20)
    assert entry.text == REPLY
    assert [s.citations for s in entry.sentences] == [[1], [2]]
    assert {s.number for s in entry.sources} == {1, 2} and entry.cited == {1, 2}
    assert all(s.score >= 0 for s in entry.sources)
    assert json.dumps(entry.to_json())  # serialisable as it is


async def test_a_failed_call_keeps_the_question(history: History, papers: Library) -> None:
    model = FakeChatModel()
    model.enqueue("", error=LLMError("the server said no"))
    session = history.new_session("q")
    recording = Recording(
        history, session, "answer", "what is routing?", {}, run_answer(papers, model)
    )
    with pytest.raises(LLMError):
        async for _ in recording:
            pass
    entry = history.entry(recording.entry_id)
    assert entry.status == "failed" and entry.error == "the server said no"
    assert entry.query == "what is routing?" and entry.sources


async def test_a_failure_before_any_event_is_recorded(history: History) -> None:
    async def broken() -> AsyncIterator[TaskEvent]:
        raise StoreError("the store is locked")
        yield  # pragma: no cover

    recording = Recording(history, history.new_session("q"), "draft", "a topic", {}, broken())
    with pytest.raises(StoreError):
        async for _ in recording:
            pass
    entry = history.entry(recording.entry_id)
    assert (entry.status, entry.error, entry.query) == ("failed", "the store is locked", "a topic")


async def test_a_cut_stream_is_incomplete_with_its_text(history: History, papers: Library) -> None:
    model = FakeChatModel()
    model.enqueue(REPLY, interrupt_after=30)
    recording = Recording(
        history, history.new_session("q"), "answer", "q", {}, run_answer(papers, model)
    )
    events = [event async for event in recording]
    assert isinstance(events[-1], Finished)
    entry = history.entry(recording.entry_id)
    assert entry.status == "incomplete" and "connection dropped" in (entry.error or "")
    assert entry.text and REPLY.startswith(entry.text.rstrip())


async def test_a_consumer_that_stops_leaves_an_incomplete_entry(
    history: History, papers: Library
) -> None:
    model = FakeChatModel()
    model.enqueue(REPLY, chunk_size=3)
    recording = Recording(
        history, history.new_session("q"), "answer", "q", {}, run_answer(papers, model)
    )
    events = aiter(recording)
    async for event in events:
        if isinstance(event, TextDelta):
            break
    await events.aclose()
    entry = history.entry(recording.entry_id)
    assert entry.status == "incomplete" and entry.error == STOPPED
    assert entry.text and REPLY.startswith(entry.text)


def test_entries_left_running_by_a_killed_process_become_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from assistant.history import History\n"
        "h = History(Path(sys.argv[1]))\n"
        "entry = h.start(h.new_session('q'), 'answer', 'what was typed', {})\n"
        "h.progress(entry, 'half an answ')\n"
        "os._exit(9)\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", script, str(path)], cwd=root, check=False)

    history = History(path)
    killed = history.entry(1)
    assert killed.status == "incomplete" and killed.error == INTERRUPTED
    assert (killed.query, killed.text) == ("what was typed", "half an answ")

    alive = history.start(history.new_session("mine"), "answer", "still streaming", {})
    assert History(path).entry(alive).status == "running"  # this process still runs it


def test_sessions_newest_first_and_the_turns_of_a_conversation(history: History) -> None:
    first = history.new_session("first")
    second = history.new_session("second   with\nspaces")
    asked = history.start(first, "answer", "what is MoE?", {})
    history.progress(asked, "Mixture of experts [1].")
    history.interrupt(asked)
    failed = history.start(first, "answer", "and routing?", {})
    history.fail(failed, "boom")
    assert [s.title for s in history.sessions()] == ["first", "second with spaces"]
    assert [s.entries for s in history.sessions()] == [2, 0]
    assert [s.id for s in history.sessions(limit=1)] == [first]
    assert history.session(second).title == "second with spaces"
    assert [e.id for e in history.entries(first)] == [asked, failed]
    assert history.turns(first) == [("what is MoE?", "Mixture of experts [1].")]
    with pytest.raises(InputError, match="no history entry 99"):
        history.entry(99)
    with pytest.raises(InputError, match="no session 99"):
        history.start(99, "answer", "q", {})


def test_schema_version_and_a_file_from_a_newer_citewise(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer citewise"):
        History(path)


def test_a_damaged_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="move it aside"):
        History(path)


def test_where_the_history_lives(tmp_path: Path) -> None:
    assert history_path(StoreSettings(path=tmp_path)) == tmp_path / "history.sqlite3"
    server = history_path(StoreSettings(server_url="http://127.0.0.1:8000"))
    assert server.parent == paths.cache_dir() / "history" and server.suffix == ".sqlite3"


async def test_no_api_key_is_ever_written(tmp_path: Path, papers: Library) -> None:
    settings = Settings(store={"path": tmp_path / "store"}, llm={"api_key": SecretStr(KEY)})
    history = History.for_store(settings.store)
    model = FakeChatModel()
    model.enqueue(REPLY)
    model.enqueue("", error=LLMError("rejected the API key (401)"))
    session = history.new_session("q")

    def recording() -> Recording:
        events = answer.run(papers, AnswerRequest("how are experts chosen?"), model, settings)
        return Recording(history, session, "answer", "how are experts chosen?", {}, events)

    async for _ in recording():
        pass
    with pytest.raises(LLMError):
        async for _ in recording():
            pass
    files = list(history.path.parent.glob("history.sqlite3*"))
    assert len(files) >= 2  # the database and its write-ahead log
    assert all(KEY.encode() not in file.read_bytes() for file in files)
    history.close()
    assert KEY.encode() not in history.path.read_bytes()
