"""choose_reader tells the JSON, XML and table formats apart by content, whatever the extension."""

import shutil

import pytest

from assistant.corpus.readers import choose_reader, make_readers

QUERIES = '{"_id": "0", "text": "Biomaterials lack inductive properties.", "metadata": {}}\n'


@pytest.mark.parametrize(
    ("sample", "saved_as", "expected"),
    [
        ("sample.csl.json", "refs.json", "csl-json"),
        ("openalex_works.json", "works.json", "openalex"),
        ("openalex_works.jsonl", "works.jsonl", "openalex"),
        ("beir_corpus.jsonl", "corpus.jsonl", "beir"),
        ("sample.jsonl", "papers.jsonl", "jsonl"),
        ("sample.csv", "papers.csv", "csv"),
        ("sample.tsv", "papers.tsv", "csv"),
        ("sample.atom.xml", "query.xml", "arxiv"),
        # Misleading extensions: the content decides.
        ("openalex_works.json", "works.jsonl", "openalex"),
        ("sample.csl.json", "refs.jsonl", "csl-json"),
        ("beir_corpus.jsonl", "corpus.json", "beir"),
        ("sample.jsonl", "papers.json", "jsonl"),
        ("openalex_works.jsonl", "works.csv", "openalex"),
        ("sample.atom.xml", "query.txt", "arxiv"),
        ("mapped.csv", "export.txt", "csv"),
        ("sample.csv", "export.xml", "csv"),
    ],
)
def test_reader_is_chosen_by_content(samples, tmp_path, sample, saved_as, expected):
    path = tmp_path / saved_as
    shutil.copy(samples / sample, path)
    readers = make_readers({"title": "Headline"} if sample == "mapped.csv" else None)

    assert choose_reader(path, readers).name == expected


def test_real_fixtures_are_recognised(fixtures):
    expected = {
        "arxivpy_2016_search_au-del_maestro.atom.xml": "arxiv",
        "arxivpy_2026_q_testing_s0_m10.body-extracted.atom.xml": "arxiv",
        "dspace_openalex-publication-single.json": "openalex",
        "bbt_better-csl-json_587.csl.json": "csl-json",
        "manubot_context-review_references.json": "csl-json",
    }
    readers = make_readers()

    assert {name: choose_reader(fixtures / name, readers).name for name in expected} == expected


def test_beir_queries_are_not_taken_for_a_corpus(tmp_path):
    path = tmp_path / "queries.jsonl"
    path.write_text(QUERIES)

    assert choose_reader(path, make_readers()).name == "jsonl"
