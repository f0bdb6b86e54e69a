"""How a chunk and its paper are written as Chroma metadata, and read back.

Each chunk carries its paper as JSON (so the store alone can list, show and filter papers), the
paper's identity keys (DOI, arXiv id, title: how another writer finds the same paper) and how
many chunks the paper has (so a paper half-written by a killed process is seen as incomplete).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.errors import StoreError
from assistant.index.chunking import Chunk


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


def paper_fields(paper: Paper) -> dict[str, Any]:
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


def chunk_metadata(chunk: Chunk, paper: Paper, total: int) -> dict[str, Any]:
    return paper_fields(paper) | {"index": chunk.index, "chunks": total}


def group(chunks: Iterable[StoredChunk]) -> list[StoredPaper]:
    by_paper: dict[str, tuple[Paper, list[str], set[int | None]]] = {}
    for chunk in chunks:
        entry = by_paper.setdefault(chunk.paper.id, (chunk.paper, [], set()))
        entry[1].append(chunk.id)
        entry[2].add(chunk.of)
    return [
        StoredPaper(paper, ids, all(n is None or n == len(ids) for n in totals))
        for paper, ids, totals in by_paper.values()
    ]


def stored(chunk_id: str, meta: Any, text: str) -> StoredChunk:
    try:
        paper = Paper.model_validate(json.loads(meta["paper"]))
        total = meta.get("chunks")
        of = int(total) if total is not None else None
        return StoredChunk(chunk_id, text, paper, int(meta.get("index", 0)), of)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"chunk {chunk_id} in the store has no readable paper record") from error
