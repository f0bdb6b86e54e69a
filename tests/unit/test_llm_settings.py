"""The ``llm`` settings section: sources, the OpenAI variables as fallbacks, 'auto', secrecy."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import LLMSettings, Settings

KEY = "sk-settings-test-abcdef"


def test_defaults_are_evidence_mode() -> None:
    llm = Settings().llm
    assert llm.backend == "auto" and llm.active_backend() == "none"
    assert llm.context_window == 8192 and llm.answer_tokens == 1024
    assert llm.model is None and llm.api_key is None and llm.session_token_cap is None


def test_every_field_has_a_description() -> None:
    assert all(field.description for field in LLMSettings.model_fields.values())


def test_citewise_variables_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nmodel = "from-toml"\ncontext_window = 4096\nmax_retries = 5\n')
    monkeypatch.setenv("CITEWISE_CONFIG", str(config))
    monkeypatch.setenv("CITEWISE_LLM__MODEL", "from-env")
    monkeypatch.setenv("CITEWISE_LLM__SESSION_TOKEN_CAP", "5000")
    llm = Settings().llm
    assert llm.model == "from-env" and llm.context_window == 4096 and llm.max_retries == 5
    assert llm.session_token_cap == 5000


def test_openai_variables_point_citewise_at_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    llm = Settings().llm
    assert llm.base_url == "http://127.0.0.1:8080/v1" and llm.active_backend() == "openai"

    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    llm = Settings().llm
    assert llm.api_key is not None and llm.api_key.get_secret_value() == KEY
    assert llm.active_backend() == "openai"


def test_citewise_settings_win_over_the_openai_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-variable")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-variable:1/v1")
    monkeypatch.setenv("CITEWISE_LLM__API_KEY", KEY)
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nbase_url = "http://from-toml:2/v1"\n')
    monkeypatch.setenv("CITEWISE_CONFIG", str(config))
    llm = Settings().llm
    assert llm.api_key is not None and llm.api_key.get_secret_value() == KEY
    assert llm.base_url == "http://from-toml:2/v1"
    assert Settings(llm={"base_url": "http://flag:3/v1"}).llm.base_url == "http://flag:3/v1"


def test_auto_picks_local_for_a_gguf_path_and_explicit_backends_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITEWISE_LLM__GGUF_PATH", "/models/tiny.gguf")
    assert Settings().llm.active_backend() == "local"
    monkeypatch.setenv("CITEWISE_LLM__BACKEND", "none")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert Settings().llm.active_backend() == "none"


def test_the_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    settings = Settings()
    shown = " ".join(
        [repr(settings), str(settings), settings.model_dump_json(), repr(settings.llm)]
    )
    assert KEY not in shown


def test_context_in_force_is_the_local_servers_when_it_has_its_own() -> None:
    local = LLMSettings(gguf_path=Path("m.gguf"), local_ctx=2048)
    assert local.context_tokens() == 2048
    assert LLMSettings(local_ctx=2048).context_tokens() == 8192  # not local: the window


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"base_url": "localhost:8080"}, "http://"),
        ({"answer_tokens": 9000}, "smaller than the context window"),
        ({"backend": "llama"}, "backend"),
        ({"max_retries": -1}, "max_retries"),
        ({"tempreature": 0.2}, "tempreature"),
    ],
)
def test_bad_values_are_refused(values: dict[str, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        LLMSettings.model_validate(values)
