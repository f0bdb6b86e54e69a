"""Reading order, sections and references on a small two-column paper written for the test, and
the text-level rules (ligatures, hyphens, headings, reference entries) on their own."""

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assistant.corpus.readers.pdf import read_pdf
from assistant.corpus.readers.pdf.clean import Vocabulary, clean_line
from assistant.corpus.readers.pdf.layout import Line, Placed
from assistant.corpus.readers.pdf.references import find_ids, parse_references
from assistant.corpus.readers.pdf.sections import heading, kind_of
from tests.pdfs import HEIGHT, MARGIN, write_lines

LEFT, RIGHT = MARGIN, 310.0


def two_column_paper(path: Path) -> Path:
    """Two pages: a title across both columns, an arXiv stamp along the margin, a sentence
    running from the foot of the left column to the head of the right one, a running header,
    and a bare numbered reference list (no "References" heading) at the end of page 2."""
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    top = HEIGHT - MARGIN
    for number in (1, 2):
        write_lines(pdf, [f"Journal of Tests, vol. 3, page {number}"], LEFT, HEIGHT - 40, size=8)
        pdf.drawRightString(A4[0] - MARGIN, 40, str(number))
        if number == 1:
            pdf.saveState()
            pdf.translate(30, 250)
            pdf.rotate(90)  # an arXiv stamp along the left margin, bottom to top
            write_lines(pdf, ["arXiv:2101.01234v2 [cs.CL] 3 Feb 2021"], 0, 0, 20)
            pdf.restoreState()
            y = write_lines(pdf, ["Reading Order in Two Columns"], LEFT, top, 16, "Times-Bold")
            write_lines(pdf, ["Ada Lovelace and Charles Babbage"], LEFT, y - 4, 11)
            left = ["1 Introduction", *["Body text fills the left column line by line."] * 6]
            left += ["A sentence that starts at the foot of the left", "column goes on in the"]
            right = ["right column and ends there.", "2 Method", "We read each page whole."]
            headings = {"1 Introduction", "2 Method"}
        else:
            left = ["3 Results", "The results fill this column.", "4 Conclusion"]
            left += ["The end of the body."]
            right = ["[1] A. Turing. Computing machinery and intelligence. Mind, 1950.", "[2] C."]
            right += ["Shannon. A mathematical theory. arXiv:2101.01234, 2021.", "[3] D. Knuth."]
            right += ["Literate programming. doi:10.1093/comjnl/27.2.97"]
            headings = {"3 Results", "4 Conclusion"}
        for x, lines in ((LEFT, left), (RIGHT, right)):
            y = top - 80
            for line in lines:
                bold = line in headings
                y = write_lines(pdf, [line], x, y, 11 if bold else 10, "Times-Bold" * bold)
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    return read_pdf(two_column_paper(tmp_path_factory.mktemp("layout") / "paper.pdf"))


def test_columns_are_read_one_after_the_other(paper):
    first = paper.body.pages[0].text

    assert first.startswith("Reading Order in Two Columns")
    assert (
        "A sentence that starts at the foot of the left column goes on in the right column and "
        "ends there." in first
    )
    assert first.index("right column and ends there.") < first.index("We read each page whole.")


def test_running_header_and_page_numbers_go(paper):
    for page in paper.body.pages:
        assert "Journal of Tests" not in page.text
        assert not page.text.rstrip().endswith(("1", "2"))


def test_sections_with_their_pages(paper):
    found = [(span.section, span.kind, span.page) for span in paper.body.spans]

    assert found == [
        ("", "front", 1),
        ("1 Introduction", "introduction", 1),
        ("2 Method", "method", 1),
        ("3 Results", "results", 2),
        ("4 Conclusion", "conclusion", 2),
    ]
    assert paper.body.section_text("4 Conclusion") == "The end of the body."


def test_a_bare_numbered_list_at_the_end_is_the_reference_list(paper):
    references = paper.body.references

    assert [reference.text for reference in references] == [
        "[1] A. Turing. Computing machinery and intelligence. Mind, 1950.",
        "[2] C. Shannon. A mathematical theory. arXiv:2101.01234, 2021.",
        "[3] D. Knuth. Literate programming. doi:10.1093/comjnl/27.2.97",
    ]
    assert [(r.doi, r.arxiv_id) for r in references] == [
        (None, None),
        (None, "2101.01234"),
        ("10.1093/comjnl/27.2.97", None),
    ]
    assert "Turing" not in "".join(paper.body.text(span) for span in paper.body.spans)


def test_identity_from_the_first_page(paper):
    identity = paper.identity

    assert identity.title == "Reading Order in Two Columns"
    assert identity.authors == ["Ada Lovelace", "Charles Babbage"]
    assert (identity.arxiv_id, identity.year) == ("2101.01234", 2021)  # from the stamp
    assert "arXiv" not in paper.body.pages[0].text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("e\ufb03cient \ufb01ne-grained \ufb02ow \ufb00ort", "efficient fine-grained flow ffort"),
        ("co\u00adoperation", "cooperation"),
        ("Downey,\x8e Jason", "Downey, Jason"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_clean_line(raw, clean):
    assert clean_line(raw) == clean


@pytest.fixture
def vocabulary() -> Vocabulary:
    words = Vocabulary()
    words.add(
        [
            "the state-of-the-art two-column layout and fine-tuning, recognition of scientific",
            "papers detected automatically by GROBID; a coreference resolver",
        ]
    )
    return words


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("pattern recog-", "nition is hard", "pattern recognition is hard"),  # seen joined
        ("the two-", "column layout", "the two-column layout"),  # compound seen
        ("the state-of-the-", "art", "the state-of-the-art"),
        ("interest-", "ing work", "interesting work"),  # a suffix
        ("the cor-", "pus", "the corpus"),  # an unknown fragment
        ("automatically-", "extracted", "automatically-extracted"),  # an adverb
        ("fine-", "tuned", "fine-tuned"),  # like "fine-tuning"
        ("Bose-", "Einstein", "Bose-Einstein"),
        ("GRO-", "BID", "GROBID"),  # seen joined, whatever the case
        ("end-", "to-end", "end-to-end"),
        ("pages 10-", "20", "pages 10-20"),
        ("co\u00ad", "reference", "coreference"),  # a soft hyphen always joins
        ("no hyphen", "here", "no hyphen here"),
    ],
)
def test_line_end_hyphens(vocabulary, first, second, joined):
    assert vocabulary.join(clean_line(first), second) == joined


def line(text: str, size: float = 10.0, bold: bool = False) -> Line:
    return Line(text, 72.0, 300.0, 100.0, 100.0 + size, size, bold)


@pytest.mark.parametrize(
    ("text", "size", "bold", "started", "expected"),
    [
        ("Introduction", 10.0, False, False, ("Introduction", "introduction")),
        ("3 Method", 12.0, True, False, ("3 Method", "method")),
        ("3.2 Ablations", 10.0, True, True, ("3.2 Ablations", "body")),
        ("III. RESULTS", 10.0, False, True, ("III. RESULTS", "results")),
        ("A. Proofs of the lemmas", 11.0, True, True, ("A. Proofs of the lemmas", "body")),
        ("Appendix B", 11.0, True, True, ("Appendix B", "appendix")),
        ("ACKNOWLEDGMENTS", 12.0, True, True, ("ACKNOWLEDGMENTS", "acknowledgements")),
        ("Bibliography", 12.0, True, True, ("Bibliography", "references")),
        ("Plant materials and growth", 10.0, True, True, ("Plant materials and growth", "body")),
        ("Plant materials and growth", 10.0, True, False, None),  # before any heading: a title
        ("3 We measured it twice", 10.0, False, True, None),  # numbered but in body type
        ("Figure 3: Results per task", 10.0, True, True, None),
        ("we saw the results.", 10.0, True, True, None),
        ("Keywords: tables, graphs", 10.0, True, True, None),
    ],
)
def test_headings(text, size, bold, started, expected):
    found = heading(line(text, size, bold), 1, 10.0, started=started)

    assert (found and (found.title, found.kind)) == expected


def test_run_in_abstract_heading():
    found = heading(line("Abstract. This report is about our system."), 1, 10.0, started=False)

    assert found is not None
    assert (found.title, found.kind, found.rest) == (
        "Abstract",
        "abstract",
        "This report is about our system.",
    )


def test_a_table_row_is_no_heading():
    assert heading(line("Results Accuracy", bold=True), 2, 10.0, started=True) is None
    assert kind_of("4.1 Experimental Setup") == "experiments"
    assert kind_of("Materials and methods") == "method"


def placed(text: str, indent: float = 0.0, gap: float = 2.0) -> tuple[str, Placed]:
    return text, Placed(line(text), indent, gap, (text,), 0, "text")


def test_author_year_entries_split_at_the_hanging_indent():
    lines = [
        placed("Waleed Ammar, Dirk Groeneveld, and Chandra Bhagavat-"),
        placed("ula. 2018. Construction of the literature graph.", indent=10.0),
        placed("In NAACL.", indent=10.0),
        placed("Kyle Lo and Lucy Lu Wang. 2020. S2ORC. In ACL."),
    ]

    entries = parse_references(lines, Vocabulary().join)

    assert [entry.text for entry in entries] == [
        "Waleed Ammar, Dirk Groeneveld, and Chandra Bhagavatula. 2018. Construction of the "
        "literature graph. In NAACL.",
        "Kyle Lo and Lucy Lu Wang. 2020. S2ORC. In ACL.",
    ]


def test_numbered_entries_follow_their_count():
    lines = [
        placed("44. Wardlaw I, Wrigley C. Heat tolerance in cereals. Aust J Plant"),
        placed("Physiol. 1994; 21: 695–703. https://doi.org/10.1071/", indent=12.0),
        placed("PP9940695", indent=12.0),
        placed("45. Wardlaw I, Dawson I, Munibi P. The tolerance of wheat. Part"),
        placed("2. grain development. Aust J Agric Res. 1989; 40: 15–24.", indent=12.0),
    ]

    entries = parse_references(lines, Vocabulary().join)

    assert len(entries) == 2  # "2. grain development" does not count on from 45
    assert entries[0].doi == "10.1071/pp9940695"  # broken after its "/"
    assert entries[1].text.endswith("Part 2. grain development. Aust J Agric Res. 1989; 40: 15–24.")


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Nature 476:25. doi:10.1038/476025a.", ("10.1038/476025a", None)),
        ("arXiv preprint arXiv:2004.05150v2, 2020.", (None, "2004.05150")),
        ("CoRR, abs/1609.08144.", (None, "1609.08144")),
        ("Phys. Rev. Lett. 85, 1158 (2000), [astro-ph/0003365].", (None, "astro-ph/0003365")),
        ("https://doi.org/10.48550/arXiv.2206.10883", ("10.48550/arxiv.2206.10883", None)),
        ("Proceedings, pages 1234.5678-90.", (None, None)),
    ],
)
def test_identifiers_in_a_reference(text, ids):
    assert find_ids(text) == ids


def test_two_authors_side_by_side_and_a_centred_heading(tmp_path):
    """JSS's title page: two authors' blocks side by side, "Abstract" centred below them."""
    path = tmp_path / "jss.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    top = HEIGHT - MARGIN
    write_lines(pdf, ["A Title Across the Whole Width of the Page"], LEFT, top, 18, "Times-Bold")
    write_lines(pdf, ["Grace Hopper", "Navy Laboratory", "Arlington"], 140, top - 50, 12)
    write_lines(pdf, ["Alan Kay", "Research Park", "Palo Alto"], 340, top - 50, 12)
    pdf.setFont("Times-Bold", 10)
    pdf.drawCentredString(A4[0] / 2, top - 100, "Abstract")
    body = ["We study the order in which a reader meets the blocks of a title page."] * 3
    write_lines(pdf, body, LEFT, top - 120)
    pdf.showPage()
    pdf.save()

    read = read_pdf(path)

    assert read.body.pages[0].text.startswith(
        "A Title Across the Whole Width of the Page\n\n"
        "Grace Hopper Navy Laboratory Arlington Alan Kay Research Park Palo Alto\n\n"
        "Abstract\n\nWe study"
    )
    assert read.abstract.startswith("We study the order in which a reader meets")
