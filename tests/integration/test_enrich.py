"""Enrichment through the replay server: the vendored Zotero 7 database, provenance, never
overwriting, re-embedding, idempotence, surviving a re-ingest, retractions, failures."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.corpus.paper import Paper
from assistant.errors import ApiUnreachable
from assistant.library import Library
from assistant.scholarly.cache import ResponseCache
from assistant.scholarly.clients import Apis
from assistant.scholarly.enrich import enrich_library
from assistant.scholarly.http import Http
from assistant.settings import ScholarlySettings
from tests.scholarly_server import Answer, ScholarlyServer

ZOTERO = Path(__file__).parents[1] / "data" / "fixtures" / "zotero7.sqlite"


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer().recorded().zotero7() as running:
        yield running


def open_apis(settings: ScholarlySettings, tmp_path: Path) -> Apis:
    return Apis.open(settings, Http(settings, ResponseCache(tmp_path / "answers.sqlite", 86400)))


def by_key(library: Library) -> dict[str, Paper]:
    return {p.citation_key or p.id: p for p in library.papers()}


def test_enriching_the_zotero_7_database(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    library.ingest([ZOTERO])
    before = by_key(library)
    assert sum(not p.has_abstract for p in before.values()) == 7
    apis = open_apis(server.settings(), tmp_path)

    report = enrich_library(library, apis.metadata(apis.http.settings.sources))

    after = by_key(library)
    statuses = {o.paper.citation_key: o.status for o in report.outcomes}
    assert statuses == {
        "clark2003survival": "filled",
        "noble2009how": "filled",
        "cusack2019impact": "filled",
        "chindelevitch2025cabbage": "filled",
        "kaplan1958nonparametric": "nothing new",
        "kaderabkova2024antibiotic": "not found",
        "anon2022guide": "not found",
    }
    assert after["clark2003survival"].provenance == {"abstract": "openalex"}
    assert after["noble2009how"].provenance == {"abstract": "crossref"}
    cabbage = after["chindelevitch2025cabbage"]
    assert cabbage.provenance == {"abstract": "crossref", "doi": "crossref"}
    assert cabbage.doi == "10.5555/citewise.cabbage"
    refused = next(
        o for o in report.outcomes if o.paper.citation_key == "kaderabkova2024antibiotic"
    )
    assert "another title" in refused.detail
    # What the user wrote is untouched: every field that had a value keeps it.
    for key, paper in before.items():
        now = after[key].model_dump()
        for name, value in paper.model_dump(exclude={"provenance"}).items():
            if value not in (None, "", [], False):
                assert now[name] == value, (key, name)
    assert {k for k, p in after.items() if p != before[k]} == {
        "clark2003survival",
        "noble2009how",
        "cusack2019impact",
        "chindelevitch2025cabbage",
    }
    # Re-embedded: words only the new abstracts hold now find them.
    assert report.written == 4 and report.chunks_embedded == 4
    assert library.search("Bonferroni false discovery rate q-values", k=1)[
        0
    ].paper.citation_key == ("noble2009how")


def test_a_second_run_changes_nothing_and_asks_nothing(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    library.ingest([ZOTERO])
    apis = open_apis(server.settings(), tmp_path)
    enrich_library(library, apis.metadata(apis.http.settings.sources))
    papers, generation, asked = library.papers(), library.store.generation(), len(server.requests)

    again = open_apis(server.settings(), tmp_path)
    report = enrich_library(library, again.metadata(again.http.settings.sources))

    assert report.written == 0 and report.chunks_embedded == 0
    assert library.store.generation() == generation and library.papers() == papers
    assert len(server.requests) == asked and again.http.requests == 0  # all from the cache
    assert report.count("filled") == 0


def test_enrichment_survives_reading_the_file_again(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    library.ingest([ZOTERO])
    apis = open_apis(server.settings(), tmp_path)
    enrich_library(library, apis.metadata(apis.http.settings.sources))
    enriched = by_key(library)

    report = library.ingest([ZOTERO])  # the database still has no abstract for them

    assert report.updated == 0 and report.chunks_embedded == 0
    assert by_key(library) == enriched


def test_a_value_the_user_writes_later_wins_over_the_filled_one(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    entry = (
        "@article{{clark, title={{Survival Analysis Part I: Basic concepts and first analyses}},"
    )
    entry += " author={{Clark, T G}}, year={{2003}}, journal={{British Journal of Cancer}},"
    entry += " doi={{10.1038/sj.bjc.6601118}}{extra}}}\n"
    bib.write_text(entry.format(extra=""))
    library.ingest([bib])
    apis = open_apis(server.settings(), tmp_path)
    enrich_library(library, apis.metadata(["openalex"]))
    assert library.papers()[0].provenance == {"abstract": "openalex"}

    bib.write_text(entry.format(extra=", abstract={My own summary of it.}"))
    library.ingest([bib])

    paper = library.papers()[0]
    assert paper.abstract == "My own summary of it." and paper.provenance == {}


def test_dry_run_writes_nothing(library: Library, server: ScholarlyServer, tmp_path: Path) -> None:
    library.ingest([ZOTERO])
    papers, generation = library.papers(), library.store.generation()
    apis = open_apis(server.settings(), tmp_path)
    report = enrich_library(library, apis.metadata(["openalex", "crossref"]), dry_run=True)
    assert report.count("filled") == 4 and report.written == 0
    assert library.papers() == papers and library.store.generation() == generation


def test_a_retracted_paper_is_flagged(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    server.add(
        "/openalex/works/doi:10.5555/citewise.retracted.2021", "own/openalex_work_retracted.json"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{gone, title={Hand-written sample: a study that was later retracted},"
        " author={Example, Ada}, year={2021}, doi={10.5555/citewise.retracted.2021},"
        " abstract={The user's own abstract.}}\n"
    )
    library.ingest([bib])
    apis = open_apis(server.settings(), tmp_path)
    assert enrich_library(library, apis.metadata(["openalex"])).outcomes == []  # nothing missing
    report = enrich_library(library, apis.metadata(["openalex"]), everything=True)
    paper = library.papers()[0]
    assert paper.retracted and paper.provenance == {"venue": "openalex", "retracted": "openalex"}
    assert paper.abstract == "The user's own abstract."
    assert [p.citation_key for p in report.retracted] == ["gone"]


def test_a_failing_api_leaves_its_papers_unfinished_not_missing(
    library: Library, server: ScholarlyServer, tmp_path: Path
) -> None:
    library.ingest([ZOTERO])
    server.fail(*[Answer(b"oops", 500)] * 2, prefix="/openalex")
    apis = open_apis(server.settings(retries=1), tmp_path)
    report = enrich_library(library, apis.metadata(["openalex"]))
    assert "OpenAlex" in report.failed_apis["openalex"]
    assert {o.status for o in report.outcomes} == {"unfinished"}
    assert len(server.hits("/openalex")) == 2  # not asked again after it failed


def test_offline_stops_the_run_at_once(library: Library, tmp_path: Path) -> None:
    library.ingest([ZOTERO])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ScholarlySettings(openalex={"base_url": f"http://127.0.0.1:{port}"})
    apis = open_apis(settings, tmp_path)
    with pytest.raises(ApiUnreachable):
        enrich_library(library, apis.metadata(["openalex"]))


def test_an_interrupted_run_keeps_its_batches_and_resumes_from_the_cache(
    library: Library, server: ScholarlyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.ingest([ZOTERO])
    monkeypatch.setattr("assistant.scholarly.enrich.BATCH", 2)

    def stop_at_the_fourth(_phase: str, done: int, _total: int, _detail: str = "") -> None:
        if done == 3:
            raise KeyboardInterrupt

    apis = open_apis(server.settings(), tmp_path)
    with pytest.raises(KeyboardInterrupt):
        enrich_library(
            library, apis.metadata(["openalex", "crossref"]), progress=stop_at_the_fourth
        )
    written = [p for p in library.papers() if p.provenance]
    asked = len(server.requests)
    assert written  # the first batch (two papers) is in the store
    again = open_apis(server.settings(), tmp_path)
    report = enrich_library(library, again.metadata(["openalex", "crossref"]))
    assert report.count("filled") == 4 - len(written)
    assert sum(p.has_abstract for p in library.papers()) == 11
    # Nothing asked before the interruption (the third paper's lookups too) is asked again.
    before = {(r.path, tuple(sorted(r.query.items()))) for r in server.requests[:asked]}
    after = {(r.path, tuple(sorted(r.query.items()))) for r in server.requests[asked:]}
    assert after and not before & after and again.http.requests == len(server.requests) - asked
