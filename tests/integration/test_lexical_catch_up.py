"""The lexical index follows the store by re-reading only what writes touched (real Chroma
files): after additions, edits and removals by another library, after a write killed half-way,
and by a full rebuild when the change log cannot tell (pruned, store recreated)."""

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.index import changes, lexical
from assistant.index.chroma import connect
from assistant.index.chunking import Chunk
from assistant.index.ingest import Ingestor
from assistant.index.lexical import LexicalIndex
from assistant.index.records import StoredChunk
from assistant.index.reindex import reindex
from assistant.index.store import ChunkStore
from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder

TOPICS = ["sparse attention", "expert routing", "state space", "retrieval", "protein folding"]


def records(n: int, edition: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "title": f"Paper {i} on {TOPICS[i % 5]}",
            "abstract": f"We study {TOPICS[i % 5]} in setting {i}. Edition {edition}, result {i}.",
            "year": 2000 + i % 25,
        }
        for i in range(n)
    ]


def ingest(library: Library, path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    library.ingest([path])


class Reads:
    """What a store was asked to read: whole-store passes and chunks by id."""

    def __init__(self, store: ChunkStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = 0
        self.by_id: list[str] = []
        whole, by_id = store.chunks, store.get

        def chunks(**kwargs: bool) -> Iterator[StoredChunk]:
            self.full += 1
            return whole(**kwargs)

        def get(chunk_ids: Sequence[str]) -> list[StoredChunk]:
            self.by_id.extend(chunk_ids)
            return by_id(chunk_ids)

        monkeypatch.setattr(store, "chunks", chunks)
        monkeypatch.setattr(store, "get", get)


def assert_like_a_fresh_build(index: LexicalIndex, store: ChunkStore) -> None:
    fresh = LexicalIndex.build(store)
    assert sorted(index.chunk_ids) == sorted(fresh.chunk_ids)
    for query in [*TOPICS, "edition 1 result", "setting 7"]:
        got, want = index.search(query, 50), fresh.search(query, 50)
        assert [h.chunk_id for h in got] == [h.chunk_id for h in want]
        assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=1e-5)


@pytest.fixture
def pair(settings: Settings) -> tuple[Library, Library]:
    """A writer and a reader on the same store, as two processes would hold them."""
    return Library(settings, embedder=HashEmbedder()), Library(settings, embedder=HashEmbedder())


def test_reader_rereads_only_the_chunks_another_library_touched(
    pair: tuple[Library, Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, reader = pair
    source = tmp_path / "papers.jsonl"
    ingest(writer, source, records(120))
    reader.lexical()
    before = {c.id for c in reader.store.chunks()}

    # Papers 0-9 edited, 100-109 gone from the file (so removed), 120-124 new.
    rows = records(10, edition=1) + records(125)[10:]
    ingest(writer, source, [r for i, r in enumerate(rows) if not 100 <= i < 110])
    after = {c.id for c in reader.store.chunks()}
    assert len(before - after) >= 20 and len(after - before) >= 15

    reads = Reads(reader.store, monkeypatch)
    index = reader.lexical()
    assert reads.full == 0
    assert before ^ after <= set(reads.by_id)
    assert len(reads.by_id) < len(after) / 2
    assert_like_a_fresh_build(index, reader.store)
    hit = reader.search("edition 1 result 3", mode="lexical")[0]
    assert hit.paper.title == rows[3]["title"]


def test_saved_index_catches_up_in_a_new_process(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Library(settings, embedder=HashEmbedder())
    ingest(first, tmp_path / "a.jsonl", records(40))  # saves the index
    # Another process writes without touching the saved index (a server writer elsewhere).
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records(60)[40:]))
    Ingestor(first.store, first.embedder, settings.chunking).ingest([tmp_path / "b.jsonl"])

    later = Library(settings, embedder=HashEmbedder())
    reads = Reads(later.store, monkeypatch)
    index = later.lexical()
    assert reads.full == 0 and len(reads.by_id) == later.count_chunks() - 40
    assert index.generation == later.store.generation()
    assert_like_a_fresh_build(index, later.store)


def test_a_write_killed_half_way_is_reread_whole(
    pair: tuple[Library, Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, reader = pair
    ingest(writer, tmp_path / "a.jsonl", records(30))
    reader.lexical()
    store = writer.store
    old = [c for c in store.chunks() if c.index == 0][:6]
    new = [Chunk(f"new{i}", c.paper.id, 0, "rewritten", "rewritten") for i, c in enumerate(old)]

    def dies(**kwargs: Any) -> None:  # the write is killed after its deletions
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(store._collection, "upsert", dies)
        with pytest.raises(KeyboardInterrupt):
            vectors = np.zeros((6, 64), np.float32)
            store.write(new, vectors, {c.paper.id: c.paper for c in old}, [c.id for c in old])
    assert not store.version().settled

    index = reader.lexical()
    assert not {c.id for c in old} & set(index.chunk_ids)
    assert_like_a_fresh_build(index, reader.store)
    # The next ingest writes the lost papers again; the reader follows.
    ingest(writer, tmp_path / "a.jsonl", records(30))
    assert writer.store.version().settled
    assert_like_a_fresh_build(reader.lexical(), reader.store)
    assert len(reader.lexical()) == reader.count_chunks()


def test_a_killed_writes_last_request_landing_later_is_picked_up(
    pair: tuple[Library, Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed client's request can complete on the server after it died, with the token left
    unsettled for good: an index read before then is trusted only ``RECHECK_SECONDS``."""
    writer, reader = pair
    ingest(writer, tmp_path / "a.jsonl", records(30))
    store = writer.store
    doomed = [c.id for c in store.chunks() if c.index == 0][:5]

    def dies(**kwargs: Any) -> None:  # killed after its log entry and first token
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(store._collection, "delete", dies)
        with pytest.raises(KeyboardInterrupt):
            store.write([], np.zeros((0, 64), np.float32), {}, delete=doomed)
    assert set(doomed) <= set(reader.lexical().chunk_ids)  # read before the delete lands
    store._collection.delete(ids=doomed)  # the server completes the dead client's request

    assert set(doomed) <= set(reader.lexical().chunk_ids)  # trusted for a while
    monkeypatch.setattr(lexical, "RECHECK_SECONDS", 0.0)
    assert not set(doomed) & set(reader.lexical().chunk_ids)
    assert_like_a_fresh_build(reader.lexical(), reader.store)


def test_reader_that_read_in_the_middle_of_a_write_rereads_that_write(
    pair: tuple[Library, Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, reader = pair
    ingest(writer, tmp_path / "a.jsonl", records(30))
    reader.lexical()
    store = writer.store
    upsert = store._collection.upsert

    def reader_looks_first(**kwargs: Any) -> None:  # after the deletions, before the upserts
        assert not reader.store.version().settled
        reader.lexical()
        upsert(**kwargs)

    monkeypatch.setattr(store._collection, "upsert", reader_looks_first)
    ingest(writer, tmp_path / "a.jsonl", records(3, edition=2) + records(30)[3:])
    monkeypatch.undo()
    index = reader.lexical()
    assert index.version.settled
    assert_like_a_fresh_build(index, reader.store)
    assert len(index) == reader.count_chunks()


def test_index_further_behind_than_the_log_is_rebuilt(
    pair: tuple[Library, Library],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer, reader = pair
    monkeypatch.setattr(changes, "KEEP", 3)
    monkeypatch.setattr(changes, "PRUNE_EVERY", 1)
    ingest(writer, tmp_path / "a.jsonl", records(10))
    seen = reader.lexical().version.seq
    for n in range(11, 16):  # five more writes; the log keeps three
        ingest(writer, tmp_path / f"{n}.jsonl", records(n)[-1:])
    assert reader.store.touched(seen + 1, writer.store.version().seq) is None
    assert (
        connect(settings.store).get_collection(f"{settings.store.collection}.changes").count()
        <= 3 + 1
    )
    reads = Reads(reader.store, monkeypatch)
    index = reader.lexical()
    assert reads.full == 1
    assert_like_a_fresh_build(index, reader.store)


def test_index_of_a_reindexed_store_is_rebuilt(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Library(settings, embedder=HashEmbedder())
    ingest(before, tmp_path / "a.jsonl", records(20))
    epoch = before.lexical().version.epoch
    reindex(settings, HashEmbedder())

    after = Library(settings, embedder=HashEmbedder())
    reads = Reads(after.store, monkeypatch)
    index = after.lexical()
    assert reads.full == 1 and index.version.epoch != epoch
    assert_like_a_fresh_build(index, after.store)
