"""The Chroma store: chunks, vectors and papers in one collection.

Local files (``PersistentClient`` under ``<store>/chroma``) by default, a shared server
(``HttpClient``) when a URL is configured. Each chunk carries its paper (``records.py``), so the
store alone can list, show and filter papers. The collection records the embedding model and
dimension; opening it with another model raises ``ModelMismatchError``.

Writes are numbered: write *n* first records the ids it touches in the change log
(``changes.py``), and a *generation* token in the collection metadata, ``n:<random>``, changes
before and after it. Derived indexes (the lexical index) compare tokens to tell whether they are
in step, and read the log to catch up. On a server, writers take turns (``turn()``, a lease in
``lease.py``); a local store has one writer at a time (``lock.py``).
"""

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from assistant.corpus.paper import Paper
from assistant.errors import ModelMismatchError
from assistant.index.changes import ChangeLog
from assistant.index.chroma import ChromaEmbedding, connect, guard
from assistant.index.chunking import Chunk
from assistant.index.embeddings import Embedder
from assistant.index.filters import Filters
from assistant.index.lease import Lease
from assistant.index.records import (
    StoredChunk,
    StoredPaper,
    chunk_metadata,
    group,
    paper_fields,
    stored,
)
from assistant.settings import StoreSettings

SCHEMA = 2
"""Version 2 added the ``keys`` and ``chunks`` fields; version 1 stores gain them on opening."""
PAGE = 2000


@dataclass(frozen=True)
class Version:
    """Where the store is in its history."""

    token: str
    """Changes before and after every write: ``<seq>~<random>`` while write ``seq`` is under
    way (or was killed), ``<seq>:<random>`` once it is done."""
    seq: int
    """The number of the last write begun (0 before the first, or in a store from before
    writes were numbered)."""
    epoch: str
    """The collection's id: a new one when the collection is recreated (``reindex``)."""

    @classmethod
    def of(cls, token: str, epoch: str) -> "Version":
        number = token.partition(":")[0].partition("~")[0]
        return cls(token, int(number) if number.isdigit() and number != token else 0, epoch)

    @property
    def settled(self) -> bool:
        """True unless write ``seq`` may be half-done."""
        return "~" not in self.token


@dataclass(frozen=True)
class Hit:
    chunk: StoredChunk
    similarity: float


class ChunkStore:
    """Chunks, their vectors and their papers, in one Chroma collection."""

    def __init__(
        self, settings: StoreSettings, embedder: Embedder, *, check_model: bool = True
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._check_model = check_model
        self.location = settings.server_url or str(settings.path / "chroma")
        self._client = guard(self.location, lambda: connect(settings))
        self._collection = guard(self.location, self._open_collection)
        self.lease = (
            Lease(self._client, settings.collection, self.location, self._function)
            if settings.server_url
            else None
        )
        """The server's write lease (``lease.py``); None on local files (one writer: a lock)."""
        self._changes = ChangeLog(self._client, settings.collection, self.location, self._function)
        if check_model and (self._collection.metadata or {}).get("citewise:schema") == 1:
            self._upgrade()

    def _open_collection(self) -> Collection:
        expected = {"model": self.embedder.name, "dimension": self.embedder.dimension}
        function = self._function()
        try:
            collection = self._client.get_collection(
                self.settings.collection,
                embedding_function=function,
            )
        except NotFoundError:
            collection = self._client.create_collection(
                self.settings.collection,
                embedding_function=function,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={
                    "citewise:schema": SCHEMA,
                    **_prefixed(expected),
                    "generation": f"0:{uuid.uuid4().hex}",
                },
                get_or_create=True,
            )
        meta = collection.metadata or {}
        found = {"model": meta.get("citewise:model"), "dimension": meta.get("citewise:dimension")}
        if self._check_model and found != expected:
            raise ModelMismatchError(
                f"the store at {self.location} was embedded with {found['model']} "
                f"({found['dimension']} dimensions), not the configured {expected['model']} "
                f"({expected['dimension']})",
                hint="run `citewise reindex` to re-embed it with the configured model, "
                "or configure the model it was built with",
            )
        return collection

    # Reading

    def count(self) -> int:
        return guard(self.location, self._collection.count)

    def generation(self) -> str:
        """The token the last write left; it changes whenever the contents may have changed."""
        return self.version().token

    def version(self) -> Version:
        def read() -> Version:
            fresh = self._client.get_collection(
                self.settings.collection, embedding_function=self._function()
            )
            return Version.of(str((fresh.metadata or {}).get("generation", "")), str(fresh.id))

        return guard(self.location, read)

    def touched(self, first: int, last: int) -> set[str] | None:
        """The chunk ids writes ``first..last`` touched; None when the log no longer knows."""
        return self._changes.touched(first, last, str(self._collection.id))

    def papers(self) -> list[StoredPaper]:
        """Every paper with the ids of its chunks."""
        return group(self.chunks(include_text=False))

    def matching(self, identity_keys: Sequence[str]) -> list[StoredPaper]:
        """The stored papers that share an identity key (``dedup.keys``) with ``identity_keys``."""
        clauses: list[Any] = [{"keys": {"$contains": k}} for k in dict.fromkeys(identity_keys)]
        if not clauses:
            return []
        where = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        page = guard(
            self.location, lambda: self._collection.get(where=where, include=["metadatas"])
        )
        metas = page["metadatas"] or []
        return group(stored(i, m, "") for i, m in zip(page["ids"], metas, strict=True))

    def chunks(
        self, *, include_text: bool = True, limit: int | None = None
    ) -> Iterator[StoredChunk]:
        """Every chunk (the first ``limit`` written), page by page; by id, because Chroma's
        offset paging slows as the offset grows."""
        listed = guard(self.location, lambda: self._collection.get(include=[], limit=limit))
        ids = listed["ids"]
        for start in range(0, len(ids), PAGE):
            yield from self._read(ids[start : start + PAGE], include_text)

    def get(self, chunk_ids: Sequence[str]) -> list[StoredChunk]:
        """The chunks among ``chunk_ids`` that the store holds."""
        return [
            c for s in range(0, len(chunk_ids), PAGE) for c in self._read(chunk_ids[s : s + PAGE])
        ]

    def _read(self, chunk_ids: Sequence[str], include_text: bool = True) -> list[StoredChunk]:
        if not chunk_ids:
            return []
        include: list[Any] = ["metadatas", "documents"] if include_text else ["metadatas"]
        page = guard(
            self.location, lambda: self._collection.get(ids=list(chunk_ids), include=include)
        )
        documents = page.get("documents") or [""] * len(page["ids"])
        return [
            stored(i, m, d or "")
            for i, m, d in zip(page["ids"], page["metadatas"] or [], documents, strict=True)
        ]

    def chunks_of(self, paper_id: str) -> list[StoredChunk]:
        page = guard(
            self.location,
            lambda: self._collection.get(
                where={"paper_id": paper_id}, include=["metadatas", "documents"]
            ),
        )
        documents = page["documents"] or []
        chunks = [
            stored(i, m, d or "")
            for i, m, d in zip(page["ids"], page["metadatas"] or [], documents, strict=True)
        ]
        return sorted(chunks, key=lambda c: c.index)

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}
        page = guard(
            self.location,
            lambda: self._collection.get(ids=list(chunk_ids), include=["embeddings"]),
        )
        embeddings = page["embeddings"] if page["embeddings"] is not None else []
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(page["ids"], embeddings, strict=True)
        }

    def query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[Hit]:
        result = guard(  # Chroma returns what there is when n exceeds the count
            self.location,
            lambda: self._collection.query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                where=filters.chroma_where() if filters else None,
                include=["metadatas", "documents", "distances"],
            ),
        )
        ids, metas = result["ids"][0], (result["metadatas"] or [[]])[0]
        docs, dists = (result["documents"] or [[]])[0], (result["distances"] or [[]])[0]
        return [
            Hit(stored(i, m, d or ""), 1.0 - float(dist))
            for i, m, d, dist in zip(ids, metas, docs, dists, strict=True)
        ]

    # Writing

    def turn(self) -> AbstractContextManager[None]:
        """Hold the server's write lease (re-entrant); a no-op on local files, where the
        caller holds the store's write lock for the whole ingest."""
        return self.lease.held() if self.lease else nullcontext()

    def write(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        papers: dict[str, Paper],
        delete: Sequence[str] = (),
    ) -> str:
        """Upsert ``chunks`` (with their papers' metadata) and delete ``delete``, in one step;
        return the generation it leaves.

        Deleting first means a killed write can lose a changed paper's chunks but never leave
        old and new side by side; the next ingest finds the paper missing or incomplete and
        writes it again."""
        totals = Counter(c.paper_id for c in chunks)

        def run() -> None:
            if delete:
                self._collection.delete(ids=list(delete))
            if chunks:
                self._collection.upsert(
                    ids=[c.id for c in chunks],
                    embeddings=vectors,
                    documents=[c.text for c in chunks],
                    metadatas=[
                        chunk_metadata(c, papers[c.paper_id], totals[c.paper_id]) for c in chunks
                    ],
                )

        return self._changing(run, [*delete, *(c.id for c in chunks)])

    def update_papers(self, papers: Sequence[StoredPaper]) -> str:
        """Rewrite the paper metadata of existing chunks without re-embedding them; return the
        generation it leaves."""
        owner = {chunk_id: entry for entry in papers for chunk_id in entry.chunk_ids}
        left = ""
        for start in range(0, len(owner), PAGE):
            chunks = self.get(list(owner)[start : start + PAGE])
            ids = [c.id for c in chunks]
            metas: list[Any] = [
                paper_fields(owner[c.id].paper)
                | {"index": c.index, "chunks": len(owner[c.id].chunk_ids)}
                for c in chunks
            ]
            left = self._changing(partial(self._collection.update, ids=ids, metadatas=metas), ids)
        return left or self.generation()

    def _changing(self, change: Callable[[], None], touched: Iterable[str]) -> str:
        """Run ``change``, which touches the chunks ``touched``, as the next numbered write:
        in this writer's turn, logged first, between two new generation tokens."""
        with self.turn():
            seq = self.version().seq + 1
            self._changes.record(seq, str(self._collection.id), touched)
            self._bump_generation(f"{seq}~")
            guard(self.location, change)
            return self._bump_generation(f"{seq}:")

    def _bump_generation(self, prefix: str) -> str:
        meta = dict(self._collection.metadata or {})
        meta.pop("hnsw:space", None)
        meta["generation"] = prefix + uuid.uuid4().hex
        guard(self.location, lambda: self._collection.modify(metadata=meta))
        return str(meta["generation"])

    def _upgrade(self) -> None:
        """Give a schema-1 store's chunks their identity keys and chunk counts (no embedding)."""
        with self.turn():
            self.update_papers(self.papers())
            meta = dict(self._collection.metadata or {}) | {"citewise:schema": SCHEMA}
            meta.pop("hnsw:space", None)
            guard(self.location, lambda: self._collection.modify(metadata=meta))

    def _function(self) -> Any:
        """Our embedding function, passed on every open so Chroma never uses its default."""
        return ChromaEmbedding(self.embedder)

    def drop(self) -> None:
        """Delete the whole collection and its change log (used by ``reindex``)."""
        guard(self.location, lambda: self._client.delete_collection(self.settings.collection))
        self._changes.drop()


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    return {f"citewise:{k}": v for k, v in values.items()}
