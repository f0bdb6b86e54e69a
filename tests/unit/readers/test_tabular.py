import json

import pytest

from assistant.corpus.readers.tabular import CsvReader, JsonLinesReader, people
from assistant.errors import InputError
from tests.helpers import measured_peak

MAPPING = {
    "title": "Headline",
    "abstract": "summary text",  # matched ignoring case
    "authors": "Writers",
    "year": "Yr",
    "citation_key": "Ref",
}


# JSON Lines


def test_jsonl_reads_default_columns_in_any_case(samples, read):
    result = read(JsonLinesReader(), samples / "sample.jsonl")

    rag = result.titled("Retrieval-augmented generation for reviews")
    assert rag.authors == ["Jane Doe", "Richard Roe"]
    assert (rag.year, rag.doi, rag.citation_key) == (2023, "10.1000/rag.1", "doe2023rag")
    assert rag.tags == ["rag", "reviews"]
    checking = result.titled("Citation checking at scale")
    assert checking.abstract == "Checking every citation."  # "Summary" column
    assert checking.authors == ["Ann Lee", "Bo Kim"]  # "Lee, Ann; Kim, Bo"
    assert (checking.year, checking.venue, checking.arxiv_id) == (
        2022,
        "Scientometrics",
        "2207.00001",
    )
    assert checking.tags == ["citations", "checking"]
    plain = result.titled("Plain record")
    assert plain.authors == ["Ann Lee", "Bo Kim"]  # "Ann Lee and Bo Kim"
    assert (plain.year, plain.arxiv_id) == (2019, "1903.01234")  # arXiv id from the URL
    assert plain.sources[0].line == 7


def test_jsonl_bad_lines_are_reported_with_line_numbers(samples, read):
    result = read(JsonLinesReader(), samples / "sample.jsonl")

    assert len(result.papers) == 3
    assert [issue.line for issue in result.issues] == [3, 5, 6]
    assert result.issues[0].reason.startswith("invalid JSON")
    assert result.issues[1].reason == "no title"
    assert result.issues[2].reason == "an array instead of an object"


def test_jsonl_mapping_overrides_defaults(tmp_path, read):
    path = tmp_path / "export.jsonl"
    rows = [
        {"headline": "Mapped", "title": "Not the title", "body": "Text."},
        {"headline": "Second", "body": "More text."},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))

    result = read(JsonLinesReader({"title": "headline", "abstract": "body"}), path)

    assert [(p.title, p.abstract) for p in result.papers] == [
        ("Mapped", "Text."),
        ("Second", "More text."),
    ]


def test_a_mapped_column_is_not_also_used_for_its_usual_field(tmp_path, read):
    path = tmp_path / "notes.csv"
    path.write_text("Summary,Notes\nA short summary used as the title,Some notes\n")

    (paper,) = read(CsvReader({"title": "Summary", "abstract": "Notes"}), path).papers
    assert (paper.title, paper.abstract) == ("A short summary used as the title", "Some notes")

    (paper,) = read(CsvReader({"title": "Summary"}), path).papers
    assert paper.abstract == ""  # "Summary" would be the abstract column, but it is the title


def test_jsonl_unknown_mapped_column_lists_the_keys(samples):
    with pytest.raises(InputError, match="no column 'headline'") as caught:
        list(JsonLinesReader({"title": "headline"}).read(samples / "sample.jsonl"))
    assert caught.value.hint is not None and "abstract" in caught.value.hint


def test_mapping_to_an_unknown_field_is_refused(samples):
    with pytest.raises(InputError, match="'titel': not a paper field"):
        list(CsvReader({"titel": "Title"}).read(samples / "sample.csv"))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"title": "A"}\n{"title": "B"}\n', True),
        ('{"title": "' + "x" * 9000, True),  # first line longer than the head
        ('{\n  "title": "A"\n}\n', False),  # a pretty-printed document
        ("[1, 2]\n", False),
        ("title,abstract\n", False),
    ],
)
def test_jsonl_sniff(head, expected):
    assert JsonLinesReader().sniff(head) is expected


# CSV


def test_csv_reads_rows_with_bom_quotes_and_multiline_fields(samples, read):
    result = read(CsvReader(), samples / "sample.csv")

    screening = result.titled("Deep learning for screening")
    assert screening.abstract == 'Screening is slow. We automate it with "deep" models.'
    assert screening.authors == ["Zhang Y.", "Li X."]
    assert (screening.year, screening.venue) == (2021, "Systematic Reviews")  # "Source title"
    assert screening.doi == "10.1186/s13643-021-00001-1"
    assert screening.tags == ["screening", "automation"]  # "Author Keywords"
    assert screening.url == "https://example.org/a"  # "Link"
    assert screening.sources[0].line == 2
    active = result.titled("Active learning in reviews")
    assert active.authors == ["John Smith", "Jane Doe"]
    assert active.sources[0].line == 5  # the multi-line row above counts two lines
    search = result.titled("Semantic search of abstracts")
    assert search.authors == ["Wang Z.", "Chen L."]
    assert search.arxiv_id == "1801.00001"


def test_csv_bad_rows_are_reported_with_their_start_line(samples, read):
    result = read(CsvReader(), samples / "sample.csv")

    assert len(result.papers) == 3
    assert [(issue.line, issue.reason) for issue in result.issues] == [
        (4, "no title"),
        (6, "malformed row: 10 fields, the header has 8"),
    ]


def test_csv_mapping_with_semicolon_delimiter(samples, read):
    result = read(CsvReader(MAPPING), samples / "mapped.csv")

    assert not result.issues
    first = result.papers[0]
    assert first.title == "Mapped columns work"
    assert first.abstract == "An abstract; with a semicolon."
    assert (first.authors, first.year, first.citation_key) == (["Bo Kim"], 2017, "kim2017")


def test_csv_unknown_mapped_column_lists_the_file_columns(samples):
    with pytest.raises(InputError, match="no column 'Heading'") as caught:
        list(CsvReader({"title": "Heading"}).read(samples / "mapped.csv"))
    assert caught.value.hint == "columns in the file: Headline, Summary text, Writers, Yr, Ref"


def test_csv_without_a_title_column_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("Name,Text\nA,B\n")

    with pytest.raises(InputError, match="no title column") as caught:
        list(CsvReader().read(path))
    assert caught.value.hint is not None and "Name, Text" in caught.value.hint


def test_tab_separated_web_of_science_export(samples, read):
    result = read(CsvReader(), samples / "sample.tsv")

    (paper,) = result.papers
    assert paper.title == "Tab separated export"
    assert paper.authors == ["J Doe", "R Roe"]
    assert (paper.year, paper.venue, paper.doi) == (2015, "J. Tabs", "10.1000/tsv.1")


def test_csv_bad_quoting_is_reported_and_reading_goes_on(tmp_path, read):
    path = tmp_path / "table.csv"
    path.write_text('title,abstract\nGood,one\nBad,"closed"early\nAlso good,two\n')

    result = read(CsvReader(), path)

    assert [p.title for p in result.papers] == ["Good", "Also good"]
    assert [issue.line for issue in result.issues] == [3]
    assert "malformed row" in result.issues[0].reason


def test_csv_cells_larger_than_the_csv_module_default_are_read(tmp_path, read):
    path = tmp_path / "big.csv"
    path.write_text(f"title,abstract\nBig,{'word ' * 100_000}\n")  # 500 KB cell

    (paper,) = read(CsvReader(), path).papers
    assert len(paper.abstract) > 400_000


def test_csv_in_cp1252_is_decoded(tmp_path, read):
    path = tmp_path / "latin.csv"
    path.write_bytes("title;authors\nCaf\u00e9 society;M\u00fcller, J\u00fcrgen\n".encode("cp1252"))

    (paper,) = read(CsvReader(), path).papers
    assert (paper.title, paper.authors) == ("Café society", ["Jürgen Müller"])


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("Title,Abstract,Authors\n", True),
        ("\ufeffTI\tAU\tPY\n", True),
        ('"Document Title";"Year"\n', True),
        ("Name,Text\n", False),
        ('{"title": "A"}\n', False),
        ("@article{a, title={B}}\n", False),
    ],
)
def test_csv_sniff(head, expected):
    assert CsvReader().sniff(head) is expected


def test_csv_sniff_knows_the_mapped_title_column():
    assert CsvReader({"title": "Headline"}).sniff("Headline;Summary\n")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Doe, Jane; Roe, Richard", ["Jane Doe", "Richard Roe"]),
        ("Jane Doe and Richard Roe", ["Jane Doe", "Richard Roe"]),
        ("Smith, John", ["John Smith"]),
        ("Zhang Y., Li X., Wang Z.", ["Zhang Y.", "Li X.", "Wang Z."]),
        (
            ["Doe, Jane", {"name": "Ann Lee"}, {"given": "Bo", "family": "Kim"}],
            ["Jane Doe", "Ann Lee", "Bo Kim"],
        ),
        (None, []),
    ],
)
def test_people(raw, expected):
    assert people(raw) == expected


# Streaming


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_large_files_are_streamed(tmp_path, kind):
    abstract = "streaming " * 1000  # 10 KB a record, 400 records: 4 MB
    path = tmp_path / f"big.{kind}"
    with path.open("w") as handle:
        if kind == "csv":
            handle.write("title,abstract\n")
            handle.writelines(f"Paper {n},{abstract}\n" for n in range(400))
        else:
            handle.writelines(
                json.dumps({"title": f"Paper {n}", "abstract": abstract}) + "\n" for n in range(400)
            )
    reader = CsvReader() if kind == "csv" else JsonLinesReader()

    count, peak = measured_peak(lambda: sum(1 for _ in reader.read(path)))

    assert count == 400
    assert peak < 1_000_000  # a few records at a time, not the 4 MB file
