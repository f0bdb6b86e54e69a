"""PDFs that cannot be read whole: a clear message for the file, or for the page, never a
traceback. Real files where one exists (tests/data/pdf), written ones (tests/pdfs.py) where none
may be vendored: a scan, an owner password, an unloadable page, no pages, a thousand pages."""

from pathlib import Path

import pytest

from assistant.corpus.paper import Paper
from assistant.corpus.readers import ReadIssue, choose_reader, make_readers
from assistant.corpus.readers.pdf import PdfReader, file_sha256, read_pdf
from assistant.errors import InputError
from tests import pdfs

PDFS = Path(__file__).parents[2] / "data" / "pdf"
S2ORC = PDFS / "papermage_acl2020-main-447_s2orc_two-column.pdf"
ZEN = PDFS / "pdfminer_damaged_zlib-corrupted-stream.pdf"
PASSWORD = PDFS / "unstructured_encrypted-user-password.pdf"


def read_all(path: Path) -> tuple[list[Paper], list[ReadIssue]]:
    items = list(PdfReader().read(path))
    papers = [item for item in items if isinstance(item, Paper)]
    return papers, [item for item in items if isinstance(item, ReadIssue)]


def test_a_password_protected_pdf_is_a_clear_message():
    with pytest.raises(InputError, match="encrypted: it needs a password") as error:
        read_pdf(PASSWORD)

    assert error.value.hint and "unprotected copy" in error.value.hint


def test_an_owner_password_alone_does_not_stop_reading(tmp_path):
    path = pdfs.owner_password_pdf(tmp_path / "locked.pdf", ["Readable despite its owner"])

    assert b"/Encrypt" in path.read_bytes()
    assert read_pdf(path).body.pages[0].text == "Readable despite its owner"


def test_a_scan_without_a_text_layer_is_a_clear_message(tmp_path):
    path = pdfs.image_only_pdf(tmp_path / "scan.pdf")

    with pytest.raises(InputError, match="no text layer") as error:
        read_pdf(path)
    assert error.value.hint and "OCR" in error.value.hint


def test_an_ocr_text_layer_is_read_with_a_caveat(tmp_path):
    path = pdfs.ocr_pdf(tmp_path / "scanned.pdf", ["Recognised words of a scanned page,", "read."])

    papers, issues = read_all(path)

    body = papers[0].body
    assert body is not None
    assert body.pages[0].text == "Recognised words of a scanned page, read."
    assert "the text layer looks like OCR of scanned pages: expect misread words" in [
        issue.reason for issue in issues
    ]


@pytest.mark.parametrize("share", [0.1, 0.5, 0.95])
def test_a_truncated_pdf_is_a_clear_message(tmp_path, share):
    data = S2ORC.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * share)])

    with pytest.raises(InputError, match="damaged or truncated"):
        read_pdf(path)


def test_a_damaged_stream_is_read_as_far_as_it_goes():
    """pdfminer's corrupted zlib stream: the page rotated to landscape, the text recovered.
    Its metadata title is a file name and its page has none: the PDF's own name stands in."""
    papers, issues = read_all(ZEN)

    assert papers[0].title == "pdfminer_damaged_zlib-corrupted-stream"
    assert [issue.reason for issue in issues] == [
        "no title found on the first page or in the metadata; the file name is used"
    ]
    body = papers[0].body
    assert body is not None
    text = body.pages[0].text
    assert "Beautiful is better than ugly. Explicit is better than implicit." in text
    assert "Namespaces are one honking great idea" in text


def test_a_pdf_with_no_pages_is_a_clear_message(tmp_path):
    with pytest.raises(InputError, match="no pages"):
        read_pdf(pdfs.zero_page_pdf(tmp_path / "empty.pdf"))


def test_a_page_that_fails_costs_only_that_page(tmp_path):
    path = pdfs.text_pdf(
        tmp_path / "report.pdf",
        [["The first page is fine."], ["The second page is lost."], ["The third page is fine."]],
        title="A report whose second page is broken",
    )
    pdfs.unloadable_page(path, 2)

    papers, issues = read_all(path)

    body = papers[0].body
    assert body is not None
    assert [page.text for page in body.pages] == [
        "The first page is fine.",
        "",
        "The third page is fine.",
    ]
    assert body.issues == ("page 2: could not be loaded (Failed to load page.)",)
    assert [issue.reason for issue in issues] == list(body.issues)


def test_a_page_of_page_numbers_alone(tmp_path):
    path = pdfs.text_pdf(tmp_path / "numbers.pdf", [["1"], ["2"]])

    read = read_pdf(path)

    assert [page.text for page in read.body.pages] == ["", ""]
    assert (read.body.spans, read.identity.title) == ((), "numbers")


def test_a_page_without_text_is_reported(tmp_path):
    path = pdfs.text_pdf(tmp_path / "gap.pdf", [["Some text on the first page."], []])

    assert read_pdf(path).body.issues == ("page 2: no text on it (a figure, or a scanned page?)",)


def test_a_file_named_pdf_that_is_not_one(tmp_path):
    page = tmp_path / "paper.pdf"
    page.write_text("<!DOCTYPE html><html><body>Access denied</body></html>\n")

    with pytest.raises(InputError, match=r"named \.pdf but not a PDF"):
        choose_reader(page, make_readers())
    with pytest.raises(InputError, match="not a PDF"):
        read_pdf(page)


def test_no_title_on_the_first_page_falls_back_on_the_metadata_then_the_file_name(tmp_path):
    lines = ["12 34 56", "78 90 12"]  # nothing that could be a title
    titled = pdfs.text_pdf(tmp_path / "titled.pdf", [lines], title="A Title Kept in Metadata")
    bare = pdfs.text_pdf(tmp_path / "scan_0042.pdf", [lines])

    papers, issues = read_all(titled)
    assert papers[0].title == "A Title Kept in Metadata"
    assert [issue.reason for issue in issues] == [
        "no title found on the first page; the PDF's metadata title is used"
    ]
    papers, issues = read_all(bare)
    assert papers[0].title == "scan_0042"
    assert "the file name is used" in issues[0].reason


def test_junk_metadata_titles_are_ignored(tmp_path):
    title = "An Honest Title Printed on the Page"
    for junk in ("Microsoft Word - draft3.doc", "6489122611071476 1..10", "untitled"):
        path = pdfs.paper_pdf(tmp_path / "paper.pdf", title, ["Body text."], meta_title=junk)
        read = read_pdf(path)
        assert (read.identity.title, read.caveats) == (title, [])


def test_a_plausible_metadata_title_printed_on_the_page_wins(tmp_path):
    path = pdfs.paper_pdf(
        tmp_path / "paper.pdf",
        "Deep Nets for",  # broken over two lines on the page
        ["Reading Papers", "", "Body text."],
        meta_title="Deep Nets for Reading Papers",
    )

    assert read_pdf(path).identity.title == "Deep Nets for Reading Papers"


def test_a_thousand_pages_are_read_page_by_page(tmp_path):
    pages = [
        [
            f"The Long Report, page {n}",
            "",
            f"Chapter {n:x} begins here.",
            f"Marker {n:04d} ends it.",
        ]
        for n in range(1, 1001)
    ]
    path = pdfs.text_pdf(tmp_path / "long.pdf", pages)

    body = read_pdf(path).body

    assert len(body.pages) == 1000
    # The first line of each page, the same but for its number, is a running header.
    assert body.pages[999].text == "Chapter 3e8 begins here. Marker 1000 ends it."
    assert body.pages[499].text == "Chapter 1f4 begins here. Marker 0500 ends it."
    assert body.sha256 == file_sha256(path)
