"""The PDF reader on real papers (tests/data/pdf, see PROVENANCE.md there).

What is asserted was read off the PDFs themselves: their first pages for identity, their
section headings and the page each starts on, a sentence that runs from the bottom of the left
column to the top of the right one, their running headers, and their reference lists (counted
entry by entry: each entry of the author-year lists holds exactly one "Author. Year." date).
"""

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from assistant.corpus.fulltext import Body
from assistant.corpus.paper import Paper
from assistant.corpus.readers import choose_reader, make_readers
from assistant.corpus.readers.pdf import PdfRead, PdfReader, file_sha256, read_pdf

PDFS = Path(__file__).parents[2] / "data" / "pdf"
S2ORC = PDFS / "papermage_acl2020-main-447_s2orc_two-column.pdf"
GRAPH = PDFS / "doc2json_naacl2018-N18-3011_literature-graph_two-column.pdf"
PLOS = PDFS / "scienceparse_plosone2018_wheat-heat-stress_biomed.pdf"
BMC = PDFS / "cermine_bmc-hsr2014_malawi-quality-improvement_biomed.pdf"
PEERJ = PDFS / "cermine_peerjcs2017_vespa_sidebar-layout.pdf"
PAPERS = [S2ORC, GRAPH, PLOS, BMC, PEERJ]


@cache
def read(path: Path) -> PdfRead:
    return read_pdf(path)


def all_text(body: Body) -> str:
    return "\n".join(page.text for page in body.pages)


def span_text(body: Body) -> str:
    return "\n".join(body.text(span) for span in body.spans)


def first_page(body: Body, section: str) -> int:
    return next(span.page for span in body.spans if span.section == section)


def sections(body: Body, keep: Callable[[str], bool] = lambda _: True) -> list[str]:
    """Section titles in order of first appearance."""
    seen: list[str] = []
    for span in body.spans:
        if keep(span.section) and span.section not in seen:
            seen.append(span.section)
    return seen


@pytest.mark.parametrize(
    ("path", "title", "authors", "doi", "year"),
    [
        (
            S2ORC,
            "S2ORC: The Semantic Scholar Open Research Corpus",
            ["Kyle Lo", "Lucy Lu Wang", "Mark Neumann", "Rodney Kinney", "Daniel Weld"],
            None,  # the ACL Anthology DOI is not printed in this PDF
            2020,
        ),
        (
            GRAPH,
            "Construction of the Literature Graph in Semantic Scholar",
            ["Waleed Ammar", "Dirk Groeneveld", "Chandra Bhagavatula"],  # 23 in all
            None,
            2018,  # "Proceedings of NAACL-HLT 2018", though it prints "(c) 2017"
        ),
        (
            PLOS,
            "Comparative physiological and metabolomics analysis of wheat (Triticum aestivum "
            "L.) following post-anthesis heat stress",
            ["Kayla Thomason", "Md Ali Babar", "John E. Erickson", "Michael Mulvaney"],
            "10.1371/journal.pone.0197919",
            2018,
        ),
        (
            BMC,  # its metadata title is "6489122611071476 1..10"
            "Understanding the barriers to setting up a healthcare quality improvement process "
            "in resource-limited settings: a situational analysis at the Medical Department of "
            "Kamuzu Central Hospital in Lilongwe, Malawi",
            ["Josephine Nana Afrakoma Agyeman-Duah", "Antje Theurer", "Charles Munthali"],
            "10.1186/1472-6963-14-1",  # printed under "Cite this article as" on the last page
            2014,
        ),
        (
            PEERJ,
            "VESPA: Very large-scale Evolutionary and Selective Pressure Analyses",
            ["Andrew E. Webb", "Thomas A. Walsh", "Mary J. O’Connell"],
            "10.7717/peerj-cs.118",  # in the margin column beside the title page
            2017,
        ),
    ],
)
def test_identity_from_metadata_and_first_page(path, title, authors, doi, year):
    identity = read(path).identity

    assert identity.title == title
    assert identity.authors[: len(authors)] == authors
    assert (identity.doi, identity.arxiv_id, identity.year) == (doi, None, year)
    assert identity.caveats == []


def test_all_authors_of_a_long_list():
    authors = read(GRAPH).identity.authors

    assert len(authors) == 23
    assert authors[-2:] == ["Madeleine van Zuylen", "Oren Etzioni"]  # "oren etzioni" as given


def test_the_reader_yields_one_paper_with_its_body(tmp_path):
    items = list(PdfReader().read(S2ORC))

    assert len(items) == 1
    paper = items[0]
    assert isinstance(paper, Paper)
    assert paper.title == "S2ORC: The Semantic Scholar Open Research Corpus"
    assert paper.abstract.startswith("We introduce S2ORC,¹ a large corpus of 81.1M English")
    assert paper.abstract.endswith("for text mining over academic text.")
    assert [(s.path, s.format) for s in paper.sources] == [(str(S2ORC.resolve()), "pdf")]
    assert paper.body is not None and len(paper.body.pages) == 15
    assert paper.body.sha256 == file_sha256(S2ORC)


def test_the_body_is_never_serialised():
    paper = next(PdfReader().read(GRAPH))
    assert isinstance(paper, Paper)

    stored = paper.model_dump_json()
    again = Paper.model_validate_json(stored)

    assert "body" not in paper.model_dump() and "Erdős" not in stored
    assert again == paper.model_copy(update={"body": None})
    assert Paper.model_validate(paper.model_dump()).body is None
    assert "body" not in repr(paper)


def test_chosen_by_content_whatever_the_name(tmp_path):
    renamed = tmp_path / "download.bin"
    renamed.write_bytes(S2ORC.read_bytes())

    assert choose_reader(renamed, make_readers()).name == "pdf"
    assert choose_reader(S2ORC, make_readers()).name == "pdf"


def test_sections_with_their_pages_and_kinds():
    body = read(S2ORC).body
    numbered = sections(body, lambda title: bool(re.match(r"\d+ ", title)))

    assert first_page(body, "Abstract") == 1
    assert first_page(body, "1 Introduction") == 1
    assert numbered == [
        "1 Introduction",
        "2 Constructing the corpus",
        "3 The S2ORC dataset",
        "4 Evaluation",
        "5 Pretraining BERT on S2ORC",
        "6 Applications of S2ORC",
        "7 Related work",
        "8 Conclusion",
    ]
    kinds = {span.section: span.kind for span in body.spans}
    assert kinds["Abstract"] == "abstract"
    assert kinds["1 Introduction"] == "introduction"
    assert kinds["7 Related work"] == "related work"
    assert kinds["8 Conclusion"] == "conclusion"
    assert kinds["2.1 Processing PDFs"] == "body"
    assert kinds[""] == "front"


def test_sections_of_a_biomedical_paper():
    body = read(PLOS).body
    kinds = {span.section: span.kind for span in body.spans}

    assert [first_page(body, name) for name in ("Abstract", "Introduction")] == [1, 1]
    assert first_page(body, "Discussion") == 14
    assert first_page(body, "Conclusion") == 17
    # "Materials and methods" and "Results" are followed at once by their subsections, which
    # take their kind: PLOS sets both levels in the same bold 12 pt.
    assert kinds["Genetic materials, growth and experimental conditions"] == "method"
    assert kinds["Physiological parameters"] == "results"


def test_uppercase_sections_and_a_margin_column():
    body = read(PEERJ).body
    pages = {name: first_page(body, name) for name in ("ABSTRACT", "INTRODUCTION", "METHODS")}

    assert pages == {"ABSTRACT": 1, "INTRODUCTION": 1, "METHODS": 3}
    # The margin beside page 1 (dates, editor, licence) is on the page, not in the body.
    assert "Academic editor" in body.pages[0].text
    assert "Academic editor" not in span_text(body)


def test_a_sentence_runs_whole_from_one_column_into_the_next():
    page = read(S2ORC).body.pages[0].text

    # The left column ends "...network analysis. Digital archives like arXiv,²"; the right one
    # starts with the caption of Figure 1, then "PubMed Central,³ CiteSeerX ...". The
    # footnotes at the foot of the left column come after the text.
    assert (
        "Digital archives like arXiv,² PubMed Central,³ CiteSeerX (Giles et al., 1998),⁴ and the "
        "ACL Anthology (Bird et al., 2008),⁵ are popular resources" in page
    )
    assert page.index("Figure 1: Inline citations") > page.index("PubMed Central,³")
    assert page.index("1Instructions for access") > page.index("studying how or why papers")


def test_ligatures_expanded_and_line_end_hyphens_mended():
    text = all_text(read(S2ORC).body)

    assert not re.search("[\ufb00-\ufb06\u00ad]", text)
    for word in ("scientific", "unified", "fine-tuned", "classification", "corpus", "papers"):
        assert re.search(rf"\b{word}\b", text), word
    # Broken at line ends in the PDF: "cor-/pus", "pa-/pers", "interest-/ing", "correspond-/ing".
    assert "The corpus consists of rich metadata" in text
    assert "many interesting characteristics" in text
    assert "each linked to their corresponding paper objects" in text
    # Real hyphens at line ends stay: "automatically-/detected", "machine-/readable".
    assert "annotated with automatically-detected inline mentions" in text
    assert "machine-readable academic text" in text
    assert not re.search(r"\b(?:cor-pus|pa-pers|interest-ing|correspond-ing)\b", text)


def test_digits_set_small_above_or_below_the_line_are_scripts():
    s2orc, plos = all_text(read(S2ORC).body), all_text(read(PLOS).body)

    # footnote marks are not digits of the word before them; model names keep theirs
    assert "The English language filter¹⁴ reduces" in s2orc
    assert "v0.5.5¹⁰" in s2orc and "PyPDF2" in s2orc and not re.search(r"filter14|code15", s2orc)
    assert "|N₁ ∩ N₂|" in s2orc or ("N₁" in s2orc and "N₂" in s2orc)  # set sizes, subscripted
    assert "¹³C-enriched" in plos and "¹²C-media" in plos  # isotopes
    # affiliation marks stay out of author names
    assert read(BMC).identity.authors[:2] == [
        "Josephine Nana Afrakoma Agyeman-Duah",
        "Antje Theurer",
    ]
    assert read(PEERJ).identity.authors[-1] == "Mary J. O’Connell"


def test_tex_accents_and_control_characters():
    text = all_text(read(GRAPH).body)

    assert "Erdős number" in text  # drawn as "Erd˝os"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)  # "Downey,\x8e" in the PDF
    assert "Saier and Färber (2019)" in all_text(read(S2ORC).body)  # drawn "Farber ¨"


def test_running_headers_footers_and_page_numbers_are_dropped():
    plos = read(PLOS).body
    bmc = read(BMC).body

    for page in plos.pages:
        assert "Metabolomics in wheat following post-anthesis heat stress" not in page.text
        assert "PLOS ONE | https://doi.org" not in page.text
        assert not re.search(r"\b\d{1,2} / 21\b", page.text)
    for page in bmc.pages:
        assert "BMC Health Services Research 2014, 14:1" not in page.text
        assert not re.search(r"Page \d+ of 10", page.text)
    assert not re.search(r"^4969$", read(S2ORC).body.pages[0].text, re.MULTILINE)


@pytest.mark.parametrize(
    ("path", "count", "first", "last"),
    [
        (S2ORC, 55, "Riaz Ahmad and Muhammad Tanvir Afzal. 2018.", "Xiao Yu, Quanquan Gu"),
        (GRAPH, 27, "Waleed Ammar, Matthew E. Peters", "Chenyan Xiong, Russell Power"),
        (PLOS, 59, "1. Fischer R, Byerlee D.", "59. Dinler B, Demir E, Kompe Y."),
        (BMC, 31, "1. Ovretveit J, Serouri A:", "31. Cooper LA, Hill MN, Powe NR:"),
        (PEERJ, 24, "Afgan E, Baker D, van den Beek M", "Yates A, Akanni W, Amode MR"),
    ],
)
def test_references_are_parsed_and_kept_out_of_the_body(path, count, first, last):
    body = read(path).body

    assert len(body.references) == count
    assert body.references[0].text.startswith(first)
    assert body.references[-1].text.startswith(last)
    body_text = span_text(body)
    for reference in body.references:
        assert reference.text[:60] not in body_text


def test_reference_identifiers():
    plos = {reference.doi for reference in read(PLOS).body.references}
    peerj = read(PEERJ).body.references
    s2orc = {reference.arxiv_id for reference in read(S2ORC).body.references}

    assert "10.1104/pp.010320" in plos  # 58. Larkindale J, Knight M. ... Plant Physiol.
    assert all(reference.doi for reference in peerj)  # every entry ends "DOI 10..."
    assert peerj[0].doi == "10.1093/nar/gkw343"
    assert "1609.08144" in s2orc  # "arXiv, abs/1609.08144" (Wu et al., 2016)
    # The paper's own DOI, printed after BMC's list, is no reference's.
    assert not any(reference.doi for reference in read(BMC).body.references)


def test_text_after_the_references_is_body_again():
    body = read(S2ORC).body

    assert first_page(body, "A Background & Terminology") == 13
    assert first_page(body, "B PDF filters") == 13


@pytest.mark.parametrize("path", PAPERS)
def test_spans_cover_page_text_in_order_without_overlap(path):
    body = read(path).body

    assert [page.number for page in body.pages] == list(range(1, len(body.pages) + 1))
    assert body.issues == ()
    previous = (0, 0)
    for span in body.spans:
        text = body.pages[span.page - 1].text
        assert 0 <= span.start < span.end <= len(text)
        assert (span.page, span.start) >= previous
        assert body.text(span) == body.text(span).strip()
        previous = (span.page, span.end)
