"""Test doubles for remote or heavy components (never for the code under test)."""

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class HashEmbedder:
    """A deterministic bag-of-words embedding: fast, offline, similar texts get similar vectors."""

    def __init__(self, name: str = "hash-64", dimension: int = 64) -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                vectors[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms
