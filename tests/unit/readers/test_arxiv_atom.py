import pytest

from assistant.corpus.readers.arxiv_atom import ArxivAtomReader
from assistant.errors import InputError

READER = ArxivAtomReader()

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol2;</title></entry></feed>
"""


def test_reads_entry_fields(samples, read):
    result = read(READER, samples / "sample.atom.xml")

    paper = result.titled("Hybrid Retrieval for Literature Reviews")  # line break collapsed
    assert paper.arxiv_id == "2401.00001"
    assert paper.abstract == "We combine BM25 and dense retrieval."
    assert paper.authors == ["Jane Doe", "Richard Roe"]
    assert paper.year == 2024  # published, not updated
    assert paper.doi == "10.1000/hyb.1"  # the first of two DOIs
    assert paper.venue == "J. Hybrid Search 1 (2024) 1-10"
    assert paper.url == "https://arxiv.org/abs/2401.00001v2"
    assert paper.tags == ["cs.IR", "cs.CL"]
    assert (paper.sources[0].format, paper.sources[0].record) == ("arxiv", 1)


def test_old_style_ids_and_api_errors(samples, read):
    result = read(READER, samples / "sample.atom.xml")

    old = result.titled("An old-style identifier")
    assert (old.arxiv_id, old.year, old.url) == (
        "hep-th/9901001",
        1999,
        "http://arxiv.org/abs/hep-th/9901001v1",
    )
    (issue,) = result.issues
    assert (issue.record, issue.reason) == (2, "arXiv API error: incorrect id format for 1234")


def test_malformed_xml_keeps_entries_read_before_the_error(samples, read):
    result = read(READER, samples / "broken.atom.xml")

    assert [paper.title for paper in result.papers] == ["Read before the error"]
    (issue,) = result.issues
    assert issue.line == 12
    assert issue.reason.startswith("malformed XML")


def test_doctype_and_entities_are_refused(tmp_path):
    path = tmp_path / "lol.xml"
    path.write_text(BILLION_LAUGHS)

    with pytest.raises(InputError, match="DOCTYPE"):
        list(READER.read(path))


def test_doctype_in_utf16_is_refused_too(tmp_path):
    path = tmp_path / "lol16.xml"
    path.write_bytes(BILLION_LAUGHS.replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16"))

    with pytest.raises(InputError, match="DOCTYPE"):
        list(READER.read(path))


def test_xml_that_is_not_a_feed_is_refused(tmp_path):
    path = tmp_path / "article.xml"
    path.write_text("<article><title>JATS, not Atom</title></article>")

    with pytest.raises(InputError, match="not an Atom feed"):
        list(READER.read(path))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>http://arxiv.org/api/x',
            True,
        ),
        ('<feed xmlns="http://www.w3.org/2005/Atom"><id>https://example.org/blog</id>', False),
        ('{"body": "<feed xmlns=\\"http://www.w3.org/2005/Atom\\"> arxiv.org"}', False),
    ],
)
def test_sniff(head, expected):
    assert READER.sniff(head) is expected


def test_real_2016_feed(fixtures, read):
    result = read(READER, fixtures / "arxivpy_2016_search_au-del_maestro.atom.xml")

    papers = result.papers
    assert len(papers) == 10 and not result.issues
    assert all(paper.has_abstract and paper.doi and paper.venue for paper in papers)
    first = papers[0]
    assert first.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert first.arxiv_id == "1201.4869"
    assert first.doi == "10.1142/s021797921244002x"
    assert first.venue == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert first.abstract.startswith("As helium-4 is cooled below 2.17 K it undergoes")
    assert "cond-mat/0412498" in {paper.arxiv_id for paper in papers}


def test_real_2026_feed(fixtures, read):
    result = read(READER, fixtures / "arxivpy_2026_q_testing_s0_m10.body-extracted.atom.xml")

    papers = result.papers
    assert len(papers) == 10 and not result.issues
    assert sum(paper.doi is not None for paper in papers) == 6
    first = papers[0]
    assert first.title == (
        "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert first.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert (first.arxiv_id, first.year, first.doi) == (
        "2202.12139",
        2022,
        "10.1109/icstw55395.2022.00035",
    )
    assert first.tags == ["cs.SE", "cs.LG"]
