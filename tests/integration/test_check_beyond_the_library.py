"""``check`` with ``scholarly.suggest_in_check``: papers outside the library suggested for a
sentence nothing cited supports (judged like library suggestions); retracted citations noted."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.citations.check import read_bib
from assistant.library import Library
from assistant.settings import Settings
from tests.cli_corpus import use_fast_library
from tests.fakes import HashEmbedder
from tests.helpers import DATA
from tests.openalex_pool import OpenAlexPool, work
from tests.scholarly_server import ScholarlyServer

REFS = DATA / "drafts" / "refs.bib"
TEA = "Regular tea drinkers showed a 20% lower incidence of stroke over twelve years"
DRAFT = f"{TEA} [@chen2021sleep].\n"


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer() as running:
        OpenAlexPool(
            [
                work(
                    "W10",
                    "Tea and stroke: a cohort study",
                    f"{TEA} in a cohort of 30,000 adults.",
                    year=2020,
                ),
                work("W11", "Tea ceremonies in Kyoto", "A history of the tea ceremony.", year=2001),
            ]
        ).mount(running)
        yield running


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    use_fast_library(monkeypatch)
    refs = read_bib([REFS]).entries
    sleep = refs["chen2021sleep"].model_copy(update={"retracted": True})
    Library(settings, embedder=HashEmbedder()).add_papers([refs["lopez2019coffee"], sleep])
    path = tmp_path / "draft.md"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def run_check(draft: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert cli.main(["check", str(draft), "--bib", str(REFS), "--json"]) == 1
    sentences = json.loads(capsys.readouterr().out)
    assert isinstance(sentences, list) and len(sentences) == 1
    sentence: dict[str, object] = sentences[0]
    return sentence


def test_papers_beyond_the_library_are_suggested_when_switched_on(
    draft: Path,
    server: ScholarlyServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CITEWISE_SCHOLARLY__SUGGEST_IN_CHECK", "true")
    monkeypatch.setenv("CITEWISE_SCHOLARLY__OPENALEX__BASE_URL", f"{server.url}/openalex")
    sentence = run_check(draft, capsys)
    assert sentence["verdict"] == "unsupported"
    suggestions = sentence["suggestions"]
    assert isinstance(suggestions, list)
    outside = [s for s in suggestions if s["source"]]
    assert [s["title"] for s in outside] == ["Tea and stroke: a cohort study"]
    assert outside[0]["source"] == f"{server.url}/openalex/works/W10"
    assert "cites chen2021sleep, which has been retracted" in sentence["notes"]  # type: ignore[operator]


def test_nothing_is_asked_of_the_apis_when_switched_off(
    draft: Path,
    server: ScholarlyServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CITEWISE_SCHOLARLY__OPENALEX__BASE_URL", f"{server.url}/openalex")
    sentence = run_check(draft, capsys)
    assert all(not s["source"] for s in sentence["suggestions"])  # type: ignore[attr-defined]
    assert server.requests == []
