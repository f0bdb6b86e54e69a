"""Full text from a reference manager's PDFs: Zotero's attachments (the real Zotero 7 database
in tests/data/fixtures, laid out as a data directory in tmp_path with vendored PDFs where its
attachment rows point) and the ``file`` field of BibTeX entries (JabRef's real export, and
entries written here as JabRef, Better BibTeX and Mendeley write them)."""

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assistant.corpus.paper import Paper
from assistant.corpus.readers import ReadIssue
from assistant.corpus.readers.attachments import bibtex_pdfs
from assistant.corpus.readers.bibtex import BibtexReader
from assistant.corpus.readers.pdf import read_pdf
from assistant.corpus.readers.zotero import ZoteroReader

DATA = Path(__file__).parents[2] / "data"
PDFS = DATA / "pdf"
GRAPH = PDFS / "doc2json_naacl2018-N18-3011_literature-graph_two-column.pdf"
BMC = PDFS / "cermine_bmc-hsr2014_malawi-quality-improvement_biomed.pdf"
PEERJ = PDFS / "cermine_peerjcs2017_vespa_sidebar-layout.pdf"
PLOS = PDFS / "scienceparse_plosone2018_wheat-heat-stress_biomed.pdf"

# The attachment rows of zotero7.sqlite: (parent itemID, attachment key, path) as stored.
KADERABKOVA = (
    2,
    "HZU3HNL8",
    "Kadeřábková et al. - 2024 - Antibiotic susceptibility testing "
    "using minimum inhibitory concentration (MIC) assays.pdf",
)
CLARK = (
    4,
    "IH63W7H3",
    "Clark et al. - 2003 - Survival Analysis Part I Basic concepts and first analyses.pdf",
)
CUSACK = 9
PESTIAUX = (
    18,
    "4MRFMD68",
    "Pestiaux et al. - 2024 - X-ray-Based 3D Histology of Murine Hearts "
    "Using Contrast-Enhanced Microfocus Computed Tomography (CE.pdf",
)


def split(items: list[object]) -> tuple[dict[int, Paper], list[ReadIssue]]:
    """Papers by their Zotero item id (or BibTeX line), and the issues."""
    papers = {}
    for item in items:
        if isinstance(item, Paper):
            where = item.sources[0]
            papers[where.record or where.line or 0] = item
    return papers, [item for item in items if isinstance(item, ReadIssue)]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A Zotero data directory: the real database, and two of its five PDFs in storage/ (the
    vendored papers stand in for the real ones, which are not open)."""
    directory = tmp_path / "Zotero"
    directory.mkdir()
    shutil.copyfile(DATA / "fixtures" / "zotero7.sqlite", directory / "zotero.sqlite")
    for (_, key, name), pdf in ((KADERABKOVA, GRAPH), (PESTIAUX, BMC)):
        (directory / "storage" / key).mkdir(parents=True)
        shutil.copyfile(pdf, directory / "storage" / key / name)
    return directory


def test_each_item_gets_the_full_text_of_its_pdf(data_dir):
    papers, issues = split(list(ZoteroReader(pdf=read_pdf).read(data_dir / "zotero.sqlite")))
    plain, _ = split(list(ZoteroReader().read(data_dir / "zotero.sqlite")))

    assert len(papers) == 14
    kaderabkova, pestiaux = papers[KADERABKOVA[0]], papers[PESTIAUX[0]]
    assert kaderabkova.body is not None and len(kaderabkova.body.pages) == 8
    assert pestiaux.body is not None and len(pestiaux.body.pages) == 10
    # The item's own metadata wins over what the PDF says; a missing abstract is filled in.
    assert kaderabkova.model_copy(update={"body": None, "pdf": None, "abstract": ""}) == plain[2]
    assert kaderabkova.abstract.startswith("We describe a deployed scalable system")
    assert pestiaux.model_copy(update={"body": None, "pdf": None}) == plain[18]
    assert pestiaux.abstract == plain[18].abstract
    # The other three PDFs are not in storage/: each is a caveat on its item.
    assert sorted(issue.record for issue in issues) == [4, 9, 20]
    assert all("is missing; the record is kept without its text" in i.reason for i in issues)
    assert sum(paper.body is not None for paper in papers.values()) == 2


def test_linked_files_and_files_relative_to_the_base_directory(data_dir, tmp_path):
    linked = tmp_path / "elsewhere" / "cusack.pdf"
    linked.parent.mkdir()
    shutil.copyfile(PEERJ, linked)
    with closing(sqlite3.connect(data_dir / "zotero.sqlite")) as db:
        db.execute(
            "UPDATE itemAttachments SET linkMode = 2, path = ? WHERE parentItemID = ?",
            (str(linked), CUSACK),
        )
        db.execute(
            "UPDATE itemAttachments SET linkMode = 2, path = ? WHERE parentItemID = ?",
            ("attachments:Papers/Clark 2003.pdf", CLARK[0]),
        )
        db.commit()

    papers, issues = split(list(ZoteroReader(pdf=read_pdf).read(data_dir / "zotero.sqlite")))

    assert papers[CUSACK].body is not None and len(papers[CUSACK].body.pages) == 16
    assert papers[CLARK[0]].body is None
    clark = next(issue for issue in issues if issue.record == CLARK[0])
    assert "linked relative to the base directory set in Zotero's preferences" in clark.reason


def test_a_database_away_from_its_data_directory_says_so_once(tmp_path):
    lone = tmp_path / "zotero.sqlite"
    shutil.copyfile(DATA / "fixtures" / "zotero7.sqlite", lone)

    papers, issues = split(list(ZoteroReader(pdf=read_pdf).read(lone)))

    assert len(papers) == 14 and all(paper.body is None for paper in papers.values())
    assert [issue.reason for issue in issues] == [
        "5 items have PDFs in Zotero's storage, but there is no storage/ folder beside the "
        "database: their full text is not read"
    ]


def test_a_damaged_attachment_costs_only_its_text(data_dir):
    _, key, name = KADERABKOVA
    (data_dir / "storage" / key / name).write_bytes(b"%PDF-1.4\n(cut short")

    papers, issues = split(list(ZoteroReader(pdf=read_pdf).read(data_dir / "zotero.sqlite")))

    assert papers[KADERABKOVA[0]].body is None
    reason = next(issue.reason for issue in issues if issue.record == KADERABKOVA[0])
    assert "cannot be read: " in reason and "damaged or truncated" in reason


BIB = """\
@article{ammar2018,
  title = {Construction of the Literature Graph in Semantic Scholar},
  author = {Ammar, Waleed and Groeneveld, Dirk},
  year = {2018},
  file = {:papers/graph.pdf:PDF},
}

@article{thomason2018,
  title = {Comparative physiological and metabolomics analysis of wheat},
  abstract = {Our own abstract, kept.},
  file = {Full Text PDF:{PLOS}:application/pdf},
}

@article{agyeman2014,
  title = {Understanding the barriers to setting up a healthcare quality improvement process},
  file = {Snapshot:files/7/snapshot.html:text/html;Full Text:files/8/bmc.pdf:application/pdf},
}

@article{webb2017,
  title = {VESPA: Very large-scale Evolutionary and Selective Pressure Analyses},
  file = {:C$\\backslash$:/Users/mj/AppData/Local/Mendeley Ltd./Downloaded/Webb - VESPA.pdf:pdf},
}
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A .bib file with its PDFs: relative (JabRef), absolute (Better BibTeX), several files
    (Zotero's export), and a Windows path from Mendeley that is not here."""
    folder = tmp_path / "library"
    (folder / "papers").mkdir(parents=True)
    (folder / "files" / "8").mkdir(parents=True)
    shutil.copyfile(GRAPH, folder / "papers" / "graph.pdf")
    shutil.copyfile(BMC, folder / "files" / "8" / "bmc.pdf")
    shutil.copyfile(PLOS, tmp_path / "plos.pdf")
    bib = folder / "refs.bib"
    bib.write_text(BIB.replace("{PLOS}", str(tmp_path / "plos.pdf")), encoding="utf-8")
    return bib


def test_bibtex_entries_get_the_full_text_of_their_file(library):
    papers, issues = split(list(BibtexReader(pdf=read_pdf).read(library)))
    plain, _ = split(list(BibtexReader().read(library)))

    by_key = {paper.citation_key: paper for paper in papers.values()}
    assert by_key["ammar2018"].body is not None and len(by_key["ammar2018"].body.pages) == 8
    assert by_key["agyeman2014"].body is not None and len(by_key["agyeman2014"].body.pages) == 10
    plos = by_key["thomason2018"]
    assert plos.body is not None and plos.abstract == "Our own abstract, kept."
    assert plos.title == "Comparative physiological and metabolomics analysis of wheat"
    # The Mendeley entry's PDF is on someone's Windows disk: a caveat, the entry kept.
    assert by_key["webb2017"].body is None
    webb = 1 + BIB.splitlines().index("@article{webb2017,")
    assert [(issue.line, issue.reason.split(" is missing")[1]) for issue in issues] == [
        (webb, "; the record is kept without its text")
    ]
    for line, paper in papers.items():
        assert (
            paper.model_copy(update={"body": None, "pdf": None, "abstract": plain[line].abstract})
            == plain[line]
        )


AZIZ_DRAFT = (
    "Aziz2009256-ChannelNeuralRecordingandDeltaCompressionMicrosystemWith3DElectrodesIEEE"
    "JOURNALOFSOLID-STATECIRCUITS_draft.pdf"
)


def test_jabrefs_own_file_fields(tmp_path):
    """The real JabRef library names three local PDFs, relative and in Windows form
    (``Draft:JabRef\\\\Aziz..._draft.pdf:PDF;...``), and links 33 others to arXiv
    (``:http\\://arxiv.org/pdf/...:PDF``), which are never fetched. One of the three is put
    where its entry says; the other two are missing."""
    bib = tmp_path / "testjabref.bib"
    shutil.copyfile(DATA / "fixtures" / "jabref_testjabref.bib", bib)
    (tmp_path / "JabRef").mkdir()
    shutil.copyfile(GRAPH, tmp_path / "JabRef" / AZIZ_DRAFT)

    papers, issues = split(list(BibtexReader(pdf=read_pdf).read(bib)))
    plain, plain_issues = split(list(BibtexReader().read(bib)))

    assert papers.keys() == plain.keys()
    aziz = papers[4]
    assert aziz.body is not None and len(aziz.body.pages) == 8
    assert aziz.title.startswith("256-Channel Neural Recording and Delta Compression")
    missing = [issue for issue in issues if issue not in plain_issues]
    assert [issue.line for issue in missing] == [78, 103]
    assert all("JabRef/" in issue.reason and "is missing" in issue.reason for issue in missing)
    assert sum(paper.body is not None for paper in papers.values()) == 1


@pytest.mark.parametrize(
    ("field", "found"),
    [
        (":papers/x.pdf:PDF", ["/lib/papers/x.pdf"]),  # JabRef
        ("Full Text PDF:/abs/x.pdf:application/pdf", ["/abs/x.pdf"]),  # Zotero, Better BibTeX
        ("/abs/y.pdf", ["/abs/y.pdf"]),  # Better BibTeX, bare
        ("A:a.html:text/html;B:b.pdf:application/pdf", ["/lib/b.pdf"]),  # several
        (r":C$\backslash$:/Users/me/18{\_}21.pdf:pdf", ["/lib/C:/Users/me/18_21.pdf"]),  # Mendeley
        (r"Notes \: draft:papers/x\_y.pdf:PDF", ["/lib/papers/x_y.pdf"]),  # escaped colon
        (r"Draft:JabRef\\x_draft.pdf:PDF", ["/lib/JabRef/x_draft.pdf"]),  # JabRef on Windows
        (r":http\://arxiv.org/pdf/2003.05580v3:PDF", []),  # a link
        ("MetricFF", []),  # not a PDF
    ],
)
def test_file_fields(field, found):
    assert [str(path) for path in bibtex_pdfs(field, Path("/lib"))] == found
