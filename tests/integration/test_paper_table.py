"""The paper table beside the chunks (real Chroma files): each paper's record stored once, chunks
carrying only what search needs and where they are; reads join the two a page at a time; a
write killed between any two of its steps leaves a store that reads whole and that the next
ingest finishes; ``reindex`` rebuilds the table with the chunks."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.corpus.paper import Paper
from assistant.index import papers as papers_module
from assistant.index import store as store_module
from assistant.index.chroma import ChromaEmbedding, connect
from assistant.index.chunking import Chunk
from assistant.index.filters import Filters
from assistant.index.papers import PaperTable
from assistant.index.records import PaperRecord
from assistant.index.reindex import reindex
from assistant.index.store import ChunkStore
from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder
from tests.writers import snapshot

RECORDS: list[dict[str, Any]] = [
    {
        "title": f"Paper {i} on {topic}",
        "abstract": f"We study {topic}. It works in setting {i}.",
        "year": 2015 + i,
        "tags": [topic.split()[0]],
    }
    for i, topic in enumerate(["sparse attention", "expert routing", "state space", "retrieval"])
]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def raw(settings: Settings, suffix: str = "") -> dict[str, Any]:
    """A collection's entries (metadata by id), read past the store."""
    client = connect(settings.store)
    name = settings.store.collection + suffix
    found = client.get_collection(name, embedding_function=ChromaEmbedding(HashEmbedder()))
    got = found.get(include=["metadatas"])
    return dict(zip(got["ids"], got["metadatas"] or [], strict=True))


def test_a_paper_is_stored_once_and_its_chunks_carry_only_what_search_needs(
    library: Library, settings: Settings, tmp_path: Path
) -> None:
    library.ingest([write(tmp_path / "a.jsonl", RECORDS)])
    records, chunks = raw(settings, ".papers"), raw(settings)
    assert sorted(records) == sorted(p.id for p in library.papers())
    assert set(records[library.papers()[0].id]) == {"paper", "keys", "chunks"}
    for meta in chunks.values():
        assert set(meta) == {"paper_id", "index", "chunks", "kind", "year", "tags"}
        assert meta["kind"] == "abstract"
    hit = library.search("expert routing", filters=Filters(tag="expert"))[0]
    assert hit.paper.title == RECORDS[1]["title"] and hit.paper.year == 2016


def test_where_a_chunk_is_and_what_it_is_are_stored_and_read_back(
    library: Library, settings: Settings
) -> None:
    paper = Paper(title="Attention is all you need", abstract="We attend.", year=2017)
    chunks = [
        Chunk("c0", paper.id, 0, "We attend.", "Attention\n\nWe attend."),
        Chunk(
            "c1",
            paper.id,
            1,
            "The encoder maps symbols.",
            "Attention\n\nThe encoder maps symbols.",
            kind="body",
            section="3 Model Architecture",
            page=2,
            page_end=3,
            start=0,
            end=1804,
        ),
        Chunk("c2", paper.id, 2, "We train.", "We train.", kind="body", page=7, start=12, end=21),
    ]
    vectors = HashEmbedder().embed([c.embed_text for c in chunks])
    library.store.write(chunks, vectors, {paper.id: paper})

    def places(chunk: Any) -> tuple[Any, ...]:
        return (chunk.id, chunk.kind, chunk.section, chunk.page, chunk.page_end, chunk.start)

    expected = [(*places(c), c.end, c.text, c.index) for c in chunks]
    for read in (
        library.store.chunks_of(paper.id),
        library.store.get(["c0", "c1", "c2"]),
        sorted(library.store.chunks(), key=lambda c: c.id),
        sorted((h.chunk for h in library.store.query(vectors[1], 3)), key=lambda c: c.id),
    ):
        assert [(*places(c), c.end, c.text, c.index) for c in read] == expected
        assert all(c.paper == paper and c.of == 3 for c in read)
    stored = raw(settings)
    assert "page" not in stored["c0"] and "section" not in stored["c2"]
    assert stored["c1"]["start"] == 0  # an offset of 0 is a place, not "unset"


def test_a_field_a_paper_no_longer_has_leaves_its_chunks(tmp_path: Path) -> None:
    settings = Settings(
        store={"path": tmp_path / "store"}, chunking={"max_tokens": 32, "overlap_sentences": 0}
    )
    library = Library(settings, embedder=HashEmbedder())
    long = " ".join(f"Sparse attention keeps block {i} of the sequence in view." for i in range(6))
    rows = [dict(RECORDS[0], abstract=long), *RECORDS[1:]]
    source = write(tmp_path / "a.jsonl", rows)
    library.ingest([source])
    bare = [{k: v for k, v in r.items() if k not in ("tags", "year")} for r in rows[:2]]
    # Paper 0 loses its tags and year with an edit to its last sentence: re-embedded
    # (``write``), its first chunks keeping their ids. Paper 1 loses them alone: rewritten in
    # place (``update_papers``).
    edited = dict(bare[0], abstract=long.replace("block 5", "the last block"))
    library.ingest([write(source, [edited, bare[1], *rows[2:]])])
    kept_ids = set(raw(settings)) & {c.id for c in library.store.chunks_of(edited_id(library))}
    assert len(kept_ids) >= 2  # chunks written before, rewritten with the paper's new fields

    bare_ids = {p.id for p in library.papers() if not p.tags}
    assert len(bare_ids) == 2
    for meta in raw(settings).values():
        kept = meta["paper_id"] not in bare_ids
        assert ("tags" in meta, "year" in meta) == (kept, kept)
    for mode in ("dense", "lexical", "hybrid"):
        for filters in (Filters(tag="sparse"), Filters(tag="expert"), Filters(year_to=2016)):
            assert library.search("sparse attention expert", mode=mode, filters=filters) == []


def edited_id(library: Library) -> str:
    return next(p.id for p in library.papers() if p.title == RECORDS[0]["title"])


def test_a_page_of_chunks_reads_its_papers_in_one_request(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [dict(RECORDS[i % 4], title=f"Paper {i}") for i in range(60)]
    library.ingest([write(tmp_path / "a.jsonl", rows)])
    reads: list[int] = []
    get = PaperTable.get

    def counted(table: PaperTable, paper_ids: Any, generation: str = "") -> Any:
        found = get(table, paper_ids, generation)
        reads.append(len(found))
        return found

    monkeypatch.setattr(PaperTable, "get", counted)
    monkeypatch.setattr(store_module, "PAGE", 25)
    assert len(list(library.store.chunks())) == 60
    assert reads == [25, 25, 10]
    reads.clear()
    library.search("expert routing")
    assert len(reads) <= 2  # the dense hits; the lexical ones the dense did not bring


def test_records_come_from_memory_until_the_store_changes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, reader = Library(settings, embedder=HashEmbedder()), Library(settings, HashEmbedder())
    source = write(tmp_path / "a.jsonl", RECORDS)
    writer.ingest([source])
    reads: list[list[str]] = []
    read = papers_module.metadatas

    def counted(location: str, collection: Any, ids: Any) -> Any:
        reads.append(list(ids))
        return read(location, collection, ids)

    monkeypatch.setattr(papers_module, "metadatas", counted)
    (hit,) = reader.search("expert routing", k=1)
    assert hit.paper.tags == ["expert"] and reads and all(reads)
    reads.clear()
    assert reader.search("expert routing", k=1) == [hit]
    assert not any(reads)  # every record it needs was read since the store last changed

    retagged = [dict(RECORDS[1], tags=["routing"]), *RECORDS[:1], *RECORDS[2:]]
    writer.ingest([write(source, retagged)])  # another process: only the metadata changes
    (again,) = reader.search("expert routing", k=1)
    assert again.paper.tags == ["routing"] and any(reads)


def dies_at(call: int, method: Any) -> Any:
    """``method``, but its ``call``-th call is a ``kill -9`` (as the lexical tests' are) just
    before the call is made."""
    calls = 0

    def maybe(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == call:
            raise KeyboardInterrupt
        return method(*args, **kwargs)

    return maybe


# The ingest below makes, in order: a metadata rewrite of paper 2 (its line moved; chunks
# ``update``, then records ``put`` 1), the removal of paper 1 (chunks ``delete`` 1, ``put`` 2 of
# no record, records ``delete`` 1), then the write of papers 0 (edited) and 3 (new): chunks
# ``delete`` 2, records ``put`` 3, chunks ``upsert`` 1. Each case kills one of those calls.
KILLS = [  # which call dies, and which papers (by record) it leaves incomplete
    ("chunks", "update", 1, set()),
    ("papers", "put", 1, set()),  # paper 2's chunks rewritten: its old record still agrees
    ("chunks", "delete", 1, set()),
    ("papers", "delete", 1, {1}),  # paper 1's chunks gone, its record not yet
    ("chunks", "delete", 2, set()),
    ("papers", "put", 3, {0}),  # paper 0's old chunk gone: its old record has none
    ("chunks", "upsert", 1, {0, 3}),  # their new records written, their chunks not yet
]


@pytest.mark.parametrize(("target", "method", "call", "incomplete"), KILLS)
def test_a_write_killed_between_its_steps_reads_whole_and_the_next_ingest_finishes_it(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    method: str,
    call: int,
    incomplete: set[int],
) -> None:
    source = write(tmp_path / "a.jsonl", RECORDS[:3])
    Library(settings, embedder=HashEmbedder()).ingest([source])
    ids = [Paper(**r).id for r in RECORDS]
    changed = [dict(RECORDS[0], abstract="Sparse attention, revised."), RECORDS[2], RECORDS[3]]
    write(source, changed)
    writer = Library(settings, embedder=HashEmbedder())
    killed = writer.store._papers if target == "papers" else writer.store._collection
    with monkeypatch.context() as patch:
        patch.setattr(killed, method, dies_at(call, getattr(killed, method)))
        with pytest.raises(KeyboardInterrupt):
            writer.ingest([source])

    reader = Library(settings, embedder=HashEmbedder())
    papers = {p.paper.id: p for p in reader.store.papers()}
    chunk_ids = sorted(c.id for c in reader.store.chunks())
    assert sorted(i for p in papers.values() for i in p.chunk_ids) == chunk_ids
    assert sorted(reader.lexical().chunk_ids) == chunk_ids
    assert {p for p, entry in papers.items() if not entry.complete} == {ids[i] for i in incomplete}

    Library(settings, embedder=HashEmbedder()).ingest([source])
    after = Library(settings, embedder=HashEmbedder())
    clean = Library(Settings(store={"path": tmp_path / "clean"}), embedder=HashEmbedder())
    clean.ingest([source])
    assert snapshot(after) == snapshot(clean)
    assert all(p.complete for p in after.store.papers())
    assert sorted(raw(settings, ".papers")) == sorted(p.id for p in after.papers())


def test_reindex_rebuilds_the_paper_table_with_the_chunks(
    settings: Settings, tmp_path: Path
) -> None:
    library = Library(settings, embedder=HashEmbedder())
    library.ingest([write(tmp_path / "a.jsonl", RECORDS)])
    before = raw(settings, ".papers")
    reindex(settings, HashEmbedder(name="other", dimension=32))
    after = Library(settings, embedder=HashEmbedder(name="other", dimension=32))
    assert raw(settings, ".papers") == before
    assert [h.paper.title for h in after.search("state space", k=1)] == [RECORDS[2]["title"]]

    after.store.drop()
    names = {c.name for c in connect(settings.store).list_collections()}
    assert not {n for n in names if n.startswith(settings.store.collection)}


def test_a_table_left_by_another_incarnation_of_the_store_is_not_read(
    settings: Settings, tmp_path: Path
) -> None:
    store = ChunkStore(settings.store, HashEmbedder())
    stale = Paper(title="A paper of a store since dropped")
    leftover = PaperTable(
        connect(settings.store), settings.store.collection, "old", "", lambda: None
    )
    leftover.put([PaperRecord(stale, 1)])
    assert store.papers() == [] and store.matching([f"id:{stale.id}"]) == []

    paper = Paper(title="A paper of this store", abstract="It is here.")
    chunk = Chunk("c0", paper.id, 0, paper.abstract, paper.abstract)
    store.write([chunk], np.ones((1, 64), np.float32), {paper.id: paper})
    assert [e.paper for e in store.papers()] == [paper]
    assert list(raw(settings, ".papers")) == [paper.id]
