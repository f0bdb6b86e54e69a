"""The Chroma store: chunks, vectors and papers in one collection.

Local files (``PersistentClient`` under ``<store>/chroma``) by default, a shared server
(``HttpClient``) when a URL is configured. Each chunk carries its paper as JSON metadata, so the
store alone can list, show and filter papers. The collection records the embedding model and
dimension; opening it with another model raises ``ModelMismatchError``. A random *generation*
token in the collection metadata changes before and after every write, so derived indexes (the
lexical index) can tell whether they are in step with what the store holds.

Each chunk also records its paper's identity keys (DOI, arXiv id, title), so a writer can find
what another writer stored for the same paper, and how many chunks its paper has, so a paper
half-written by a killed process is seen as incomplete. On a server, writers take turns
(``turn()``, a lease in ``lease.py``); a local store has one writer at a time (``lock.py``).
"""

import itertools
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.errors import ChromaError, NotFoundError

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.errors import ModelMismatchError, StoreError
from assistant.index.chroma import ChromaEmbedding, connect, guard
from assistant.index.chunking import Chunk
from assistant.index.embeddings import Embedder
from assistant.index.filters import Filters
from assistant.index.lease import Lease
from assistant.settings import StoreSettings

SCHEMA = 2
"""Version 2 added the ``keys`` and ``chunks`` fields; version 1 stores gain them on opening."""
PAGE = 2000


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    paper: Paper
    index: int
    of: int | None = None
    """How many chunks the paper has (None in chunks written before schema 2)."""


@dataclass(frozen=True)
class StoredPaper:
    paper: Paper
    chunk_ids: list[str]
    complete: bool
    """False when fewer chunks are stored than the paper was written with (a killed write)."""


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
        self._lease = Lease(self, settings.collection) if settings.server_url else None
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
                metadata={"citewise:schema": SCHEMA, **_prefixed(expected), "generation": _token()},
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

        def read() -> str:
            fresh = self._client.get_collection(
                self.settings.collection, embedding_function=self._function()
            )
            return str((fresh.metadata or {}).get("generation", ""))

        return guard(self.location, read)

    def papers(self) -> list[StoredPaper]:
        """Every paper with the ids of its chunks."""
        return _group(self.chunks(include_text=False))

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
        return _group(_stored(i, m, "") for i, m in zip(page["ids"], metas, strict=True))

    def chunks(self, *, include_text: bool = True) -> Iterator[StoredChunk]:
        """Every chunk, page by page."""
        include: list[Any] = ["metadatas", "documents"] if include_text else ["metadatas"]
        for offset in itertools.count(0, PAGE):
            page = guard(
                self.location,
                lambda: self._collection.get(include=include, limit=PAGE, offset=offset),  # noqa: B023
            )
            documents = page.get("documents") or [""] * len(page["ids"])
            for chunk_id, meta, text in zip(
                page["ids"], page["metadatas"] or [], documents, strict=True
            ):
                yield _stored(chunk_id, meta, text or "")
            if len(page["ids"]) < PAGE:
                return

    def get(self, chunk_ids: Sequence[str]) -> list[StoredChunk]:
        if not chunk_ids:
            return []
        page = guard(
            self.location,
            lambda: self._collection.get(ids=list(chunk_ids), include=["metadatas", "documents"]),
        )
        documents = page["documents"] or []
        return [
            _stored(i, m, d or "")
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
            _stored(i, m, d or "")
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
            Hit(_stored(i, m, d or ""), 1.0 - float(dist))
            for i, m, d, dist in zip(ids, metas, docs, dists, strict=True)
        ]

    # Writing

    def turn(self) -> AbstractContextManager[None]:
        """Hold the server's write lease (re-entrant); a no-op on local files, where the
        caller holds the store's write lock for the whole ingest."""
        return self._lease.held() if self._lease else nullcontext()

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
                        _metadata(c, papers[c.paper_id], totals[c.paper_id]) for c in chunks
                    ],
                )

        return self._changing(run)

    def update_papers(self, papers: Sequence[StoredPaper]) -> str:
        """Rewrite the paper metadata of existing chunks without re-embedding them; return the
        generation it leaves."""
        owner = {chunk_id: entry for entry in papers for chunk_id in entry.chunk_ids}
        left = ""
        for start in range(0, len(owner), PAGE):
            chunks = self.get(list(owner)[start : start + PAGE])
            ids = [c.id for c in chunks]
            metas: list[Any] = [
                _paper_fields(owner[c.id].paper)
                | {"index": c.index, "chunks": len(owner[c.id].chunk_ids)}
                for c in chunks
            ]
            left = self._changing(lambda: self._collection.update(ids=ids, metadatas=metas))  # noqa: B023
        return left or self.generation()

    def _changing(self, change: Callable[[], None]) -> str:
        """Run ``change`` in this writer's turn, between two new generation tokens."""
        with self.turn():
            self._bump_generation()
            guard(self.location, change)
            return self._bump_generation()

    def _bump_generation(self) -> str:
        meta = dict(self._collection.metadata or {})
        meta.pop("hnsw:space", None)
        meta["generation"] = _token()
        guard(self.location, lambda: self._collection.modify(metadata=meta))
        return str(meta["generation"])

    def _upgrade(self) -> None:
        """Give a schema-1 store's chunks their identity keys and chunk counts (no embedding)."""
        with self.turn():
            self.update_papers(self.papers())
            meta = dict(self._collection.metadata or {}) | {"citewise:schema": SCHEMA}
            meta.pop("hnsw:space", None)
            guard(self.location, lambda: self._collection.modify(metadata=meta))

    # Markers: empty collections whose creation is atomic on the server (see lease.py)

    def create_marker(self, name: str, metadata: dict[str, Any]) -> bool:
        """Create the marker ``name``; False when it already exists."""

        def create() -> bool:
            try:
                self._client.create_collection(
                    name, embedding_function=self._function(), metadata=metadata
                )
                return True
            except ChromaError as error:
                if "already exists" in str(error):
                    return False
                raise

        return guard(self.location, create)

    def marker(self, name: str) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            try:
                found = self._client.get_collection(name, embedding_function=self._function())
            except NotFoundError:
                return None
            return dict(found.metadata or {})

        return guard(self.location, read)

    def delete_marker(self, name: str) -> None:
        def delete() -> None:
            with suppress(NotFoundError):
                self._client.delete_collection(name)

        guard(self.location, delete)

    def _function(self) -> Any:
        """Our embedding function, passed on every open so Chroma never uses its default."""
        return ChromaEmbedding(self.embedder)

    def drop(self) -> None:
        """Delete the whole collection (used by ``reindex``)."""
        guard(self.location, lambda: self._client.delete_collection(self.settings.collection))


def _token() -> str:
    return uuid.uuid4().hex


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    return {f"citewise:{k}": v for k, v in values.items()}


def _paper_fields(paper: Paper) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "paper_id": paper.id,
        "paper": paper.model_dump_json(),
        "keys": keys(paper) or [f"id:{paper.id}"],
    }
    if paper.year is not None:
        fields["year"] = paper.year
    if paper.tags:
        fields["tags"] = list(paper.tags)
    if paper.collections:
        fields["collections"] = list(paper.collections)
    return fields


def _metadata(chunk: Chunk, paper: Paper, total: int) -> dict[str, Any]:
    return _paper_fields(paper) | {"index": chunk.index, "chunks": total}


def _group(chunks: Iterable[StoredChunk]) -> list[StoredPaper]:
    by_paper: dict[str, tuple[Paper, list[str], set[int | None]]] = {}
    for chunk in chunks:
        entry = by_paper.setdefault(chunk.paper.id, (chunk.paper, [], set()))
        entry[1].append(chunk.id)
        entry[2].add(chunk.of)
    return [
        StoredPaper(paper, ids, all(n is None or n == len(ids) for n in totals))
        for paper, ids, totals in by_paper.values()
    ]


def _stored(chunk_id: str, meta: Any, text: str) -> StoredChunk:
    try:
        paper = Paper.model_validate(json.loads(meta["paper"]))
        total = meta.get("chunks")
        of = int(total) if total is not None else None
        return StoredChunk(chunk_id, text, paper, int(meta.get("index", 0)), of)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"chunk {chunk_id} in the store has no readable paper record") from error
