"""The language-model fault matrix, end to end through `citewise ask`: each fault has its own
message, the question (and any partial answer) is kept in history, and the same session goes on
once the model is back. The real openai client against the test server on 127.0.0.1."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import cli
from assistant.history import History
from assistant.settings import Settings
from tests.chroma_server import free_port
from tests.cli_corpus import ingest_records
from tests.openai_server import OpenAIServer, Reply

KEY = "sk-fault-matrix-key"
QUESTION = "how do draft models speed up decoding?"
PARTIAL = "Draft models propose several tokens"


@dataclass(frozen=True)
class Fault:
    says: list[str]
    """What stderr must say."""

    status: str
    """How the history records the question."""

    arrange: Callable[[OpenAIServer, pytest.MonkeyPatch], None]


def refused(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")


def unknown_host(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_BASE_URL", "http://citewise-no-such-host.invalid/v1")


def wrong_key(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    server.api_key = "sk-another-key"


def unknown_model(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    env.setenv("CITEWISE_LLM__MODEL", "gpt-9")


def rate_limited(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    server.enqueue(Reply(status=429, headers={"Retry-After": "30"}))


def cut_midway(server: OpenAIServer, env: pytest.MonkeyPatch) -> None:
    server.enqueue(Reply(text=f"{PARTIAL} at once [1] and checks.", stream_cut_after=5))


FAULTS = {
    "connection refused": Fault(["nothing is listening at"], "failed", refused),
    "DNS failure": Fault(
        ["citewise-no-such-host.invalid", "cannot be found"], "failed", unknown_host
    ),
    "401": Fault(["rejected the API key"], "failed", wrong_key),
    "404 model": Fault(
        ["has no model 'gpt-9'", "test-model, other-model"], "failed", unknown_model
    ),
    "429 Retry-After": Fault(["rate limiting", "retry in 30 s"], "failed", rate_limited),
    "stream cut": Fault(["Incomplete", "stopped after"], "incomplete", cut_midway),
}


@pytest.fixture(autouse=True)
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"title": "Speculative decoding", "abstract": "A draft model proposes tokens."}]
    ingest_records(tmp_path, monkeypatch, rows)


@contextmanager
def healthy(server: OpenAIServer, env: pytest.MonkeyPatch) -> Iterator[None]:
    with env.context() as scoped:
        scoped.setenv("OPENAI_BASE_URL", server.base_url)
        scoped.setenv("OPENAI_API_KEY", KEY)
        scoped.setenv("CITEWISE_LLM__MAX_RETRIES", "0")
        yield


@pytest.mark.parametrize("name", FAULTS)
def test_each_fault_has_its_message_and_the_session_goes_on(
    name: str,
    openai_server: OpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fault = FAULTS[name]
    capsys.readouterr()
    with healthy(openai_server, monkeypatch), monkeypatch.context() as env:
        fault.arrange(openai_server, env)
        assert cli.main(["ask", QUESTION]) == 1
        captured = capsys.readouterr()
    for words in fault.says:
        assert words in captured.err
    assert "Traceback" not in captured.err and KEY not in captured.out + captured.err
    assert 'Follow up: citewise ask --session 1 "..."' in captured.err
    if fault.status == "incomplete":
        assert PARTIAL in captured.out

    openai_server.api_key = None
    openai_server.enqueue(Reply(text="It verifies them in parallel [1]."))
    with healthy(openai_server, monkeypatch):
        assert cli.main(["ask", "--session", "1", "and then?"]) == 0
    assert "verifies them in parallel" in capsys.readouterr().out
    with History.for_store(Settings().store) as history:
        (session,) = history.sessions()
        first, second = history.entries(session.id)
    assert (first.query, first.status) == (QUESTION, fault.status)
    assert fault.status != "incomplete" or first.text.startswith(PARTIAL)
    assert (second.query, second.status) == ("and then?", "complete")
