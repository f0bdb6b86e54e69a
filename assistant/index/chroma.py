"""Chroma itself: connecting, our embedder in Chroma's clothes, reading metadata a page at a
time, and Chroma's failures as ``StoreError``. With ``store.py``, ``papers.py`` (the paper table
beside the chunks), ``changes.py`` (the change log) and ``lease.py`` (the server's write lease),
the only modules that import ``chromadb``."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.errors import StoreError
from assistant.index.embeddings import Embedder
from assistant.settings import StoreSettings

T = TypeVar("T")
PAGE = 2000
"""Ids per request when reading by id (Chroma's local client writes at most 5,461 at once)."""


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


# Chroma rebuilds the function named in a collection's stored schema whenever it writes to it;
# unregistered, it warns "Could not reconstruct embedding function citewise" on each process's
# first write before any metadata change. chromadb leaves the function untyped.
register_embedding_function(ChromaEmbedding)  # type: ignore[no-untyped-call]


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


def metadatas(
    location: str, collection: Collection, ids: Sequence[str]
) -> Iterator[tuple[str, Any]]:
    """The metadata of those of ``ids`` that ``collection`` holds, ``PAGE`` ids a request."""
    for start in range(0, len(ids), PAGE):
        read = partial(collection.get, ids=list(ids[start : start + PAGE]), include=["metadatas"])
        page = guard(location, read)
        yield from zip(page["ids"], page["metadatas"] or [], strict=True)


def selected(location: str, collection: Collection, where: dict[str, Any]) -> dict[str, Any]:
    """The metadata of the entries ``where`` selects, by id."""
    page = guard(location, partial(collection.get, where=where, include=["metadatas"]))
    return dict(zip(page["ids"], page["metadatas"] or [], strict=True))


def delete_collection(location: str, client: ClientAPI, name: str) -> None:
    """Delete the collection ``name``, if there is one."""

    def delete() -> None:
        with suppress(NotFoundError, ValueError):
            client.delete_collection(name)

    guard(location, delete)
