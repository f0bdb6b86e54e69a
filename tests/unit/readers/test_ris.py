from assistant.corpus.paper import Paper
from assistant.corpus.readers import choose_reader, make_readers
from assistant.corpus.readers.ris import RisReader
from assistant.corpus.readers.text import head_text
from tests.helpers import measured_peak

READER = RisReader()


def test_reads_tags_continuations_and_names(samples, read):
    paper = read(READER, samples / "sample.ris").titled("Dense Retrieval for Systematic Reviews")

    assert paper.authors == ["Jörg Müller", "María García", "Martin King Jr."]
    assert paper.abstract == (
        "We improve recall on five benchmarks. This second line continues the abstract."
    )
    assert paper.year == 2020
    assert paper.venue == "Journal of Retrieval"
    assert paper.doi == "10.1000/jr.2020.123"
    assert paper.url == "https://app.example.org/details/pub.1"  # not the continuation URL
    assert paper.tags == ["retrieval", "embeddings", "reranking"]
    assert paper.citation_key is None  # "ID  - 243" is a record number, not a key
    source = paper.sources[0]
    assert (source.format, source.line, source.path) == (
        "ris",
        2,  # the TY line, after Ovid's "1."
        str((samples / "sample.ris").resolve()),
    )


def test_ovid_style_tags_editors_and_keys(samples, read):
    paper = read(READER, samples / "sample.ris").titled("Sparse and Dense Hybrids")

    assert paper.authors == ["Kim Lee"]  # A2 is an editor
    assert paper.abstract == "An Ovid-style abstract in N2."
    assert paper.year == 2021
    assert paper.venue == "Proceedings of the Retrieval Workshop"  # JF before JA
    assert paper.arxiv_id == "2106.01234"
    assert paper.citation_key == "lee2021sparse"


def test_every_record_is_a_paper_or_an_issue(samples, read):
    result = read(READER, samples / "sample.ris")

    assert [(issue.line, issue.reason) for issue in result.issues] == [(34, "no title")]
    assert [(paper.title, paper.sources[0].line) for paper in result.papers] == [
        ("Dense Retrieval for Systematic Reviews", 2),
        ("Sparse and Dense Hybrids", 22),
        ("Only a Short Title", 39),
        ("Cut Off Before Its End Tag", 45),  # ended by the next TY, not by ER
        ("The File Ends Without ER", 49),
    ]
    short = result.titled("Only a Short Title")
    assert (short.arxiv_id, short.year) == ("2101.00001", 2021)
    assert result.titled("Cut Off Before Its End Tag").authors == ["Lena Last"]
    assert result.titled("The File Ends Without ER").abstract == "The last record has no end tag."


def test_ebsco_export_with_bom_crlf_and_several_abstracts(samples, read):
    result = read(READER, samples / "ebsco_bom_crlf.ris")

    assert result.issues == []
    first, second = result.papers
    assert first.title == "“Living on the edge”: an invented EBSCO record."
    assert first.abstract == "Small rodents live in field margins. 小型啮齿动物。"
    assert first.doi == "10.1000/agee.2016.06.041"  # from L3
    assert first.year == 2016
    assert first.authors == ["Ruth Rodríguez-Pastor"]
    assert (first.sources[0].line, second.sources[0].line) == (1, 18)
    assert second.title == "£330,000 scheme helps reduce flooding."
    assert not second.has_abstract


def test_latin1_file(samples, read):
    paper = read(READER, samples / "latin1.ris").papers[0]

    assert (paper.title, paper.authors) == ("Straßenbahn und Café", ["René Müller"])


def test_sniff(samples):
    assert READER.sniff(head_text(samples / "sample.ris"))
    assert READER.sniff(head_text(samples / "ebsco_bom_crlf.ris"))
    assert READER.sniff("\ufeffTY  - JOUR\r\n")
    assert not READER.sniff(head_text(samples / "sample.bib"))
    assert not READER.sniff("TYPE - JOUR\nTY - JOUR\n")
    for name in ("sample.ris", "ebsco_bom_crlf.ris", "latin1.ris"):
        assert isinstance(choose_reader(samples / name, make_readers()), RisReader)


def test_streams_line_by_line(tmp_path):
    path = tmp_path / "big.ris"
    abstract = "We measure things carefully and report them. " * 100
    with path.open("w") as handle:
        for number in range(500):
            handle.write(f"TY  - JOUR\nTI  - Paper {number}\nAB  - {abstract}\nER  - \n\n")

    count, peak = measured_peak(lambda: sum(isinstance(i, Paper) for i in READER.read(path)))

    assert count == 500
    assert peak < path.stat().st_size / 10  # 2.3 MB file: never held whole
