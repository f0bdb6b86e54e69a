"""Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, llama.cpp, TEI…).

``OpenAIEmbedder`` is an ``Embedder``: it sends ``batch_size`` texts per request with the sync
``openai.OpenAI`` client (whose retries cover 408, 409, 429, 5xx, timeouts and lost connections),
and returns float32 rows scaled to unit length, whatever the server sends.

The dimension is learnt from the server, not configured: from the first response, or, when
``dimension`` is read before anything was embedded (the store reads it on opening), from a probe
request of one short text made then. Construction itself never touches the network. A server
whose vectors change length between requests is an error, not something to paper over.

Failures become ``EmbeddingError`` with the message ``failures.explain`` writes for the chat
client too; the API key never appears in a message (``explain`` scrubs it should a server echo it).
"""

import os
from collections.abc import Sequence

import numpy as np
import openai
from numpy.typing import NDArray

from assistant.errors import ConfigError, EmbeddingError
from assistant.llm.failures import explain, public_url

OPENAI_URL = "https://api.openai.com/v1"
NO_KEY = "no-key"
"""Sent when no key is configured: local servers ignore it, the openai client insists on one."""

SETTINGS_PREFIX = "CITEWISE_EMBEDDING__"
CONNECT_TIMEOUT_S = 10.0
PROBE_TEXT = "dimension probe"


class OpenAIEmbedder:
    """``Embedder`` over an OpenAI-compatible endpoint; ``name`` is the model's name."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        dimension: int | None = None,
        batch_size: int = 64,
        *,
        timeout_s: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        """``base_url`` and ``api_key`` default to ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``
        (then to api.openai.com, and to no key). ``dimension``, when given, is checked against
        what the server returns."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        url = base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL
        key = api_key or os.environ.get("OPENAI_API_KEY") or None
        self.endpoint = public_url(url)
        if key is None and self.endpoint.startswith("https://api.openai.com"):
            raise ConfigError(
                "api.openai.com needs an API key for embeddings",
                hint=f"set {SETTINGS_PREFIX}API_KEY (or OPENAI_API_KEY), or "
                f"{SETTINGS_PREFIX}BASE_URL to another server",
            )
        self.name = model
        self.batch_size = batch_size
        self._expected = dimension
        self._dimension = dimension
        self._secret = key
        self._timeout_s = timeout_s
        self._client = openai.OpenAI(
            base_url=url,
            api_key=key or NO_KEY,
            timeout=openai.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S)),
            max_retries=max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(model={self.name!r}, base_url={self.endpoint!r})"

    @property
    def dimension(self) -> int:
        """The vectors' length: as configured, as last returned, or asked of the server now."""
        if self._dimension is None:
            self._request([PROBE_TEXT])
        assert self._dimension is not None  # set by every successful request
        return self._dimension

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts, not one string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = self.batch_size
        parts = [self._request(list(texts[i : i + size])) for i in range(0, len(texts), size)]
        return np.concatenate(parts)

    def close(self) -> None:
        self._client.close()

    def _request(self, texts: list[str]) -> NDArray[np.float32]:
        try:
            response = self._client.embeddings.create(
                model=self.name, input=texts, encoding_format="float"
            )
        except openai.OpenAIError as error:
            failure = explain(
                error,
                endpoint=self.endpoint,
                prefix=SETTINGS_PREFIX,
                secret=self._secret,
                model=self.name,
                timeout_s=self._timeout_s,
            )
            raise EmbeddingError(failure.message, hint=failure.hint) from error
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(texts):
            raise self._malformed(f"{len(rows)} embeddings for {len(texts)} texts")
        lengths = {len(row.embedding) for row in rows}
        if len(lengths) != 1 or 0 in lengths:
            raise self._malformed(f"vectors of lengths {sorted(lengths)} in one answer")
        vectors = np.array([row.embedding for row in rows], dtype=np.float32)
        self._check_dimension(vectors.shape[1])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        if not np.isfinite(norms).all() or (norms == 0).any():
            raise self._malformed("a zero or non-finite vector")
        unit: NDArray[np.float32] = vectors / norms
        return unit

    def _check_dimension(self, found: int) -> None:
        known = self._dimension
        if known is not None and found != known:
            source = "configured" if known == self._expected else "it returned before"
            raise EmbeddingError(
                f"{self.endpoint} returned {found}-dimensional vectors for {self.name!r}, "
                f"not the {known} {source}",
                hint="a different model may now answer under that name; a store embedded with "
                "the old one must be re-embedded (citewise reindex)",
            )
        self._dimension = found

    def _malformed(self, what: str) -> EmbeddingError:
        return EmbeddingError(
            f"{self.endpoint} answered the embeddings request for {self.name!r} with {what}",
            hint="the server does not follow the OpenAI embeddings protocol",
        )
