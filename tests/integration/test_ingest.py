"""Ingestion into real Chroma files: idempotence, incremental updates, sync, bad input."""

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant import paths
from assistant.errors import ModelMismatchError, StoreError
from assistant.index.filters import Filters
from assistant.index.ingest import Ingestor
from assistant.library import Library
from assistant.settings import ChunkSettings, Settings
from tests.fakes import HashEmbedder
from tests.helpers import DATA


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed(texts)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


RECORDS = [
    {
        "title": "Sparse attention for long documents",
        "abstract": "We make attention sparse. It scales to long inputs.",
        "year": 2021,
        "doi": "10.1000/sparse",
    },
    {
        "title": "Routing tokens in mixture of experts",
        "abstract": "Experts are chosen per token by a learned router.",
        "year": 2022,
        "tags": ["moe"],
    },
    {
        "title": "A survey of state space models",
        "abstract": "State space models rival transformers on long sequences.",
        "year": 2023,
    },
]


def test_demo_corpus_ingests_and_reingest_embeds_nothing(settings: Settings) -> None:
    embedder = CountingEmbedder()
    library = Library(settings, embedder=embedder)
    first = library.ingest([paths.DEMO_CORPUS_DIR])
    assert (first.records, first.added) == (475, 389)  # listings, distinct papers
    assert first.added == len(library.papers())
    assert first.failed == []
    assert len(first.skipped) == 1 and "README.md" in first.skipped[0]
    embedded = embedder.texts
    assert embedded == first.chunks_embedded >= first.added

    again = library.ingest([paths.DEMO_CORPUS_DIR])
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.added
    assert embedder.texts == embedded  # nothing embedded the second time


def test_changed_record_is_replaced_and_deleted_record_leaves(
    library: Library, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "refs.jsonl", RECORDS)
    assert library.ingest([source]).added == 3
    chunks_before = library.count_chunks()

    edited = [
        dict(RECORDS[0], abstract="We make attention sparse and fast. It is new."),
        RECORDS[1],
    ]
    report = library.ingest([write_jsonl(source, edited)])
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    titles = {p.title for p in library.papers()}
    assert titles == {RECORDS[0]["title"], RECORDS[1]["title"]}
    sparse = library.find("10.1000/sparse")
    assert library.chunk_texts(sparse) == ["We make attention sparse and fast. It is new."]
    assert library.count_chunks() == chunks_before - 1


def test_duplicates_across_files_merge_keeping_every_source(
    library: Library, tmp_path: Path
) -> None:
    a = write_jsonl(
        tmp_path / "a.jsonl", [{"title": "Sparse Attention for Long Documents", "year": 2021}]
    )
    b = write_jsonl(tmp_path / "b.jsonl", [RECORDS[0]])
    report = library.ingest([a, b])
    assert report.records == 2 and report.added == 1
    (paper,) = library.papers()
    assert paper.abstract == RECORDS[0]["abstract"]  # the richer record's fields
    assert paper.doi == "10.1000/sparse"
    assert {Path(s.path).name for s in paper.sources} == {"a.jsonl", "b.jsonl"}


def test_metadata_change_rewrites_without_embedding(settings: Settings, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    library = Library(settings, embedder=embedder)
    source = write_jsonl(tmp_path / "refs.jsonl", RECORDS)
    library.ingest([source])
    embedded = embedder.texts
    retagged = [dict(RECORDS[0], tags=["attention"]), *RECORDS[1:]]
    report = library.ingest([write_jsonl(source, retagged)])
    assert report.updated == 1 and embedder.texts == embedded
    hits = library.search("attention", filters=Filters(tag="attention"))
    assert [h.paper.title for h in hits] == [RECORDS[0]["title"]]


def test_filters_apply_to_both_retrievers(library: Library, tmp_path: Path) -> None:
    library.ingest([write_jsonl(tmp_path / "refs.jsonl", RECORDS)])
    for mode in ("hybrid", "dense", "lexical"):
        hits = library.search(
            "attention experts state space", mode=mode, filters=Filters(year_from=2022)
        )
        assert {h.paper.year for h in hits} <= {2022, 2023}, mode
        assert hits, mode
        tagged = library.search("experts", mode=mode, filters=Filters(tag="moe"))
        assert [h.paper.title for h in tagged] == [RECORDS[1]["title"]], mode


def test_search_results_carry_passages(library: Library, tmp_path: Path) -> None:
    library.ingest([write_jsonl(tmp_path / "refs.jsonl", RECORDS)])
    (best, *_) = library.search("which expert does each token go to? learned router")
    assert best.paper.title == RECORDS[1]["title"]
    assert best.passages[0].text == RECORDS[1]["abstract"]
    assert best.score > 0


def test_a_query_searched_again_is_embedded_once(settings: Settings, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    library = Library(settings, embedder=embedder)
    library.ingest([write_jsonl(tmp_path / "refs.jsonl", RECORDS)])
    before = embedder.texts
    first = library.search("learned router for experts")
    again = library.search("learned router for experts", k=1)
    assert embedder.texts == before + 1
    assert again[0].paper.id == first[0].paper.id
    assert np.array_equal(
        library.retriever.query_vector("learned router for experts"),
        HashEmbedder().embed(["learned router for experts"])[0],
    )
    assert embedder.texts == before + 1


def test_lexical_index_follows_writes_from_another_library(
    settings: Settings, tmp_path: Path
) -> None:
    reader = Library(settings, embedder=HashEmbedder())
    writer = Library(settings, embedder=HashEmbedder())
    writer.ingest([write_jsonl(tmp_path / "one.jsonl", RECORDS[:1])])
    assert [h.paper.title for h in reader.search("sparse", mode="lexical")] == [RECORDS[0]["title"]]
    writer.ingest([write_jsonl(tmp_path / "two.jsonl", RECORDS[1:2])])
    assert [h.paper.title for h in reader.search("router", mode="lexical")] == [RECORDS[1]["title"]]
    assert sorted(reader.lexical().chunk_ids) == sorted(c.id for c in reader.store.chunks())


def test_other_model_is_a_clear_error_and_reindex_fixes_it(
    settings: Settings, tmp_path: Path
) -> None:
    Library(settings, embedder=HashEmbedder()).ingest([write_jsonl(tmp_path / "r.jsonl", RECORDS)])
    with pytest.raises(ModelMismatchError, match="citewise reindex"):
        Library(settings, embedder=HashEmbedder(name="other-model", dimension=32))


def test_bad_inputs_are_reported_and_the_rest_ingests(library: Library, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", RECORDS[:1])
    empty = tmp_path / "empty.bib"
    empty.write_text("")
    binary = tmp_path / "image.ris"
    binary.write_bytes(bytes(range(256)) * 40)
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    missing = tmp_path / "missing.bib"
    report = library.ingest([good, empty, binary, loop, missing])
    assert report.added == 1
    failures = "\n".join(report.failed)
    assert "empty file" in failures
    assert "binary file" in failures
    assert "no such file" in failures
    assert "symbolic link loop" in failures


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_reported(library: Library, tmp_path: Path) -> None:
    locked = write_jsonl(tmp_path / "locked.jsonl", RECORDS[:1])
    locked.chmod(0)
    assert "cannot read" in "\n".join(library.ingest([locked]).failed)


def test_corrupt_store_is_a_store_error(tmp_path: Path) -> None:
    store = tmp_path / "broken"
    (store / "chroma").mkdir(parents=True)
    (store / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="broken"):
        Library(Settings(store={"path": store}), embedder=HashEmbedder())


def test_progress_counts_pdf_pages_and_embeds_in_batches_of_chunks(
    library: Library, tmp_path: Path
) -> None:
    pdf = DATA / "pdf" / "doc2json_naacl2018-N18-3011_literature-graph_two-column.pdf"
    calls: list[tuple[str, int, int, str]] = []

    def progress(phase: str, done: int, total: int, detail: str = "") -> None:
        calls.append((phase, done, total, detail))

    ingestor = Ingestor(library.store, library.embedder, ChunkSettings(), batch_chunks=16)
    report = ingestor.ingest([pdf], progress)
    assert report.pages_read == 8
    reads = [c for c in calls if c[0] == "read"]
    assert reads[-1] == ("read", 1, 1, "8 PDF pages")
    embedding = [c for c in calls if c[0] == "embed"]
    assert report.chunks_embedded > 16  # one paper with its full text: still one batch
    assert [c[1:3] for c in embedding] == [(0, 1), (1, 1)]
    assert embedding[-1][3].startswith(f"{report.chunks_embedded} chunks, ")

    records = tmp_path / "records.jsonl"
    records.write_text(
        "".join(
            json.dumps({"title": f"Paper {i}", "abstract": f"Text {i}."}) + "\n" for i in range(5)
        )
    )
    calls.clear()
    Ingestor(library.store, library.embedder, ChunkSettings(), batch_chunks=3).ingest(
        [records], progress
    )
    assert [c[1:3] for c in calls if c[0] == "embed"] == [(0, 5), (3, 5), (5, 5)]
