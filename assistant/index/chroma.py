"""Chroma itself: connecting, our embedder in Chroma's clothes, and Chroma's failures as
``StoreError``. With ``store.py``, ``changes.py`` (the change log beside the chunks) and
``lease.py`` (the server's write lease), the only modules that import ``chromadb``."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from assistant.errors import StoreError
from assistant.index.embeddings import Embedder
from assistant.settings import StoreSettings

T = TypeVar("T")


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Our embedder in Chroma's clothes, so Chroma never falls back to its downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "citewise"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._embedder.name, "dimension": self._embedder.dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbedding":
        return ChromaEmbedding(_Unopened(str(config["model"]), int(config["dimension"])))


class _Unopened:
    """What Chroma rebuilds from the stored config: it names the model but cannot embed."""

    def __init__(self, name: str, dimension: int) -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise StoreError("the citewise collection must be opened through citewise")


def connect(settings: StoreSettings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.server_url:
        url = urlparse(settings.server_url)
        if not url.hostname:
            raise StoreError(f"not a server URL: {settings.server_url!r}")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = settings.path / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def guard(location: str, action: Callable[[], T]) -> T:
    """Run a Chroma call; turn its failures into a StoreError that names the store."""
    try:
        return action()
    except (StoreError, KeyboardInterrupt):
        raise
    except httpx.TransportError as error:
        raise StoreError(
            f"the Chroma server at {location} did not answer ({error})",
            hint="is it running? Start it with `chroma run --path DIR --port PORT`, or set "
            "the right URL. An ingest that stopped here resumes where it was when run again.",
        ) from error
    except (ChromaError, ValueError, OSError, RuntimeError) as error:
        raise StoreError(
            f"the store at {location} failed: {error}",
            hint="check that the path is a citewise store (or the server is running)",
        ) from error
    except Exception as error:  # chromadb raises bare exceptions from its Rust and HTTP layers
        raise StoreError(f"the store at {location} failed: {error!r}") from error
