"""Text embeddings behind one protocol: offline MiniLM, or an OpenAI-compatible endpoint
(``llm.embeddings``). ``library.make_embedder`` chooses one from the settings."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

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
