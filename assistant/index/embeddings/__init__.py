"""Text embeddings behind one protocol: offline MiniLM, or an OpenAI-compatible endpoint."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from assistant.errors import ConfigError
from assistant.settings import EmbeddingSettings

MINILM = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Plain attributes satisfy the two properties (``HashEmbedder`` in the tests does)."""

    @property
    def name(self) -> str:
        """Names the vector space: vectors from embedders with different names do not mix.

        The model's name ("all-MiniLM-L6-v2"), not how it runs: int8 and fp32 MiniLM give
        near-identical vectors and share it."""
        ...

    @property
    def dimension(self) -> int:
        """The vectors' length."""
        ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """float32 array of shape (len(texts), dimension), rows L2-normalised, in input order."""
        ...


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder the settings ask for; the heavy modules are imported only when chosen."""
    if settings.backend == "openai":
        from assistant.llm.embeddings import OpenAIEmbedder

        return OpenAIEmbedder(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            batch_size=settings.batch_size,
        )
    if settings.model != MINILM:
        raise ConfigError(
            f"the 'minilm' embedding backend serves only {MINILM}, not {settings.model!r}",
            hint="unset CITEWISE_EMBEDDING__MODEL, or set CITEWISE_EMBEDDING__BACKEND=openai "
            "to use a model an OpenAI-compatible endpoint serves",
        )
    from assistant.index.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(quantize=settings.quantize, batch_size=settings.batch_size)
