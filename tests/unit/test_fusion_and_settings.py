"""Rank fusion and settings sources."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant import cli
from assistant.errors import ConfigError
from assistant.retrieval import convex_fusion, reciprocal_rank_fusion
from assistant.settings import Settings, StoreSettings, load_settings


def test_rrf_rewards_agreement() -> None:
    dense = {"a": 0.9, "b": 0.8, "c": 0.1}
    lexical = {"b": 12.0, "d": 11.0, "a": 1.0}
    fused = reciprocal_rank_fusion([dense, lexical], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(fused, key=fused.__getitem__) == "b"
    assert fused["d"] == pytest.approx(1 / 62)


def test_convex_fusion_normalises_each_ranking() -> None:
    fused = convex_fusion([{"a": 0.9, "b": 0.5}, {"a": 100.0, "b": 300.0}])
    assert fused["a"] == pytest.approx(0.5) and fused["b"] == pytest.approx(0.5)


def test_settings_from_env_toml_and_store_shorthand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[retrieval]\nk = 7\n[store]\ncollection = "lab"\n')
    monkeypatch.setenv("CITEWISE_CONFIG", str(config))
    monkeypatch.setenv("CITEWISE_STORE", str(tmp_path / "s"))
    monkeypatch.setenv("CITEWISE_RETRIEVAL__FUSION", "convex")
    settings = Settings()
    assert settings.retrieval.k == 7 and settings.retrieval.fusion == "convex"
    assert settings.store.path == tmp_path / "s" and settings.store.collection == "lab"


def test_unknown_settings_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEWISE_RETRIEVAL__KAY", "3")
    with pytest.raises(ValueError, match="kay"):
        Settings()


@pytest.mark.parametrize("name", ["x", "-lab", "lab corpus", "a" * 501])
def test_a_collection_name_chroma_would_refuse_is_a_settings_error(name: str) -> None:
    with pytest.raises(ValidationError, match="collection"):
        StoreSettings(collection=name)
    assert StoreSettings(collection="lab-corpus.v2").collection == "lab-corpus.v2"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[llm]\napi_key = "sk-secret-123456789"\nmodel = \n', r"not valid TOML: .*line 3"),
        ('[retrieval]\nk = "many"\n', r"invalid settings: retrieval\.k"),
    ],
)
def test_a_broken_config_file_is_one_configuration_error(
    text: str,
    match: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("CITEWISE_CONFIG", str(config))
    with pytest.raises(ConfigError, match=match):
        load_settings()
    assert cli.main(["papers"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Configuration:") and "Traceback" not in err
    assert "sk-secret" not in err
