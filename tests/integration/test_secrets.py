"""The API key never leaves the process except in the Authorization header.

Each test sets a distinctive key (by ``OPENAI_API_KEY`` and by ``CITEWISE_LLM__API_KEY``), runs
real commands against the test server (tests/openai_server.py) or a closed port, and captures
everything a key could leak into: stdout, stderr, every log record at DEBUG (citewise, openai,
httpx, httpcore), every file written (the history database and its WAL, the exports, the Chroma
and lexical files), and every error citewise raised, with its chain of causes. No 12 characters
in a row of the key may appear in any of them."""

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant import cli
from assistant.errors import AssistantError
from tests.chroma_server import free_port
from tests.cli_corpus import ingest_records
from tests.openai_server import OpenAIServer, Reply

KEY = "sk-test-SECRET-4b1d9f27c0e84a6d93e1"
FRAGMENTS = {KEY[i : i + 12] for i in range(len(KEY) - 11)}
"""Every 12 characters in a row of the key: a leak of any of them fails."""

KEY_VARIABLES = ["OPENAI_API_KEY", "CITEWISE_LLM__API_KEY"]
LOGGERS = ["", "assistant", "openai", "httpx", "httpx2", "httpcore", "httpcore2"]
QUESTION = "how do draft models speed up decoding?"
RECORDS = [
    {
        "title": "Speculative decoding with draft models",
        "abstract": "A small draft model proposes tokens. The large model verifies them.",
        "year": 2023,
        "citation_key": "leviathan2023spec",
    },
    {
        "title": "Key-value cache quantisation",
        "abstract": "Keys and values are stored in four bits.",
        "year": 2024,
    },
]


def leaks(data: str | bytes) -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    return sorted(f for f in FRAGMENTS if f.encode() in raw)


@dataclass
class Capture:
    """What the commands of one test printed, logged and raised."""

    capsys: pytest.CaptureFixture[str]
    caplog: pytest.LogCaptureFixture
    printed: list[str] = field(default_factory=list)
    errors: list[AssistantError] = field(default_factory=list)

    def run(self, *argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = self.capsys.readouterr()
        self.printed += [out, err]
        return code, out, err

    def error_texts(self, with_causes: bool = True) -> list[str]:
        texts = [f"{e}\n{e!r}\n{e.message}\n{e.hint}" for e in self.errors]
        if with_causes:  # the whole chain, as a traceback would print it
            texts += ["".join(traceback.format_exception(e)) for e in self.errors]
        return texts

    def log_texts(self) -> list[str]:
        records = self.caplog.records
        return [self.caplog.text] + [f"{r.getMessage()} {r.args!r} {r.exc_text}" for r in records]

    def assert_no_leak(self, root: Path, *, with_causes: bool = True) -> None:
        names = {r.name.split(".")[0] for r in self.caplog.records}
        assert "openai" in names, "nothing was logged: the capture is not working"
        texts = {
            "printed": self.printed,
            "logs": self.log_texts(),
            "errors": self.error_texts(with_causes),
        }
        for where, pieces in texts.items():
            assert [p for p in pieces if leaks(p)] == [], f"the key leaked into the {where}"
        written = [p for p in root.rglob("*") if p.is_file()]
        assert any(p.name.startswith("history.sqlite3") for p in written)
        assert [str(p) for p in written if leaks(p.read_bytes())] == []


@pytest.fixture(params=KEY_VARIABLES)
def capture(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Capture]:
    """A small library, the key set by one of the two variables, logging at DEBUG, and every
    ``AssistantError`` made kept for inspection."""
    ingest_records(tmp_path, monkeypatch, RECORDS)
    capsys.readouterr()
    monkeypatch.setenv(request.param, KEY)
    monkeypatch.setenv("CITEWISE_LLM__MAX_RETRIES", "0")
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    result = Capture(capsys, caplog)
    made = AssistantError.__init__

    def keep(error: AssistantError, message: str, *, hint: str | None = None) -> None:
        made(error, message, hint=hint)
        result.errors.append(error)

    monkeypatch.setattr(AssistantError, "__init__", keep)
    yield result


def serve(monkeypatch: pytest.MonkeyPatch, server: OpenAIServer) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)


def test_a_successful_ask_exported_every_way_keeps_the_key_out(
    capture: Capture, openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, openai_server)
    reply = "Draft models propose tokens [1]. Caches shrink [2]."
    openai_server.enqueue(Reply(text=reply), Reply(text=reply), Reply(text=reply))
    exports = [("md", "answer.md"), ("latex", "answer"), ("text", "answer.txt")]
    for form, name in exports:
        code, out, _ = capture.run("ask", QUESTION, "--format", form, "-o", str(tmp_path / name))
        assert code == 0 and "Draft models propose tokens [1]." in out
    for name in ("answer.md", "answer.tex", "answer.bib", "answer.txt"):
        assert (tmp_path / name).read_text().strip()
    assert capture.run("history", "--json")[0] == 0
    assert capture.run("history", "show", "1", "--json")[0] == 0
    code, out, _ = capture.run("doctor")
    assert code == 0 and "(answers)" in out
    headers = [r.headers.get("authorization") for r in openai_server.requests]
    assert headers and set(headers) == {f"Bearer {KEY}"}  # the key was live, and sent
    assert capture.errors == []
    capture.assert_no_leak(tmp_path)


def test_failures_keep_the_key_out(
    capture: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OpenAIServer(api_key="sk-the-right-one") as refusing:
        serve(monkeypatch, refusing)
        code, _, err = capture.run("ask", QUESTION)
        assert code == 1 and "rejected the API key (401)" in err
        code, out, _ = capture.run("doctor")
        assert code == 1 and "rejected the API key" in out
        assert refusing.requests[0].headers["authorization"] == f"Bearer {KEY}"

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    code, _, err = capture.run("ask", QUESTION, "-o", str(tmp_path / "never.md"))
    assert code == 1 and "connection refused" in err
    code, out, _ = capture.run("doctor")
    assert code == 1 and "connection refused" in out

    with OpenAIServer() as failing:
        serve(monkeypatch, failing)
        monkeypatch.setenv("CITEWISE_LLM__MAX_RETRIES", "1")  # the retry is logged too
        failing.enqueue(
            Reply(status=500, headers={"retry-after-ms": "10"}, error="upstream failed"),
            Reply(status=500, error="upstream failed"),
        )
        code, _, err = capture.run("summarize", "draft models")
        assert code == 1 and "failed (HTTP 500): upstream failed" in err
        assert len(failing.chat_requests()) == 2

    # Invalid settings: pydantic quotes the whole [llm] input (the key first, with no base URL).
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.setenv("CITEWISE_LLM__CONTEXT_WINDOW", "600")  # less than 1024 answer tokens
    code, _, err = capture.run("doctor")
    assert code == 1 and "answer_tokens must be smaller than the context window" in err

    assert len(capture.errors) >= 4 and not (tmp_path / "never.md").exists()
    capture.assert_no_leak(tmp_path)


def test_a_server_that_echoes_the_key_has_it_scrubbed(
    capture: Capture, openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, openai_server)
    echo = f"proxy refused Authorization: Bearer {KEY}"
    openai_server.enqueue(
        Reply(status=500, error=echo), Reply(status=400, error=echo), Reply(status=403, error=echo)
    )
    for command in (["ask", QUESTION], ["draft", "decoding"], ["summarize", "decoding"]):
        code, _, err = capture.run(*command)
        assert code == 1 and "proxy refused Authorization: Bearer [key]" in err
    # The openai exception under citewise's error keeps the server's own words (it is never
    # printed); everything citewise wrote, logged and raised itself is clean.
    capture.assert_no_leak(tmp_path, with_causes=False)
