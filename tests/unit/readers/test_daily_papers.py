from pathlib import Path

import pytest

import assistant
from assistant.corpus.normalize import normalize_title
from assistant.corpus.readers import choose_reader, make_readers
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.corpus.readers.text import head_text
from tests.helpers import measured_peak

READER = DailyPapersReader()
DEMO = Path(assistant.__file__).parent / "demo_corpus"

# Counted by hand on the shipped files: chrome lines dropped, one title line and one abstract line
# per paper (no paper in them lacks its abstract).
PAIRS = {
    "000_0b7307448224b29d.txt": 82,
    "001_063c4dd406646dd2.txt": 66,
    "002_b44e465039adba94.txt": 74,
    "003_0a186109962874fa.txt": 191,
    "004_85fad0da0bce92cb.txt": 62,
}
CHROME = ("Subscribe", "Get trending papers", "byAK", "research community")


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_demo_corpus_file_yields_every_pair_and_no_chrome(name, read):
    result = read(READER, DEMO / name)

    assert result.issues == []
    assert len(result.papers) == PAIRS[name]
    assert all(paper.has_abstract for paper in result.papers)
    for paper in result.papers:
        assert not any(chrome in paper.title for chrome in CHROME), paper.title
        assert len(paper.title) < 200 < len(paper.abstract)
        assert paper.sources[0].format == "daily-papers"
        assert paper.sources[0].path == str((DEMO / name).resolve())


def test_demo_corpus_totals(read):
    papers = [paper for name in PAIRS for paper in read(READER, DEMO / name).papers]

    assert len(papers) == 475
    assert len({normalize_title(paper.title) for paper in papers}) == 389


def test_title_glued_to_subscribe_is_cut_free_with_its_line(read):
    papers = read(READER, DEMO / "003_0a186109962874fa.txt").papers

    first, last = papers[0], papers[-1]
    assert first.title == "ViTPose++: Vision Transformer for Generic Body Pose Estimation"
    assert first.sources[0].line == 3
    assert first.abstract.startswith("In this paper, we show the surprisingly good properties")
    assert last.title == "The Case for Co-Designing Model Architectures with Hardware"
    assert last.sources[0].line == 383  # the abstract is the last line, with no newline after it


def test_blank_line_layout_starts_after_the_date(read):
    first = read(READER, DEMO / "000_0b7307448224b29d.txt").papers[0]

    assert first.title == (
        "Scaling Offline Model-Based RL via Jointly-Optimized World-Action Model Pretraining"
    )
    assert first.sources[0].line == 11
    assert first.abstract.startswith("A significant aspiration of offline reinforcement learning")


def test_sample_with_chrome_between_pages_a_missing_abstract_and_an_orphan(samples, read):
    result = read(READER, samples / "daily_papers_blank_lines.txt")

    assert [(issue.line, issue.reason) for issue in result.issues] == [
        (11, "abstract with no title before it")
    ]
    assert [(p.title, p.sources[0].line, p.has_abstract) for p in result.papers] == [
        ("Citing Sources with Retrieval-Augmented Models", 13, True),
        ("A Paper Listed Without Its Abstract", 17, False),
        ("Sparse Experts: Stable Routing at Scale", 19, True),
        ("Hybrid State Space Models for Long Sequences", 31, True),
        ("Short but Real", 35, True),  # 31 words ending in a full stop: an abstract
    ]
    assert result.papers[2].abstract.startswith("Mixture-of-experts layers route")


def test_compact_sample_without_blank_lines(samples, read):
    result = read(READER, samples / "daily_papers_compact.txt")

    assert result.issues == []
    assert [(p.title, p.sources[0].line, p.has_abstract) for p in result.papers] == [
        ("ViT++: A Title Glued to the Subscribe Button", 3, True),
        ("Subscribers and Their Habits: A Title That Starts With the Word", 5, True),
        ("The Last Title Has No Abstract", 7, False),
    ]


def test_sniffs_the_page_chrome_and_is_chosen_for_the_demo_files(samples):
    assert READER.sniff(head_text(DEMO / "003_0a186109962874fa.txt"))
    assert not READER.sniff(head_text(samples / "sample.bib"))
    assert isinstance(
        choose_reader(DEMO / "000_0b7307448224b29d.txt", make_readers()), type(READER)
    )


def test_streams_line_by_line(tmp_path):
    path = tmp_path / "big.txt"
    abstract = "We measure things carefully and report them. " * 100  # 4.6 KB
    with path.open("w") as handle:
        handle.write("Get trending papers in your email inbox!\n\n")
        for number in range(500):
            handle.write(f"Paper number {number}\n\n{abstract}\n\n")

    count, peak = measured_peak(lambda: sum(1 for _ in READER.read(path)))

    assert count == 500
    assert peak < path.stat().st_size / 10  # 2.3 MB file: never held whole
