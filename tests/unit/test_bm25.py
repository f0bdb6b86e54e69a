"""BM25 in segments: scores equal the textbook formula over the live documents, whatever mix of
additions, removals and merges produced the index, and the files survive a round trip."""

import math
import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from assistant.index import bm25, bm25_files
from assistant.index.bm25 import Bm25, Doc, Segment
from assistant.index.filters import Filters

WORDS = [f"w{i}" for i in range(40)]


def random_doc(rng: random.Random, n: int) -> Doc:
    terms = rng.choices(WORDS[: rng.randint(5, 40)], k=rng.randint(0, 30))
    tags = rng.sample(["a", "b", "c"], rng.randint(0, 2))
    return Doc(
        f"d{n}", terms, f"p{n // 2}", rng.choice([0, 2019, 2020, 2021]), tags, ["x"] * (n % 2)
    )


def textbook(docs: dict[str, Doc], query: list[str]) -> dict[str, float]:
    """Lucene's BM25 written out plainly: the reference the index must agree with."""
    n = len(docs)
    average = sum(len(d.terms) for d in docs.values()) / n
    scores: dict[str, float] = {}
    for doc in docs.values():
        counts = Counter(doc.terms)
        score = 0.0
        for term in query:
            df = sum(term in d.terms for d in docs.values())
            if not counts[term]:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            norm = bm25.K1 * (1 - bm25.B + bm25.B * len(doc.terms) / average)
            score += idf * counts[term] / (counts[term] + norm)
        if score > 0:
            scores[doc.id] = score
    return scores


def assert_matches(index: Bm25, live: dict[str, Doc], rng: random.Random) -> None:
    assert sorted(index.ids()) == sorted(live)
    assert len(index) == len(live)
    for _ in range(10):
        query = rng.choices(WORDS, k=rng.randint(1, 4))
        expected = textbook(live, query) if live else {}
        found = dict(index.search(query, n=len(live) + 5))
        assert found.keys() == expected.keys()
        for doc_id, score in expected.items():
            assert found[doc_id] == pytest.approx(score, rel=1e-5)


@pytest.mark.parametrize("seed", range(8))
def test_any_history_of_additions_and_removals_scores_like_the_formula(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bm25, "MAX_SEGMENTS", 3)  # merges happen within a short history
    rng = random.Random(seed)
    docs = [random_doc(rng, n) for n in range(60)]
    live = {d.id: d for d in docs[:20]}
    index = Bm25.build(docs[:20], segment_size=7)
    assert len(index.segments) == 3
    assert_matches(index, live, rng)
    counter = 60
    for _ in range(12):
        removed = rng.sample(sorted(live), k=min(len(live), rng.randint(0, 6)))
        # A re-read chunk comes back changed under the same id, or not at all.
        added = [Doc(i, random_doc(rng, counter).terms, "p", 2020, [], []) for i in removed[:2]]
        added += [random_doc(rng, counter + k) for k in range(1, rng.randint(1, 6))]
        counter += 10
        index.replace(removed, added)
        for doc_id in removed:
            live.pop(doc_id)
        live.update((d.id, d) for d in added)
        assert len(index.segments) <= bm25.MAX_SEGMENTS
        assert all(s.dead <= bm25.MAX_DEAD * len(s) for s in index.segments)
        assert_matches(index, live, rng)


def test_removing_everything_leaves_an_empty_index_that_finds_nothing() -> None:
    docs = [Doc("a", ["x", "y"], "p", 0, [], []), Doc("b", ["x"], "q", 0, [], [])]
    index = Bm25.build(docs)
    index.replace(["a", "b", "not-there"], [])
    assert len(index) == 0 and index.ids() == []
    assert index.search(["x"], 5) == []


def test_a_query_term_given_twice_counts_twice() -> None:
    docs = [Doc("a", ["x", "y"], "p", 0, [], []), Doc("b", ["y", "z"], "q", 0, [], [])]
    index = Bm25.build(docs)
    once, twice = dict(index.search(["x"], 2)), dict(index.search(["x", "x"], 2))
    assert twice["a"] == pytest.approx(2 * once["a"])


def test_filters_admit_what_filters_admit() -> None:
    rng = random.Random(3)
    docs = [random_doc(rng, n) for n in range(80)]
    index = Bm25.build(docs, segment_size=30)
    index.replace([d.id for d in docs[::5]], [])
    live = [d for d in docs if d.id not in {x.id for x in docs[::5]}]
    for filters in (
        Filters(year_from=2020),
        Filters(year_to=2020),
        Filters(tag="a"),
        Filters(collection="x", year_from=2019, year_to=2020),
    ):
        query = WORDS[:10]
        found = {i for i, _ in index.search(query, 100, filters)}
        admitted = {
            d.id
            for d in live
            if filters.admits(d.year or None, d.tags, d.collections) and set(d.terms) & set(query)
        }
        assert found == admitted


def test_saved_index_loads_with_its_removals_and_extras(tmp_path: Path) -> None:
    rng = random.Random(5)
    docs = [random_doc(rng, n) for n in range(50)]
    index = Bm25.build(docs[:30], segment_size=12)
    index.replace([d.id for d in docs[:4]], docs[30:])
    bm25_files.save(index, tmp_path / "lex", {"token": "7:abc"})

    loaded = bm25_files.load(tmp_path / "lex")
    assert loaded is not None
    again, manifest = loaded
    assert manifest["token"] == "7:abc"
    assert_matches(again, {d.id: d for d in docs[4:]}, rng)
    # Removals after loading are saved too, and old segment files are reused, not rewritten.
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "lex").glob("seg-*/*")}
    again.replace([docs[10].id], [])
    bm25_files.save(again, tmp_path / "lex", {})
    reloaded = bm25_files.load(tmp_path / "lex")
    assert reloaded is not None and docs[10].id not in reloaded[0].ids()
    assert not any(s.docs.flags.writeable for s in reloaded[0].segments)  # mapped, not read
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "lex").glob("seg-*/*")}
    assert after == before


def test_unreadable_or_missing_index_loads_as_none(tmp_path: Path) -> None:
    assert bm25_files.load(tmp_path / "nothing") is None
    index = Bm25.build([Doc("a", ["x"], "p", 0, [], [])])
    bm25_files.save(index, tmp_path / "lex", {})
    segment_file = next((tmp_path / "lex").glob("seg-*/docs.npy"))
    segment_file.write_bytes(b"not numpy")
    assert bm25_files.load(tmp_path / "lex") is None


def test_files_no_manifest_names_are_deleted_after_the_grace_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "lex"
    index = Bm25.build([Doc(f"d{i}", ["x", f"t{i}"], "p", 0, [], []) for i in range(10)])
    bm25_files.save(index, directory, {})
    first_files = {p.name for p in directory.iterdir()}
    index.replace([f"d{i}" for i in range(5)], [])  # half dead: the segment is rewritten
    bm25_files.save(index, directory, {})
    assert first_files <= {p.name for p in directory.iterdir()}  # within the grace period
    old = time.time() - bm25_files.GRACE_SECONDS - 1
    for name in first_files - {"manifest.json"}:
        os.utime(directory / name, (old, old))
    bm25_files.save(index, directory, {})
    left = {p.name for p in directory.iterdir()}
    assert not (first_files - {"manifest.json"}) & left
    loaded = bm25_files.load(directory)
    assert loaded is not None and sorted(loaded[0].ids()) == [f"d{i}" for i in range(5, 10)]


def test_line_breaks_in_ids_cannot_break_the_files_and_labels_keep_theirs(tmp_path: Path) -> None:
    docs = [
        Doc("a\nb", ["x"], "p", 0, ["two\nlines", "unit\x1fsep"], []),
        Doc("b", ["x"], "q", 0, [], ["c"]),
    ]
    bm25_files.save(Bm25.build(docs), tmp_path / "lex", {})
    loaded = bm25_files.load(tmp_path / "lex")
    assert loaded is not None
    (segment,) = loaded[0].segments
    assert [segment.tags[0], segment.tags[1]] == [["two\nlines", "unit\x1fsep"], []]
    assert [segment.collections[0], segment.collections[1]] == [[], ["c"]]
    assert segment.ids == ["a b", "b"]


def test_segments_with_the_same_documents_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks re-read unchanged form a segment equal in content to one already there; merging
    must tell the two apart (a kill loop once found segments compared by value)."""
    monkeypatch.setattr(bm25, "MAX_SEGMENTS", 1)
    docs = [Doc(f"d{i}", ["x", f"t{i}"], "p", 0, [], []) for i in range(4)]
    index = Bm25.build(docs)
    index.segments.append(Segment.of(docs))  # the same documents again, as a second segment
    index.segments[0].live[:] = False  # ... whose first copies are all dead
    index.replace([], [Doc("e", ["x"], "q", 0, [], [])])
    assert sorted(index.ids()) == ["d0", "d1", "d2", "d3", "e"]
    assert len(index.segments) <= 1 + bm25.MAX_SEGMENTS
