"""The Chroma store: chunks and their vectors in one collection, their papers' records beside.

Local files (``PersistentClient`` under ``<store>/chroma``) by default, a shared server
(``HttpClient``) when a URL is configured. Each paper's record is stored once, in the paper table
(``papers.py``); each chunk names its paper and carries what search filters on (``records.py``
has the layout). Reads join chunks with their records: one batched read of the table per page
of chunks. The collection records the embedding model and dimension; opening it with another
model raises ``ModelMismatchError``.

Writes are numbered: write *n* first records the ids it touches in the change log
(``changes.py``), and a *generation* token in the collection metadata, ``n:<random>``, changes
before and after it. Derived indexes (the lexical index) compare tokens to tell whether they are
in step, and read the log to catch up. On a server, writers take turns (``turn()``, a lease in
``lease.py``); a local store has one writer at a time (``lock.py``). Stores of earlier schemas,
which copied the record into every chunk, are upgraded in place on opening (``_upgrade``).
"""

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from assistant.corpus.paper import Paper
from assistant.errors import ModelMismatchError, StoreError
from assistant.index.changes import ChangeLog, Version
from assistant.index.chroma import PAGE, ChromaEmbedding, connect, guard, metadatas, selected
from assistant.index.chunking import Chunk
from assistant.index.embeddings import Embedder
from assistant.index.filters import Filters
from assistant.index.lease import Lease
from assistant.index.lock import write_lock
from assistant.index.papers import PaperTable, members, move_records
from assistant.index.records import (
    PaperRecord,
    StoredChunk,
    StoredPaper,
    chunk_metadata,
    filter_fields,
    group,
    paper_of,
    stored,
    whole_papers,
)
from assistant.settings import StoreSettings

SCHEMA = 3
"""Version 3 keeps each paper's record once, in the paper table. Version 2 copied it into every
chunk, with its identity keys and chunk count; version 1 had neither. Both are upgraded."""


@dataclass(frozen=True)
class Hit:
    chunk: StoredChunk
    similarity: float


class ChunkStore:
    """Chunks and their vectors in one Chroma collection, their papers in the paper table."""

    def __init__(
        self, settings: StoreSettings, embedder: Embedder, *, check_model: bool = True
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._check_model = check_model
        self.location = settings.server_url or str(settings.path / "chroma")
        self._client = guard(self.location, lambda: connect(settings))
        self._collection = guard(self.location, self._open_collection)
        self._papers = PaperTable(
            self._client,
            settings.collection,
            str(self._collection.id),
            self.location,
            self._function,
        )
        self.lease = (
            Lease(self._client, settings.collection, self.location, self._function)
            if settings.server_url
            else None
        )
        """The server's write lease (``lease.py``); None on local files (one writer: a lock)."""
        self._changes = ChangeLog(self._client, settings.collection, self.location, self._function)
        schema = (self._collection.metadata or {}).get("citewise:schema", SCHEMA)
        self._legacy = int(schema) < SCHEMA
        """Whether chunks may still carry their papers: the store was not upgraded yet."""
        if check_model and self._legacy:
            self._upgrade_on_opening()

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
        fresh = self._fresh()
        return Version.of(str((fresh.metadata or {}).get("generation", "")), str(fresh.id))

    def _fresh(self) -> Collection:
        """The collection as the store holds it now (its metadata, which writers change)."""
        return guard(
            self.location,
            lambda: self._client.get_collection(
                self.settings.collection, embedding_function=self._function()
            ),
        )

    def touched(self, first: int, last: int) -> set[str] | None:
        """The chunk ids writes ``first..last`` touched; None when the log no longer knows."""
        return self._changes.touched(first, last, str(self._collection.id))

    def papers(self) -> list[StoredPaper]:
        """Every paper with the ids of its chunks. A record without a chunk (its write or its
        removal was killed half-way) is an incomplete paper."""
        records = self._papers.everything()
        return group(self._metadatas(self._ids()), records)

    def matching(self, identity_keys: Sequence[str]) -> list[StoredPaper]:
        """The stored papers that share an identity key (``dedup.keys``) with ``identity_keys``."""
        clauses: list[Any] = [{"keys": {"$contains": k}} for k in dict.fromkeys(identity_keys)]
        if not clauses:
            return []
        where = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        records = self._papers.matching(where)
        found = self._members(list(records))
        if self._legacy:  # chunks not upgraded yet carry their papers' keys
            found |= selected(self.location, self._collection, where)
        return group(found.items(), records)

    def chunks(
        self, *, include_text: bool = True, limit: int | None = None
    ) -> Iterator[StoredChunk]:
        """Every chunk (the first ``limit`` written), page by page; by id, because Chroma's
        offset paging slows as the offset grows."""
        ids = self._ids(limit)
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
        return self._joined(page["ids"], page["metadatas"], page.get("documents"))

    def chunks_of(self, paper_id: str) -> list[StoredChunk]:
        page = guard(
            self.location,
            lambda: self._collection.get(
                where={"paper_id": paper_id}, include=["metadatas", "documents"]
            ),
        )
        chunks = self._joined(page["ids"], page["metadatas"], page["documents"])
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
        ids, dists = result["ids"][0], (result["distances"] or [[]])[0]
        similarity = {i: 1.0 - float(d) for i, d in zip(ids, dists, strict=True)}
        metas, docs = (result["metadatas"] or [[]])[0], (result["documents"] or [[]])[0]
        return [Hit(c, similarity[c.id]) for c in self._joined(ids, metas, docs)]

    def _joined(
        self, ids: Sequence[str], metas: Sequence[Any] | None, documents: Sequence[Any] | None
    ) -> list[StoredChunk]:
        """Chunks with their papers: the records of all of them in one read, or from memory
        when the store has not changed since they were read (``PaperTable.get``). A chunk
        whose paper is gone (removed since the chunk was read) is left out."""
        metas = metas or []
        texts = documents or [""] * len(ids)
        now = self.version()
        wanted = (str(m.get("paper_id")) for m in metas)
        records = self._papers.get(wanted, now.token if now.settled else "")
        chunks = []
        for chunk_id, meta, text in zip(ids, metas, texts, strict=True):
            paper = paper_of(chunk_id, meta, records)
            if paper is not None:
                chunks.append(stored(chunk_id, meta, text or "", paper))
        return chunks

    def _ids(self, limit: int | None = None) -> list[str]:
        return guard(self.location, lambda: self._collection.get(include=[], limit=limit))["ids"]

    def _metadatas(self, chunk_ids: Sequence[str]) -> Iterator[tuple[str, Any]]:
        return metadatas(self.location, self._collection, chunk_ids)

    def _members(self, paper_ids: Sequence[str]) -> dict[str, Any]:
        return members(self.location, self._collection, paper_ids)

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
        gone: Sequence[str] = (),
    ) -> str:
        """Upsert ``chunks`` with their papers' records and delete the chunks ``delete``, as
        one numbered write; return the generation it leaves. A paper's chunks are written
        whole: every chunk it had is among ``chunks`` or ``delete``. The records of papers
        left with no chunk go too: those of deleted chunks, and ``gone`` (papers leaving the
        store, whose chunks a killed write may have deleted already).

        The order makes a write killed anywhere safe to read and to finish by writing again:
        1. the chunks ``delete`` go first, so a changed paper's old and new chunks are never
           side by side;
        2. then the records of the papers written, so a chunk never points at a missing
           record. Until step 3 is done, such a paper has fewer chunks than its record says,
           or chunks that say another count: it is incomplete, and the next ingest writes it
           whole again;
        3. then the chunks;
        4. last, the records of papers left with no chunk (until then, incomplete papers)."""
        totals = Counter(c.paper_id for c in chunks)

        def run() -> None:
            leaving = set(gone)
            if delete:
                leaving |= {str(m.get("paper_id")) for _, m in self._metadatas(delete)}
                self._collection.delete(ids=list(delete))
            self._papers.put([PaperRecord(papers[p], n) for p, n in totals.items()])
            if chunks:
                self._collection.upsert(
                    ids=[c.id for c in chunks],
                    embeddings=vectors,
                    documents=[c.text for c in chunks],
                    metadatas=[
                        chunk_metadata(c, papers[c.paper_id], totals[c.paper_id]) for c in chunks
                    ],
                )
            self._forget(sorted(leaving - totals.keys()))

        return self._changing(run, [*delete, *(c.id for c in chunks)])

    def _forget(self, paper_ids: Sequence[str]) -> None:
        """Remove the records of those of ``paper_ids`` that have no chunk left."""
        kept = {str(meta.get("paper_id")) for meta in self._members(paper_ids).values()}
        self._papers.delete([p for p in paper_ids if p not in kept])

    def update_papers(self, papers: Sequence[StoredPaper]) -> str:
        """Rewrite papers' records, and the fields their chunks are filtered on, without
        re-embedding; return the generation it leaves. Whole papers a write, each paper's
        chunks before its record: a rewrite killed half-way leaves the old record, which the
        next ingest finds different from the paper read, and rewrites again."""
        left = ""
        for batch in whole_papers(papers, PAGE):
            ids = [i for entry in batch for i in entry.chunk_ids]
            left = self._changing(partial(self._rewrite, batch, ids), ids)
        return left or self.generation()

    def _rewrite(self, batch: Sequence[StoredPaper], ids: list[str]) -> None:
        if self._legacy:
            self._move_records(ids)
        if ids:
            metas: list[Any] = [
                filter_fields(entry.paper) | {"chunks": len(entry.chunk_ids)}
                for entry in batch
                for _ in entry.chunk_ids
            ]
            self._collection.update(ids=ids, metadatas=metas)
        self._papers.put([PaperRecord(entry.paper, len(entry.chunk_ids)) for entry in batch])

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
        token = prefix + uuid.uuid4().hex
        self._set_metadata({"generation": token})
        return token

    def _set_metadata(self, values: dict[str, Any]) -> None:
        """Change some of the collection's metadata, keeping the rest as it is now (another
        process may have changed it since this one opened the collection)."""
        meta = dict(self._fresh().metadata or {}) | values
        meta.pop("hnsw:space", None)
        guard(self.location, lambda: self._collection.modify(metadata=meta))

    # Upgrading

    def _upgrade_on_opening(self) -> None:
        """Upgrade the store, unless another process holds the local store's write lock: that
        writer upgrades what it rewrites, and the next opening finishes; reads meanwhile take a
        chunk's paper from wherever it is."""
        with ExitStack() as stack:
            if self.lease is None:
                try:
                    stack.enter_context(write_lock(self.settings.path))
                except StoreError:
                    return
            self._upgrade()

    def _upgrade(self) -> None:
        """Move a schema-1 or -2 store's paper records out of its chunks into the paper table,
        embedding nothing: page by page (``_move_records``), each in this writer's turn, then the
        schema number, last. Stopped anywhere (``kill -9``), the store reads whole, and the
        next opening carries on where it stopped."""
        ids = self._ids()
        for start in range(0, len(ids), PAGE):
            with self.turn():
                self._move_records(ids[start : start + PAGE])
        with self.turn():
            self._set_metadata({"citewise:schema": SCHEMA})
        self._legacy = False

    def _move_records(self, chunk_ids: Sequence[str]) -> None:
        """Move the records those of ``chunk_ids`` that are legacy chunks carry into the paper
        table (``papers.move_records``)."""
        found = list(self._metadatas(chunk_ids))
        move_records(self.location, self._collection, self._papers, found)

    def _function(self) -> Any:
        """Our embedding function, passed on every open so Chroma never uses its default."""
        return ChromaEmbedding(self.embedder)

    def drop(self) -> None:
        """Delete the whole collection, its paper table and its change log (used by
        ``reindex``)."""
        guard(self.location, lambda: self._client.delete_collection(self.settings.collection))
        self._papers.drop()
        self._changes.drop()


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    return {f"citewise:{k}": v for k, v in values.items()}
