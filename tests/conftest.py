"""Shared fixtures. Every test gets its own store; nothing touches the user's files."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.library import Library
from assistant.settings import Settings
from tests.chroma_server import ChromaServer
from tests.fakes import HashEmbedder


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the built ONNX model, shared by the session (it is rebuildable data)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CITEWISE_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("CITEWISE_CACHE", str(model_cache))
    monkeypatch.setenv("CITEWISE_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store={"path": tmp_path / "store"})


@pytest.fixture
def library(settings: Settings) -> Library:
    """A library on real Chroma files with the fast deterministic test embedding."""
    return Library(settings, embedder=HashEmbedder())


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`, shipped with chromadb) on 127.0.0.1."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def openai_server() -> Iterator[object]:
    """A real OpenAI-compatible server on 127.0.0.1 (tests/openai_server.py), scripted per test."""
    from tests.openai_server import OpenAIServer

    with OpenAIServer() as server:
        yield server
