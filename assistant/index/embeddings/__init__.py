"""Text embeddings behind one protocol: offline MiniLM, or an OpenAI-compatible endpoint."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.settings import EmbeddingSettings


class Embedder(Protocol):
    name: str
    """Names the vector space: vectors from embedders with different names do not mix."""

    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), rows L2-normalised."""
        ...


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.backend == "openai":
        from assistant.llm.embeddings import OpenAIEmbedder

        return OpenAIEmbedder(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            batch_size=settings.batch_size,
        )
    from assistant.index.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(quantize=settings.quantize, batch_size=settings.batch_size)
