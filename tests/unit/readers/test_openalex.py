import json

import pytest

from assistant.corpus.readers.openalex import OpenAlexReader, rebuild_abstract
from assistant.errors import InputError

READER = OpenAlexReader()


def test_reads_a_works_response(samples, read):
    result = read(READER, samples / "openalex_works.json")

    paper = result.titled("Dense retrieval for systematic reviews")  # <i> dropped
    assert paper.abstract == (
        "Dense retrieval helps systematic reviews. We evaluate retrieval at scale."
    )
    assert paper.authors == ["Jane Doe", "Richard Roe"]  # raw_author_name when unmatched
    assert (paper.year, paper.venue) == (2023, "Journal of Open Metadata")
    assert paper.doi == "10.1000/oa.1"
    assert paper.arxiv_id == "2301.00001"  # from an arxiv.org location
    assert paper.url == "https://doi.org/10.1000/OA.1"
    assert paper.tags == ["Dense retrieval", "Information Retrieval and Search"]
    assert (paper.sources[0].format, paper.sources[0].record) == ("openalex", 1)


def test_works_without_abstract_doi_or_authors_are_kept(samples, read):
    result = read(READER, samples / "openalex_works.json")

    notices = result.titled("Notices")
    assert (notices.abstract, notices.doi, notices.authors) == ("", None, [])
    assert notices.url == "https://openalex.org/W4000000002"  # the OpenAlex id, lacking others
    assert notices.tags == ["notices"]  # the older {"keyword": …} form
    display = result.titled("Only a display name")
    assert (display.year, display.abstract) == (2020, "")  # from publication_date


def test_bad_records_are_reported_with_their_number(samples, read):
    result = read(READER, samples / "openalex_works.json")

    assert len(result.papers) == 3
    assert [(issue.record, issue.reason) for issue in result.issues] == [
        (4, "null instead of an object"),
        (5, "work has no title"),
    ]


def test_reads_json_lines_of_works(samples, read):
    result = read(READER, samples / "openalex_works.jsonl")

    assert [paper.title for paper in result.papers] == ["A work on a line", "A third work"]
    first, third = result.papers
    assert first.arxiv_id == "2305.00011"  # from the arXiv DOI
    assert (first.abstract, first.sources[0].line) == ("One line.", 1)
    assert third.arxiv_id == "2101.00013"  # from ids.arxiv
    assert [issue.line for issue in result.issues] == [2]


def test_reads_a_single_work_and_an_array_of_works(tmp_path, read):
    work = {"id": "https://openalex.org/W1", "title": "Alone", "publication_year": 2001}
    single = tmp_path / "work.json"
    single.write_text(json.dumps(work, indent=2))
    array = tmp_path / "works.json"
    array.write_text(json.dumps([work, {**work, "title": "Twice"}], indent=2))

    assert [p.title for p in read(READER, single).papers] == ["Alone"]
    assert [p.title for p in read(READER, array).papers] == ["Alone", "Twice"]


def test_other_json_is_refused(tmp_path):
    path = tmp_path / "groups.json"
    path.write_text(json.dumps({"meta": {}, "group_by": []}, indent=2))

    with pytest.raises(InputError, match="not OpenAlex works"):
        list(READER.read(path))


def test_json_lines_may_hold_whole_responses_and_report_other_lines(tmp_path, read):
    work = {"id": "https://openalex.org/W1", "title": "In a response"}
    path = tmp_path / "pages.jsonl"
    lines = [{"meta": {}, "results": [work, None]}, {"meta": {}, "group_by": []}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    result = read(READER, path)

    assert [(p.title, p.sources[0].line) for p in result.papers] == [("In a response", 1)]
    assert [(i.line, i.reason) for i in result.issues] == [
        (1, "a result that is not an object"),
        (2, "not an OpenAlex work"),
    ]


def test_a_pretty_printed_response_saved_as_jsonl_is_read_whole(samples, tmp_path, read):
    path = tmp_path / "works.jsonl"
    path.write_text((samples / "openalex_works.json").read_text())

    assert len(read(READER, path).papers) == 3


def test_rebuild_abstract_orders_words_and_tolerates_junk():
    index = {"world": [1], "Hello": [0], "again": [3], "hello": [2], "bad": ["x"], "deep": None}
    assert rebuild_abstract(index) == "Hello world hello again"
    assert rebuild_abstract({"Abstract": [0], "Results": [1], "vary.": [2]}) == "Results vary."
    assert rebuild_abstract(None) == ""
    assert rebuild_abstract({"far": [10**9], "near": [0]}) == "near far"  # no huge allocation


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"meta":{"count":1},"results":[{"id":"https://openalex.org/W1775749144",', True),
        ('[\n  {\n    "id": "https://openalex.org/W1",\n    "title": "T"', True),
        ('{"id": "https://openalex.org/W2", "title": "T"}\n', True),
        ('{"id": "https://openalex.org/A5023888391", "display_name": "An author"}', False),
        ('[{"id": "a", "type": "book", "title": "T"}]', False),
    ],
)
def test_sniff(head, expected):
    assert READER.sniff(head) is expected


def test_real_dspace_response(fixtures, read):
    result = read(READER, fixtures / "dspace_openalex-publication-single.json")

    (paper,) = result.papers
    assert paper.title == "PROTEIN MEASUREMENT WITH THE FOLIN PHENOL REAGENT"
    assert paper.abstract.startswith(
        "Since 1922 when Wu proposed the use of the Folin phenol reagent for the measurement"
    )
    assert len(paper.abstract.split()) == 288  # every position of the inverted index
    assert paper.doi == "10.1016/s0021-9258(19)52451-6"
    assert (paper.year, paper.venue) == (1951, "Journal of Biological Chemistry")
    assert len(paper.authors) == 4 and paper.authors[-1] == "RoseJ. Randall"  # as OpenAlex has it
