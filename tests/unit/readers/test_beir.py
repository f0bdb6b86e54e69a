import pytest

from assistant.corpus.readers.beir import TITLE_FROM_TEXT_CHARS, BeirReader, title_from_text

READER = BeirReader()


def test_reads_documents_with_the_doc_id_as_citation_key(samples, read):
    result = read(READER, samples / "beir_corpus.jsonl")

    paper = result.titled("Microstructural development of white matter")
    assert paper.abstract == "Alterations of white matter architecture affect development."
    assert paper.citation_key == "4983"
    assert (paper.sources[0].format, paper.sources[0].line) == ("beir", 1)
    numeric = result.titled("Numeric id")
    assert (numeric.citation_key, numeric.doi) == ("8001", "10.1000/beir.8001")


def test_a_document_without_title_is_named_after_its_first_sentence(samples, read):
    result = read(READER, samples / "beir_corpus.jsonl")

    untitled = next(paper for paper in result.papers if paper.citation_key == "5001")
    assert untitled.title == "Vitamin D supplementation lowers fracture risk in older adults."
    assert untitled.abstract.endswith("A second sentence follows.")
    assert untitled.url == "https://example.org/5001"


def test_documents_sharing_a_title_keep_distinct_ids(samples, read):
    result = read(READER, samples / "beir_corpus.jsonl")

    summaries = [paper for paper in result.papers if paper.title == "Summary"]
    assert [paper.citation_key for paper in summaries] == ["6001", "6002"]
    assert summaries[0].id != summaries[1].id


def test_bad_lines_are_reported_and_the_rest_read(samples, read):
    result = read(READER, samples / "beir_corpus.jsonl")

    assert len(result.papers) == 5
    assert [issue.line for issue in result.issues] == [5, 6]
    assert result.issues[0].reason.startswith("invalid JSON at column")
    assert result.issues[1].reason == "document has no title and text"


def test_long_first_sentence_is_cut_at_a_word():
    text = "word " * 100 + "end. Next."
    title = title_from_text(text.strip())
    assert title.endswith("word…")
    assert len(title) <= TITLE_FROM_TEXT_CHARS + 1


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"_id": "4983", "title": "T", "text": "Body", "metadata": {}}\n', True),
        ('{"_id": "0", "text": "0-dimensional biomaterials lack inductive properties."}\n', False),
        ('{"title": "T", "abstract": "A"}\n', False),
        ('{"_id": "1", "text": "' + "long " * 2000, True),  # "title" may follow a long text
    ],
)
def test_sniff_takes_corpora_not_query_files(head, expected):
    assert READER.sniff(head) is expected
