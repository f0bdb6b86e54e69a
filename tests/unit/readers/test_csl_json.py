from pathlib import Path

import pytest

from assistant.corpus.readers import jsondoc
from assistant.corpus.readers.csl_json import CslJsonReader
from assistant.errors import InputError

READER = CslJsonReader()


def test_reads_fields_of_a_better_csl_json_item(samples, read):
    result = read(READER, samples / "sample.csl.json")

    paper = result.titled("Dense retrieval for literature review")
    assert paper.abstract == "We study dense retrieval & reranking for systematic reviews."
    assert paper.authors == ["Jane Smith", "Jan van den Berg", "OpenReview Consortium"]
    assert paper.year == 2020
    assert paper.venue == "Journal of Retrieval"
    assert paper.doi == "10.1000/jr.2020.123"
    assert paper.url == "https://example.org/smith2020"
    assert paper.citation_key == "smith2020dense"
    assert paper.tags == ["retrieval", "embeddings"]
    source = paper.sources[0]
    assert (source.format, source.record, source.path) == (
        "csl-json",
        1,
        str((samples / "sample.csl.json").resolve()),
    )


def test_finds_arxiv_ids_and_ignores_zotero_uri_ids(samples, read):
    result = read(READER, samples / "sample.csl.json")

    preprint = result.titled("Sparse and dense hybrids")
    assert preprint.arxiv_id == "2401.01234"
    assert preprint.year == 2024  # from issued.raw
    assert preprint.citation_key is None  # "http://zotero.org/users/…" is not a key

    manubot = result.titled("Attention is all you need")
    assert manubot.arxiv_id == "1706.03762"  # from "standard_id: arxiv:…" in the note
    assert manubot.year == 2017  # from issued.literal
    assert manubot.venue == "Advances in Neural Information Processing Systems"
    assert manubot.authors == ["Ashish Vaswani", "Peter Bühlmann"]  # mojibake repaired


def test_bad_items_are_reported_with_their_record_number_and_the_rest_read(samples, read):
    result = read(READER, samples / "sample.csl.json")

    assert len(result.papers) == 3
    assert [(issue.record, issue.reason) for issue in result.issues] == [
        (3, "item has no title"),
        (4, "a string instead of an object"),
    ]


def test_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "refs.json"
    path.write_text('[\n  {"type": "book", "title": "A"},\n  {"type": "book" "title": "B"}\n]\n')

    with pytest.raises(InputError, match=r"refs\.json:3:19: invalid JSON"):
        list(READER.read(path))


def test_too_large_document_is_refused_with_advice(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    path.write_text('[{"type": "book", "title": "' + "x" * 200 + '"}]')
    monkeypatch.setattr(jsondoc, "MAX_DOCUMENT_BYTES", 100)

    with pytest.raises(InputError, match="too large") as caught:
        list(READER.read(path))
    assert caught.value.hint is not None and "JSON Lines" in caught.value.hint


def test_a_document_that_is_not_an_array_is_refused(tmp_path):
    path = tmp_path / "refs.json"
    path.write_text('{"items": []}')

    with pytest.raises(InputError, match="not CSL JSON"):
        list(READER.read(path))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('[\n  {"id": "a", "type": "book", "title": "T"}', True),
        ('[{"type": "article", "author": [{"family": "X"}]', True),
        ('{"type": "book", "title": "T"}', False),  # an object, not an array
        ('[{"id": "https://openalex.org/W1", "type": "article", "title": "T"}', False),
        ('[{"paperId": "abc", "title": "T"}]', False),  # Semantic Scholar
    ],
)
def test_sniff(head, expected):
    assert READER.sniff(head) is expected


def test_real_better_csl_json_export(fixtures, read):
    result = read(READER, fixtures / "bbt_better-csl-json_587.csl.json")

    assert len(result.papers) == 5 and not result.issues
    keys = [paper.citation_key for paper in result.papers]
    assert keys[:2] == ["clark_mesopotamia_1957", "kamp_deconstructing_2006"]
    reviewer = result.titled("The mystery of samba: Popular music and national identity in Brazil")
    assert reviewer.authors == ["Ben Ratliff"]  # reviewed-author is not an author
    assert reviewer.year == 1999


def test_real_manubot_bibliography(fixtures, read):
    result = read(READER, fixtures / "manubot_context-review_references.json")

    papers = result.papers
    assert len(papers) == 258 and not result.issues
    assert sum(paper.has_abstract for paper in papers) == 183
    assert sum(paper.doi is not None for paper in papers) == 212
    # arXiv ids come from 10.48550 DOIs, arxiv.org URLs and Manubot notes.
    assert sum(paper.arxiv_id is not None for paper in papers) == 149
    fda = result.titled("Functional Data Analysis")
    assert fda.abstract.startswith("Functional data analysis (FDA) models data")  # JATS stripped
    assert not any("<jats:" in paper.abstract for paper in papers)
    peters = result.titled(
        "Causal inference using invariant prediction: identification and confidence intervals"
    )
    assert peters.arxiv_id == "1501.01332"
    assert "Peter Bühlmann" in peters.authors


def test_paths_are_resolved_in_sources(samples, read, monkeypatch):
    monkeypatch.chdir(samples)
    result = read(READER, Path("sample.csl.json"))

    assert Path(result.papers[0].sources[0].path).is_absolute()
