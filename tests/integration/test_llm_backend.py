"""Choosing and opening the backend, and what ``citewise doctor`` says about it."""

import pytest
from pydantic import SecretStr

from assistant.errors import ConfigError, LLMError
from assistant.llm.backend import open_model
from assistant.llm.doctor import diagnose
from assistant.llm.failures import public_url
from assistant.llm.types import Delta, Done, Message
from assistant.settings import LLMSettings, Settings
from tests.chroma_server import free_port
from tests.openai_server import OpenAIServer, Reply

KEY = "sk-backend-test-42"


async def test_evidence_mode_yields_no_model() -> None:
    async with open_model(LLMSettings()) as model:
        assert model is None


async def test_one_variable_points_citewise_at_a_server(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.enqueue(Reply(text="It works."))
    async with open_model(Settings().llm) as model:
        assert model is not None
        assert model.info.model == "test-model"  # unset: the first the server lists
        assert model.info.backend == "openai" and model.info.base_url == openai_server.base_url
        events = [e async for e in model.stream([Message("user", "Hi")], max_tokens=8)]
    assert isinstance(events[0], Delta) and isinstance(events[-1], Done)
    assert [r.path for r in openai_server.requests] == ["/v1/models", "/v1/chat/completions"]


async def test_a_configured_model_is_used_without_asking(openai_server: OpenAIServer) -> None:
    settings = LLMSettings(base_url=openai_server.base_url, model="other-model")
    async with open_model(settings) as model:
        assert model is not None and model.info.model == "other-model"
    assert openai_server.requests == []


async def test_a_server_with_no_models_asks_for_one(openai_server: OpenAIServer) -> None:
    openai_server.models = []
    with pytest.raises(LLMError, match="lists no models"):
        async with open_model(LLMSettings(base_url=openai_server.base_url)):
            pass


async def test_openai_without_a_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="needs an API key") as caught:
        async with open_model(LLMSettings(backend="openai")):
            pass
    assert "OPENAI_API_KEY" in (caught.value.hint or "")


async def test_doctor_on_a_server_that_answers(openai_server: OpenAIServer) -> None:
    settings = LLMSettings(base_url=openai_server.base_url, api_key=SecretStr(KEY))
    diagnosis = await diagnose(settings)
    assert diagnosis.backend == "openai" and diagnosis.answers is True and diagnosis.ok
    assert diagnosis.model == "test-model" and diagnosis.models == ("test-model", "other-model")
    text = "\n".join(diagnosis.lines())
    assert "auto: a base URL is set" in text and "answers" in text
    assert "CITEWISE_LLM__BASE_URL" in text and "CITEWISE_LLM__MODEL" in text
    assert KEY not in text and KEY not in repr(diagnosis)


async def test_doctor_flags_a_model_the_server_does_not_list(openai_server: OpenAIServer) -> None:
    diagnosis = await diagnose(LLMSettings(base_url=openai_server.base_url, model="gpt-9"))
    assert diagnosis.answers is True and not diagnosis.ok
    assert "does not list the model 'gpt-9'" in (diagnosis.problem or "")


async def test_doctor_on_a_server_that_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    diagnosis = await diagnose(LLMSettings(base_url=url, model="m"), timeout_s=1)
    assert diagnosis.answers is False
    assert "nothing is listening" in (diagnosis.problem or "")
    assert any("does not answer" in line for line in diagnosis.lines())


async def test_doctor_in_evidence_mode_says_what_to_set() -> None:
    diagnosis = await diagnose(LLMSettings())
    text = "\n".join(diagnosis.lines())
    assert diagnosis.backend == "none" and diagnosis.answers is None
    assert "nothing is generated" in text
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CITEWISE_LLM__GGUF_PATH"):
        assert variable in text


async def test_doctor_shows_urls_without_credentials(openai_server: OpenAIServer) -> None:
    url = openai_server.base_url.replace("http://", "http://user:hunter2@") + "?token=abc"
    diagnosis = await diagnose(LLMSettings(base_url=url, model="test-model"))
    assert diagnosis.base_url == openai_server.base_url
    assert "hunter2" not in "\n".join(diagnosis.lines())


def test_public_url_strips_credentials_and_query() -> None:
    assert public_url("https://u:p@example.org:8443/v1/?key=s#x") == "https://example.org:8443/v1"
    assert public_url("http://[::1]:8080/v1") == "http://[::1]:8080/v1"
