"""Each client reads the APIs' recorded real answers (replayed by tests/scholarly_server.py)."""

from collections.abc import Iterator

import pytest

from assistant.corpus.paper import Paper
from assistant.errors import ApiError
from assistant.scholarly.clients import Apis
from assistant.scholarly.http import Http
from assistant.scholarly.work import Work
from tests.scholarly_server import Answer, ScholarlyServer


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer().recorded() as running:
        yield running


@pytest.fixture
def apis(server: ScholarlyServer) -> Apis:
    settings = server.settings()
    return Apis.open(settings, Http(settings))


def stub(api: str, key: str, references: tuple[str, ...] | None = None) -> Work:
    """A work known only by its API id (as snowballing holds one)."""
    return Work(api, key, "", Paper(title="stand-in"), references=references)  # type: ignore[arg-type]


def test_openalex_work_by_doi(apis: Apis) -> None:
    work = apis.openalex.by_doi("10.1073/pnas.1414271111")
    assert work is not None
    assert work.key == "W2109415576" and not work.retracted and work.cited_by is not None
    paper = work.paper
    assert paper.title.startswith("Developing functional musculoskeletal tissues")
    assert paper.year == 2014 and paper.doi == "10.1073/pnas.1414271111"
    assert paper.abstract.startswith("Significance The inadequate mechanical properties")
    assert work.references is not None and len(work.references) == 73
    assert all(key.startswith("W") for key in work.references)


def test_openalex_title_search_finds_the_preprint_and_the_published_version(apis: Apis) -> None:
    found = apis.openalex.by_title("Augmenting large language models with chemistry tools")
    published, preprint = found
    assert (published.paper.year, published.paper.doi) == (2024, "10.1038/s42256-024-00832-8")
    assert (preprint.paper.year, preprint.paper.arxiv_id) == (2023, "2304.05376")
    assert preprint.paper.title.startswith("ChemCrow:")


def test_openalex_references_are_fetched_by_id_in_the_citing_works_order(
    server: ScholarlyServer, apis: Apis
) -> None:
    server.add(
        "/openalex/works",
        "openalex/works_title-search_chemistry-tools.json",
        filter="openalex_id:W4365597205|W4396723768",
    )
    work = stub("openalex", "W1", references=("W4365597205", "W4396723768"))
    assert [w.key for w in apis.openalex.references(work, 10)] == ["W4365597205", "W4396723768"]


def test_openalex_citing_a_work_nobody_cites_is_empty(server: ScholarlyServer, apis: Apis) -> None:
    assert apis.openalex.citing(stub("openalex", "W3209445140"), 50) == []
    assert server.hits()[-1].query["filter"] == "cites:W3209445140"


def test_openalex_retraction_flag(server: ScholarlyServer, apis: Apis) -> None:
    server.add(
        "/openalex/works/doi:10.5555/citewise.retracted.2021", "own/openalex_work_retracted.json"
    )
    work = apis.openalex.by_doi("10.5555/citewise.retracted.2021")
    assert work is not None and work.retracted and work.as_paper().retracted


def test_crossref_jats_abstract_and_markup_in_the_title(apis: Apis) -> None:
    work = apis.crossref.by_doi("10.1136/jclinpath-2020-206745")
    assert work is not None
    paper = work.paper
    assert paper.title == (
        "Construction of a reference material panel for detecting KRAS / NRAS / EGFR / BRAF / "
        "MET mutations in plasma ctDNA"
    )
    assert paper.abstract.startswith("Background: The absence of high-quality next-generation")
    assert "<" not in paper.abstract and "Objective: " in paper.abstract
    assert paper.year == 2020 and paper.authors[:2] == ["Jun Xu", "Shoufang Qu"]
    assert paper.venue == "Journal of Clinical Pathology"


def test_crossref_a_correction_is_not_a_retraction(apis: Apis, server: ScholarlyServer) -> None:
    corrected = apis.crossref.by_doi("10.1371/journal.pone.0033693")
    assert corrected is not None and not corrected.retracted and corrected.paper.abstract == ""
    server.add(
        "/crossref/works/10.5555/citewise.retracted.2021", "own/crossref_work_retracted.json"
    )
    retracted = apis.crossref.by_doi("10.5555/citewise.retracted.2021")
    assert retracted is not None and retracted.retracted
    assert retracted.paper.authors == ["Ada Example", "The Sample Consortium"]


def test_crossref_query(apis: Apis) -> None:
    works = apis.crossref.search("widget", 20)
    assert len(works) == 20 and works[0].paper.title == "Widget Mania: Using a GUI Widget Framework"
    assert apis.crossref.by_arxiv("2304.05376") is None  # arXiv DOIs are DataCite's


def test_semantic_scholar_paper_match_and_search(apis: Apis) -> None:
    paper = apis.semanticscholar.by_doi("10.1093/mind/lix.236.433")
    assert paper is not None and paper.paper.title == "Computing Machinery and Intelligence"
    match = apis.semanticscholar.by_title("mining association rules between")
    assert [w.paper.title for w in match] == [
        "Mining association rules between sets of items in large databases"
    ]
    assert len(apis.semanticscholar.search("turing", 100)) == 100


def test_semantic_scholar_references_and_citations_page_on(
    server: ScholarlyServer, apis: Apis
) -> None:
    references = apis.semanticscholar.references(
        stub("semanticscholar", "10.2139/ssrn.2250500"), 200
    )
    offsets = [r.query["offset"] for r in server.hits("/s2/paper/10.2139")]
    assert offsets == ["0", "50"]  # two pages, the second without "next"
    assert len(references) == 44  # 67 references, 23 of them unresolved (no paperId)
    citing = apis.semanticscholar.citing(stub("semanticscholar", "CorpusID:14514057"), 150)
    assert len(citing) == 150 and len({w.key for w in citing}) == 150


def test_arxiv_ids_old_and_new_and_a_query(apis: Apis) -> None:
    new = apis.arxiv.by_arxiv("1707.08567")
    old = apis.arxiv.by_arxiv("astro-ph/0601001")
    assert new is not None and new.key == "1707.08567" and new.paper.abstract
    assert old is not None and old.key == "astro-ph/0601001"
    assert len(apis.arxiv.search("testing", 10)) == 10
    assert apis.arxiv.by_doi("10.1038/s42256-024-00832-8") is None  # no DOI search in arXiv


def test_arxiv_error_entry_is_an_error(apis: Apis) -> None:
    with pytest.raises(ApiError, match="arXiv: incorrect id format for abc"):
        apis.arxiv.by_arxiv("abc")


def test_an_arxiv_feed_with_a_doctype_is_refused(server: ScholarlyServer, apis: Apis) -> None:
    server.fail(
        Answer(b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x "y">]><feed/>'), prefix="/arxiv"
    )
    with pytest.raises(ApiError, match="DOCTYPE"):
        apis.arxiv.by_arxiv("1707.08567")
