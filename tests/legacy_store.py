"""Stores as citewise wrote them before the paper table (schemas 1 and 2): each chunk carrying
its paper's record. Made by writing a store with today's code, then rewriting its chunks'
metadata the way e85c776's ``records.py`` wrote it and taking its paper table away."""

from typing import Any

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.index.chroma import ChromaEmbedding, connect
from assistant.index.store import ChunkStore
from assistant.settings import StoreSettings


def legacy_metadata(paper: Paper, index: int, total: int, schema: int) -> dict[str, Any]:
    """A chunk's metadata in schema 2 (``paper_fields`` plus index and count), or schema 1
    (without the identity keys and the count)."""
    meta: dict[str, Any] = {"paper_id": paper.id, "paper": paper.model_dump_json()}
    if schema >= 2:
        meta["keys"] = keys(paper) or [f"id:{paper.id}"]
    if paper.year is not None:
        meta["year"] = paper.year
    if paper.tags:
        meta["tags"] = list(paper.tags)
    if paper.collections:
        meta["collections"] = list(paper.collections)
    meta["index"] = index
    if schema >= 2:
        meta["chunks"] = total
    return meta


def make_legacy(settings: StoreSettings, embedder: Any, schema: int = 2) -> None:
    """Rewrite the store of ``settings`` (written by today's code) in the layout of ``schema``."""
    store = ChunkStore(settings, embedder)
    chunks = {c.id: c for c in store.chunks(include_text=False)}
    totals = {entry.paper.id: len(entry.chunk_ids) for entry in store.papers()}
    client = connect(settings)
    collection = client.get_collection(
        settings.collection, embedding_function=ChromaEmbedding(embedder)
    )
    ids = list(chunks)
    for start in range(0, len(ids), 2000):
        page = ids[start : start + 2000]
        old: list[Any] = []
        for chunk_id in page:
            chunk = chunks[chunk_id]
            meta = legacy_metadata(chunk.paper, chunk.index, totals[chunk.paper.id], schema)
            # Chroma merges metadata: what the old layout lacks is set to None, so it goes.
            old.append({"kind": None, "chunks": None, "keys": None} | meta)
        collection.update(ids=page, metadatas=old)
    client.delete_collection(f"{settings.collection}.papers")
    meta = dict(collection.metadata or {}) | {"citewise:schema": schema}
    meta.pop("hnsw:space", None)
    collection.modify(metadata=meta)
