import codecs
import re

from assistant.corpus.paper import Paper
from assistant.corpus.readers import bibtex, choose_reader, make_readers
from assistant.corpus.readers.bibtex import BibtexReader, latex
from assistant.corpus.readers.text import head_text
from tests.helpers import measured_peak

READER = BibtexReader()
ENTRY_LINE = re.compile(r"^\s*@\s*(?!comment|string|preamble)[a-z][\w-]*\s*[({]", re.I | re.M)


def test_decodes_accents_math_and_bare_percent_signs(samples, read):
    paper = read(READER, samples / "sample.bib").titled(
        "Dense Retrieval for BERT-based Systematic Reviews: α-tuning in O(n^2) time"
    )

    assert paper.authors == ["Jörg Müller", "María García", "Jean François", "Anna Straße"]
    assert paper.abstract == (
        "We improve recall by 12% on five benchmarks & reduce cost — see the appendix."
    )
    assert paper.year == 2020
    assert paper.venue == "Journal of Retrieval"
    assert paper.doi == "10.1000/jr.2020.123"
    assert paper.citation_key == "muller2020dense"
    assert paper.tags == ["retrieval", "embeddings"]
    source = paper.sources[0]
    assert (source.format, source.line, source.path) == (
        "bibtex",
        4,
        str((samples / "sample.bib").resolve()),
    )


def test_organisations_arxiv_eprints_and_escaped_urls(samples, read):
    result = read(READER, samples / "sample.bib")

    hybrid = result.titled("Sparse and Dense Hybrids")
    assert hybrid.authors == ["Kim Lee", "World Health Organization", "Barnes and Noble"]
    assert hybrid.year == 2021  # from date
    assert hybrid.venue == "Proceedings of the Retrieval Workshop"
    assert hybrid.arxiv_id == "2106.01234"
    assert hybrid.url == "https://example.org/papers/lee_2021.pdf"
    assert hybrid.tags == ["hybrid", "to-read"]

    scholar = result.titled("A Preprint Seen Through Google Scholar")
    assert scholar.arxiv_id == "2101.00001"  # "arXiv preprint arXiv:2101.00001" in journal
    assert scholar.authors == ["Jane Smith", "John Doe"]  # "and others" dropped


def test_broken_entry_is_reported_with_its_line_and_the_rest_are_read(samples, read):
    result = read(READER, samples / "sample.bib")

    assert [(issue.line, issue.reason) for issue in result.issues] == [
        (33, "malformed @article 'broken2019': missing closing '}' (line 37)"),
        (44, "no title in @article 'notitle2017'"),
    ]
    assert [paper.citation_key for paper in result.papers] == [
        "muller2020dense",
        "lee2021sparse",
        "scholar2021",
        "after_broken",
        "scopus2020",
    ]
    assert result.titled("Read Despite the Broken Entry Before It").sources[0].line == 39


def test_scopus_spaced_field_name_and_a_forgotten_comma(samples, read):
    paper = read(READER, samples / "sample.bib").titled("Scopus Writes Field Names With Spaces")

    assert paper.year == 2020
    assert paper.doi == "10.1000/scopus.2020"  # after "year={2020}" with no comma
    assert paper.authors == ["L. Cui", "W. Li"]


def test_macros_concatenation_parentheses_and_skipped_blocks(samples, read):
    result = read(READER, samples / "tricky.bib")

    assert result.issues == []
    titles = {paper.title for paper in result.papers}
    assert not titles & {"In a preamble", "Commented out"}
    paren = result.titled("Entries Delimited by Parentheses")
    assert paren.venue == "Proceedings of ACM Press Workshop"  # @string in @string, and #
    assert paren.year == 2001
    assert paren.authors == ["Alan Parenthesis", "Bea Braces"]
    orphan = result.titled("Its Parent Is Missing")
    assert orphan.venue == "UNDEFINEDMACRO 2019"  # undefined macro kept by name


def test_crossref_parents_lend_fields_in_either_order(samples, read):
    result = read(READER, samples / "tricky.bib")

    child = result.titled("A Child Paper")  # its @proceedings parent comes later in the file
    assert child.venue == "Proceedings of the Conference on Tricky Files"
    assert child.year == 2020
    assert child.doi is None  # the proceedings' DOI is not the paper's
    aliases = [p for p in result.papers if p.title == "The Target Has the Title"]
    assert sorted(p.citation_key or "" for p in aliases) == ["alias2012", "target2012"]
    assert {p.venue for p in aliases} == {"Journal of Aliases"}


def test_odd_layouts_inside_and_between_entries(samples, read):
    result = read(READER, samples / "tricky.bib")

    percent = result.titled("Comments Inside an Entry")
    assert percent.year == 2015  # the "% year = {1999}," line is a comment
    assert percent.abstract.endswith("@Home is a dataset, not an entry.")
    assert result.titled("First on the Line").sources[0].line == 54
    assert result.titled("Second on the Line").sources[0].line == 54
    assert result.titled("An Entry Without a Key").citation_key is None
    nested = result.titled("The RNA World: α-Helices, In Vivo, and More")
    assert nested.authors == ["Ayşe Öztürk", "John von Neumann Jr"]
    assert len(result.papers) == 11  # @set is a grouping, not a paper


def test_latin1_and_bom_files(samples, read, tmp_path):
    paper = read(READER, samples / "latin1.bib").papers[0]
    assert (paper.title, paper.authors) == ("Straßenbahn und Café", ["René Müller"])

    path = tmp_path / "bom.bib"
    path.write_bytes(codecs.BOM_UTF8 + b"@book{k,\r\n  title = {Caf\xc3\xa9},\r\n}\r\n")
    paper = read(READER, path).papers[0]
    assert (paper.title, paper.citation_key, paper.sources[0].line) == ("Café", "k", 1)


def test_better_biblatex_export(fixtures, read):
    result = read(READER, fixtures / "bbt_better-biblatex-export_arxiv_2163.bib")

    assert (len(result.papers), result.issues) == (12, [])
    assert sum(paper.has_abstract for paper in result.papers) == 11
    assert sum(paper.arxiv_id is not None for paper in result.papers) == 5
    paper = result.titled(
        "Delving Deep into Rectifiers: "
        "Surpassing Human-Level Performance on ImageNet Classification"
    )
    assert paper.citation_key == "_preprinthe_delving_deep_into_rectifiers_2015"
    assert (paper.arxiv_id, paper.year) == ("1502.01852", 2015)
    assert paper.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]


def test_jabref_library(fixtures, read):
    result = read(READER, fixtures / "jabref_testjabref.bib")

    assert (len(result.papers), result.issues) == (156, [])
    by_key = {paper.citation_key: paper for paper in result.papers}
    assert by_key["Liu2020a"].authors[-1] == "Joacim Rocklöv"  # Rockl{\"o}v
    assert by_key["Prokhorov2020"].authors[0] == "G. Yu. Prokhorov"  # {\relax Yu}.
    assert by_key["Osetrin2020"].title == (
        "Spatially homogeneous models of Stäckel spacetimes of type (2.1)"
    )
    assert by_key["Lu2020"].title == "Horndeski Gravity as D→4 Limit of Gauss-Bonnet"
    assert by_key["Chaurasia2020"].arxiv_id == "2003.11901"
    assert by_key["Chaurasia2020"].tags == ["Covid subgroup"]  # JabRef groups


def test_mendeley_export(fixtures, read):
    result = read(READER, fixtures / "bbt_mendeley-export.bib")

    assert (len(result.papers), result.issues) == (512, [])
    assert sum(paper.citation_key is None for paper in result.papers) == 37  # "@article{,"
    black = next(paper for paper in result.papers if paper.citation_key == "Black2020")
    assert black.doi == "10.1037/ppm0000281"
    assert black.venue == "Psychology of Popular Media"
    assert black.abstract.startswith("The purpose of this research was to investigate")


def test_paren_entries_macros_and_crossref_file(fixtures, read):
    result = read(READER, fixtures / "tricky_bbt_paren-entries-macros-crossref_873.bib")

    assert len(result.papers) == 987
    assert [(issue.line, "'Thiebaux:93'" in issue.reason) for issue in result.issues] == [
        (6523, True)  # AUTHOR = {Sylvie Thi\{'ebaux ...}: an unbalanced brace
    ]
    by_key = {paper.citation_key: paper for paper in result.papers}
    assert by_key["Biermann:75"].title == "Approaches to automatic programming"
    assert by_key["McDermott:72"].authors == ["MCDERMOTT", "Gerald J. Sussman"]
    alias = by_key["NguyenETAL:DiversityAIJ"]  # only a crossref to an @Article
    assert alias.title.startswith("Generating diverse plans to handle unknown")
    assert alias.doi == "10.1016/j.artint.2012.05.005"


def test_every_fixture_entry_is_a_paper_or_an_issue_and_titles_are_plain(fixtures, read):
    for path in sorted(fixtures.glob("*.bib")):
        result = read(READER, path)
        entries = len(ENTRY_LINE.findall(path.read_text(encoding="utf-8")))
        assert len(result.papers) + len(result.issues) == entries, path.name
        for paper in result.papers:
            assert not re.search(r"[\\{}$]", paper.title), (path.name, paper.title)


def test_latex_never_raises_and_keeps_plain_text():
    assert latex(r"{\"O}zt{\"u}rk -- 50% \& \TeX{} \texttt{code}") == "Öztürk – 50% & TeX code"
    assert latex("\\frac{") is not None
    assert latex("{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{") == ""


def test_runaway_entry_is_skipped_and_reading_resumes(tmp_path, read, monkeypatch):
    monkeypatch.setattr(bibtex, "MAX_ENTRY_CHARS", 1000)
    path = tmp_path / "runaway.bib"
    path.write_text(
        "@article{runaway,\n  abstract = {" + "x " * 2000 + "\n@book{ok, title = {Fine}}\n"
    )

    result = read(READER, path)

    assert [paper.title for paper in result.papers] == ["Fine"]
    assert [(issue.line, "over 1000 characters" in issue.reason) for issue in result.issues] == [
        (1, True)
    ]


def test_streams_entry_by_entry(tmp_path):
    path = tmp_path / "big.bib"
    abstract = "We measure things carefully and report them. " * 100
    with path.open("w") as handle:
        for number in range(500):
            handle.write(f"@article{{k{number},\n  title = {{Paper {number}}},\n")
            handle.write(f"  abstract = {{{abstract}}},\n}}\n\n")

    count, peak = measured_peak(lambda: sum(isinstance(i, Paper) for i in READER.read(path)))

    assert count == 500
    assert peak < path.stat().st_size / 10  # 2.3 MB file: never held whole


def test_sniff(samples):
    assert READER.sniff(head_text(samples / "tricky.bib"))
    assert READER.sniff("% comment\n  @Article(key,\n")
    assert not READER.sniff(head_text(samples / "sample.ris"))
    assert not READER.sniff("mail me at someone@example.org {today}")
    for name in ("sample.bib", "tricky.bib", "latin1.bib"):
        assert isinstance(choose_reader(samples / name, make_readers()), BibtexReader)
