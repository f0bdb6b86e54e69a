"""Identifiers, identity and deduplication."""

from assistant.corpus.dedup import Deduplicator
from assistant.corpus.fulltext import Body, Page
from assistant.corpus.normalize import (
    clean_text,
    normalize_arxiv_id,
    normalize_doi,
    normalize_title,
)
from assistant.corpus.paper import Paper, Source


def test_identifiers_normalise() -> None:
    assert normalize_doi("https://doi.org/10.1145/ABC.123") == "10.1145/abc.123"
    assert normalize_doi("doi: 10.1000/xyz.") == "10.1000/xyz"
    assert normalize_doi("not a doi") is None
    assert normalize_arxiv_id("arXiv:2401.01234v3") == "2401.01234"
    assert normalize_arxiv_id("https://arxiv.org/abs/hep-th/9901001v1") == "hep-th/9901001"
    assert normalize_arxiv_id("1234") is None
    assert normalize_title("Attention Is {All} You Need!") == "attention is all you need"
    assert normalize_title("Über Café") == normalize_title("uber cafe")
    assert clean_text("a\u202eb\x00c\n  d") == "abc d"


def test_ids_are_stable_and_prefer_strong_identifiers() -> None:
    by_title = Paper(title="A Paper")
    assert by_title.id == Paper(title="a paper!").id
    with_doi = Paper(title="A Paper", doi="10.1000/x")
    assert with_doi.id != by_title.id and with_doi.identity() == "doi:10.1000/x"


def src(name: str, line: int) -> Source:
    return Source(path=name, format="test", line=line)


def test_doi_then_arxiv_then_title_match() -> None:
    dedup = Deduplicator()
    a = dedup.add(Paper(title="First title", doi="10.1000/a", sources=[src("a", 1)]))
    b = dedup.add(Paper(title="Different title entirely", doi="10.1000/a", sources=[src("b", 1)]))
    c = dedup.add(Paper(title="Preprint", arxiv_id="2401.00001", sources=[src("c", 1)]))
    d = dedup.add(Paper(title="PREPRINT.", sources=[src("d", 1)]))
    assert a.id == b.id and c.id == d.id and len(dedup.papers()) == 2


def test_merge_keeps_richest_fields_and_every_source() -> None:
    dedup = Deduplicator()
    dedup.add(Paper(title="Paper", year=2020, citation_key="smith20", sources=[src("a.bib", 3)]))
    merged = dedup.add(
        Paper(
            title="Paper",
            abstract="Long abstract.",
            authors=["A. Smith"],
            tags=["x"],
            sources=[src("b.ris", 9)],
        )
    )
    assert merged.abstract == "Long abstract."
    assert merged.citation_key == "smith20" and merged.year == 2020
    assert merged.sources == [src("a.bib", 3), src("b.ris", 9)]


def test_reread_file_replaces_stand_ins_and_prunes_vanished_records() -> None:
    stored = [
        Paper(title="Kept", abstract="A long original abstract.", sources=[src("f", 1)]),
        Paper(title="Deleted from the file", sources=[src("f", 2)]),
        Paper(title="Also elsewhere", sources=[src("f", 3), src("g", 1)]),
    ]
    dedup = Deduplicator(stored, rereading={"f"})
    edited = dedup.add(Paper(title="Kept", abstract="Short.", sources=[src("f", 1)]))
    assert edited.id == stored[0].id and edited.abstract == "Short."  # the edit wins
    removed = dedup.prune({"f"})
    assert [p.title for p in removed] == ["Deleted from the file"]
    remaining = {p.title: p for p in dedup.papers()}
    assert remaining["Also elsewhere"].sources == [src("g", 1)]


def test_same_title_different_keys_in_one_file_stay_apart() -> None:
    dedup = Deduplicator()
    dedup.add(Paper(title="Summary", citation_key="101", sources=[src("corpus.jsonl", 1)]))
    dedup.add(Paper(title="Summary", citation_key="202", sources=[src("corpus.jsonl", 2)]))
    dedup.add(Paper(title="Summary", citation_key="303", sources=[src("other.bib", 1)]))
    assert sorted(p.citation_key or "" for p in dedup.papers()) == ["101", "202"]


def test_a_different_paper_at_the_same_line_replaces_the_old_one() -> None:
    stored = [Paper(title="Old paper", sources=[src("f", 1)])]
    dedup = Deduplicator(stored, rereading={"f"})
    dedup.add(Paper(title="New paper", sources=[src("f", 1)]))
    assert [p.title for p in dedup.prune({"f"})] == ["Old paper"]
    assert [p.title for p in dedup.papers()] == ["New paper"]


def test_the_full_text_survives_a_merge() -> None:
    """A .bib entry and the PDF it names, read as two records of one paper, keep the PDF's text
    whichever record is the richer."""
    body = Body((Page(1, "The full text."),), (), (), (), "0" * 64)
    entry = Paper(title="A Paper", doi="10.1000/a", abstract="Long " * 40, sources=[src("a", 1)])
    pdf = Paper(title="A paper", doi="10.1000/a", sources=[src("a.pdf", 0)], body=body)

    for first, second in ((entry, pdf), (pdf, entry)):
        dedup = Deduplicator()
        dedup.add(first)
        merged = dedup.add(second)
        assert merged.body is body
        assert merged.abstract == entry.abstract
