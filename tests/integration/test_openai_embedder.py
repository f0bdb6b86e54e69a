"""OpenAIEmbedder, through the real openai client, against a real HTTP server on 127.0.0.1.

The server (tests/openai_server.py) answers ``POST /v1/embeddings`` with 8 deterministic numbers
per text, taken from the text's SHA-256; so the expected vectors can be computed here.
"""

import hashlib

import numpy as np
import pytest
from pydantic import SecretStr

from assistant.errors import ConfigError, EmbeddingError
from assistant.library import make_embedder
from assistant.llm.embeddings import OpenAIEmbedder
from assistant.settings import EmbeddingSettings
from tests.chroma_server import free_port
from tests.openai_server import OpenAIServer, Reply

pytestmark = pytest.mark.slow

SECRET = "sk-test-0123456789-do-not-print"


def served_vector(text: str) -> np.ndarray:
    """What the test server sends for ``text``, scaled to unit length."""
    raw = np.array([byte / 255 for byte in hashlib.sha256(text.encode()).digest()[:8]])
    return raw / np.linalg.norm(raw)


def embedding_requests(server: OpenAIServer) -> list[list[str]]:
    return [r.body["input"] for r in server.requests if r.path == "/v1/embeddings"]


def test_texts_are_sent_in_batches_and_come_back_normalised_in_order(
    openai_server: OpenAIServer,
) -> None:
    embedder = OpenAIEmbedder("test-model", base_url=openai_server.base_url, batch_size=2)
    texts = ["alpha", "beta", "gamma", "delta", "epsilon"]
    vectors = embedder.embed(texts)
    assert embedding_requests(openai_server) == [["alpha", "beta"], ["gamma", "delta"], ["epsilon"]]
    assert all(r.body["model"] == "test-model" for r in openai_server.requests)
    assert vectors.dtype == np.float32 and vectors.shape == (5, 8)
    np.testing.assert_allclose(vectors, [served_vector(t) for t in texts], atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert embedder.name == "test-model" and embedder.dimension == 8
    assert len(openai_server.requests) == 3  # the dimension came from the answers: no probe


def test_the_dimension_is_probed_when_read_before_any_embedding(
    openai_server: OpenAIServer,
) -> None:
    embedder = OpenAIEmbedder("test-model", base_url=openai_server.base_url)
    assert openai_server.requests == []  # construction never touches the network
    assert embedder.dimension == 8
    assert len(embedding_requests(openai_server)) == 1
    assert embedder.embed([]).shape == (0, 8)
    assert len(openai_server.requests) == 1


def test_a_configured_dimension_that_the_server_contradicts_is_an_error(
    openai_server: OpenAIServer,
) -> None:
    embedder = OpenAIEmbedder("test-model", base_url=openai_server.base_url, dimension=1536)
    assert embedder.dimension == 1536
    with pytest.raises(EmbeddingError, match=r"8-dimensional vectors .* not the 1536 configured"):
        embedder.embed(["text"])


def test_a_refused_key_is_an_embedding_error_that_never_shows_the_key() -> None:
    with OpenAIServer(api_key="the-right-key") as server:
        embedder = OpenAIEmbedder("test-model", base_url=server.base_url, api_key=SECRET)
        with pytest.raises(EmbeddingError) as caught:
            embedder.embed(["text"])
        sent = server.requests[0].headers["authorization"]
    assert sent == f"Bearer {SECRET}"
    error = caught.value
    assert "401" in error.message and "API key" in error.message
    assert "CITEWISE_EMBEDDING__API_KEY" in (error.hint or "")
    for shown in (str(error), error.message, error.hint or "", repr(embedder)):
        assert SECRET not in shown


def test_a_key_echoed_by_the_server_is_scrubbed(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=400, error=f"bad input from key {SECRET}"))
    embedder = OpenAIEmbedder("test-model", base_url=openai_server.base_url, api_key=SECRET)
    with pytest.raises(EmbeddingError) as caught:
        embedder.embed(["text"])
    assert "bad input" in str(caught.value) and SECRET not in str(caught.value)


def test_an_unknown_model_is_named_in_the_error(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=404, error="model 'nomic-embed' not found"))
    embedder = OpenAIEmbedder("nomic-embed", base_url=openai_server.base_url)
    with pytest.raises(EmbeddingError, match="nomic-embed") as caught:
        embedder.embed(["text"])
    assert "CITEWISE_EMBEDDING__MODEL" in (caught.value.hint or "")


def test_rate_limiting_after_the_retries_is_an_embedding_error(
    openai_server: OpenAIServer,
) -> None:
    openai_server.enqueue(Reply(status=429, headers={"retry-after": "30"}))
    embedder = OpenAIEmbedder("test-model", base_url=openai_server.base_url, max_retries=0)
    with pytest.raises(EmbeddingError, match=r"rate limiting.*retry in 30 s"):
        embedder.embed(["text"])


def test_nothing_listening_is_an_embedding_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    embedder = OpenAIEmbedder("test-model", base_url=url, max_retries=0)
    with pytest.raises(EmbeddingError, match="nothing is listening"):
        embedder.embed(["text"])


def test_api_openai_com_without_a_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="API key"):
        OpenAIEmbedder("text-embedding-3-small")


def test_the_factory_builds_the_configured_endpoint(openai_server: OpenAIServer) -> None:
    settings = EmbeddingSettings(
        backend="openai",
        model="test-model",
        base_url=openai_server.base_url,
        api_key=SecretStr(SECRET),
        batch_size=3,
    )
    embedder = make_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder) and embedder.batch_size == 3
    embedder.embed(["a", "b", "c", "d"])
    assert [len(batch) for batch in embedding_requests(openai_server)] == [3, 1]
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
