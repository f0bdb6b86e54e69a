"""How chunks and paper records are written as Chroma metadata, and read back (schema 3).

A paper's record is stored once, in the paper table (``papers.py``): the paper as JSON, its
identity keys (DOI, arXiv id, title: how another writer finds the same paper) and how many
chunks it was written with. A chunk carries only what search needs: its paper's id, its index,
that count again (so a paper half-written by a killed process is seen as incomplete), the
fields search filters on (year, tags, collections), what it is (``kind``) and where it is
(section, pages, offsets). Readers join chunks with their records.

Stores before schema 3 copied the record into every chunk (``paper`` as JSON, and ``keys``);
such a *legacy* chunk, met while a store is being upgraded, is read with its own copy when its
paper has no record yet.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast, get_args

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.errors import StoreError
from assistant.index.chunking import Chunk, ChunkKind, Placed

LEGACY = {"paper": None, "keys": None}
"""The fields a legacy chunk carries its paper in; None removes them (Chroma merges metadata)."""
PLACES = tuple(f.name for f in fields(Placed) if f.name != "kind")
"""Where a chunk is: stored only when set."""
KINDS = frozenset(get_args(ChunkKind))


@dataclass(frozen=True)
class StoredChunk(Placed):
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
    """False when fewer chunks are stored than the paper was written with (a killed write),
    or their counts disagree with its record's."""


@dataclass(frozen=True)
class PaperRecord:
    """A paper's entry in the paper table."""

    paper: Paper
    chunks: int
    """How many chunks it was written with."""


def record_metadata(record: PaperRecord) -> dict[str, Any]:
    paper = record.paper
    return {
        "paper": paper.model_dump_json(),
        "keys": keys(paper) or [f"id:{paper.id}"],
        "chunks": record.chunks,
    }


def read_record(paper_id: str, meta: Any) -> PaperRecord:
    try:
        return PaperRecord(_paper(meta), int(meta["chunks"]))
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"the record of paper {paper_id} in the store is unreadable") from error


def filter_fields(paper: Paper) -> dict[str, Any]:
    """What search filters chunks on; None for what the paper lacks, so an update removes it."""
    return {
        "year": paper.year,
        "tags": list(paper.tags) or None,
        "collections": list(paper.collections) or None,
    }


def chunk_metadata(chunk: Chunk, paper: Paper, total: int) -> dict[str, Any]:
    places = {name: None if getattr(chunk, name) == "" else getattr(chunk, name) for name in PLACES}
    return (
        {"paper_id": paper.id, "index": chunk.index, "chunks": total, "kind": chunk.kind}
        | filter_fields(paper)
        | places
        | LEGACY
    )


def stored(chunk_id: str, meta: Any, text: str, paper: Paper) -> StoredChunk:
    """The chunk ``chunk_id`` of ``paper``, from its metadata and text."""
    total = meta.get("chunks")
    places = {name: meta[name] for name in PLACES if meta.get(name) is not None}
    return StoredChunk(
        chunk_id,
        text,
        paper,
        int(meta.get("index", 0)),
        int(total) if total is not None else None,
        kind=_kind(meta.get("kind"), paper),
        **places,
    )


def paper_of(chunk_id: str, meta: Any, records: Mapping[str, PaperRecord]) -> Paper | None:
    """The paper of a chunk: its record's, else (a legacy chunk) its own copy. None when it has
    neither: its paper was removed between reading the chunk and reading the records."""
    record = records.get(str(meta.get("paper_id")))
    if record is not None:
        return record.paper
    return legacy_paper(chunk_id, meta) if "paper" in meta else None


def legacy_paper(chunk_id: str, meta: Any) -> Paper:
    """The copy of its paper a legacy chunk carries."""
    try:
        return _paper(meta)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"chunk {chunk_id} in the store has no readable paper record") from error


def legacy_kind(paper: Paper) -> ChunkKind:
    """What a chunk written before chunks had kinds is: the abstract's, or the title alone."""
    return "abstract" if paper.has_abstract else "title"


def group(
    metas: Iterable[tuple[str, Any]], records: Mapping[str, PaperRecord]
) -> list[StoredPaper]:
    """The papers of chunks (id and metadata), in the order their first chunks come, then the
    papers of ``records`` that have no chunk at all (incomplete)."""
    found: dict[str, tuple[Paper, list[str], set[int | None]]] = {}
    for chunk_id, meta in metas:
        paper = paper_of(chunk_id, meta, records)
        if paper is None:
            continue
        total = meta.get("chunks")
        entry = found.setdefault(paper.id, (paper, [], set()))
        entry[1].append(chunk_id)
        entry[2].add(int(total) if total is not None else None)
    papers = []
    for paper, ids, totals in found.values():
        record = records.get(paper.id)
        expected = record.chunks if record else len(ids)
        agree = all(n is None or n == expected for n in totals)
        papers.append(StoredPaper(paper, ids, agree and len(ids) == expected))
    missing = [r.paper for paper_id, r in records.items() if paper_id not in found]
    return papers + [StoredPaper(paper, [], False) for paper in missing]


def whole_papers(papers: Sequence[StoredPaper], size: int) -> Iterator[list[StoredPaper]]:
    """``papers`` in batches of about ``size`` chunks, never splitting a paper's."""
    batch: list[StoredPaper] = []
    held = 0
    for entry in papers:
        if batch and held + len(entry.chunk_ids) > size:
            yield batch
            batch, held = [], 0
        batch.append(entry)
        held += len(entry.chunk_ids)
    if batch:
        yield batch


def _paper(meta: Any) -> Paper:
    return Paper.model_validate_json(meta["paper"])


def _kind(value: object, paper: Paper) -> ChunkKind:
    return cast(ChunkKind, value) if value in KINDS else legacy_kind(paper)
