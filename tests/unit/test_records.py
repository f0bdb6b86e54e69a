"""How chunks and paper records are laid out as metadata and read back, and when a stored paper
is complete: pure functions, no Chroma."""

from typing import Any

import pytest

from assistant.corpus.paper import Paper
from assistant.errors import StoreError
from assistant.index.chunking import Chunk
from assistant.index.records import (
    PaperRecord,
    StoredPaper,
    chunk_metadata,
    group,
    read_record,
    record_metadata,
    stored,
    whole_papers,
)

PAPER = Paper(title="Sparse attention", abstract="We attend.", year=2020, tags=["attention"])
BARE = Paper(title="A title alone")


def meta(of: Paper, index: int, total: int | None, **extra: Any) -> dict[str, Any]:
    return {"paper_id": of.id, "index": index, "chunks": total} | extra


def test_a_chunk_carries_its_paper_id_filters_and_place_and_removes_what_is_unset() -> None:
    body = Chunk("c1", BARE.id, 1, "Text.", "Text.", kind="body", page=3, start=0, end=5)
    written = chunk_metadata(body, BARE, 2)
    present = {k: v for k, v in written.items() if v is not None}
    assert present == {
        "paper_id": BARE.id,
        "index": 1,
        "chunks": 2,
        "kind": "body",
        "page": 3,
        "start": 0,
        "end": 5,
    }
    # Chroma merges metadata: None removes a field an earlier write of this chunk left.
    assert {k for k, v in written.items() if v is None} == {
        "year",
        "tags",
        "collections",
        "section",
        "page_end",
        "paper",
        "keys",
    }
    read = stored("c1", present, "Text.", BARE)
    assert (read.kind, read.page, read.page_end, read.start, read.end) == ("body", 3, None, 0, 5)
    assert read.section == "" and read.of == 2 and read.paper == BARE


def test_a_record_round_trips_and_a_broken_one_names_its_paper() -> None:
    record = PaperRecord(PAPER, 3)
    written = record_metadata(record)
    assert written["keys"] == ["title:sparse attention"]
    assert read_record(PAPER.id, written) == record
    with pytest.raises(StoreError, match=PAPER.id):
        read_record(PAPER.id, {"paper": "{", "chunks": 3})


def test_a_paper_is_complete_when_its_chunks_are_all_there_and_agree_with_its_record() -> None:
    records = {PAPER.id: PaperRecord(PAPER, 2)}
    whole = group([("a", meta(PAPER, 0, 2)), ("b", meta(PAPER, 1, 2))], records)
    assert whole == [StoredPaper(PAPER, ["a", "b"], True)]
    missing = group([("a", meta(PAPER, 0, 2))], records)
    assert missing == [StoredPaper(PAPER, ["a"], False)]
    # A rewrite killed after its record: the chunks left say another count.
    stale = group([("a", meta(PAPER, 0, 3)), ("b", meta(PAPER, 1, 3))], records)
    assert stale == [StoredPaper(PAPER, ["a", "b"], False)]


def test_a_record_without_chunks_is_an_incomplete_paper_and_a_chunk_without_one_is_skipped() -> (
    None
):
    records = {PAPER.id: PaperRecord(PAPER, 1)}
    assert group([("x", meta(BARE, 0, 1))], records) == [StoredPaper(PAPER, [], False)]


def test_a_legacy_chunk_is_read_with_its_own_copy_of_its_paper() -> None:
    legacy = meta(BARE, 0, 1, paper=BARE.model_dump_json(), keys=["title:a title alone"])
    assert group([("t", legacy)], {}) == [StoredPaper(BARE, ["t"], True)]
    schema_1 = {"paper_id": BARE.id, "index": 0, "paper": BARE.model_dump_json()}
    (chunk,) = [stored("t", schema_1, "A title alone", BARE)]
    assert chunk.kind == "title" and chunk.of is None
    # Its record, once there, is what it is read with.
    newer = BARE.model_copy(update={"year": 2024})
    (entry,) = group([("t", legacy)], {BARE.id: PaperRecord(newer, 1)})
    assert entry.paper.year == 2024 and entry.complete
    with pytest.raises(StoreError, match="chunk t"):
        group([("t", legacy | {"paper": "not json"})], {})


def test_papers_are_batched_whole() -> None:
    papers = [
        StoredPaper(BARE, [f"c{i}-{j}" for j in range(n)], True) for i, n in enumerate([3, 3, 5, 1])
    ]
    batches = [[len(p.chunk_ids) for p in batch] for batch in whole_papers(papers, 6)]
    assert batches == [[3, 3], [5, 1]]
    assert [len(b) for b in whole_papers([StoredPaper(BARE, ["x"] * 9, True)], 6)] == [1]
