"""``citewise check`` against a paper's full text: a claim whose evidence is on page 13 of a real
PDF (S2ORC, CC BY), with the real embedding model, in a store built from the .bib and the PDF."""

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from assistant.library import Library
from assistant.settings import Settings
from evals.fulltext_data import BIB_PATH, PDF_DIR

pytestmark = pytest.mark.slow

PDF = PDF_DIR / "papermage_acl2020-main-447_s2orc_two-column.pdf"
TRUE = (
    "Before running GROBID, S2ORC discarded PDFs of more than 50 pages as likely dissertations "
    "or reports"
)
ALTERED = TRUE.replace("50 pages", "20 pages")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("full-text-store")
    report = Library(Settings(store={"path": path})).ingest([BIB_PATH, PDF])
    assert not report.failed
    return path


def check(store: Path, tmp_path: Path, claim: str, *options: str) -> None:
    """``citewise check`` of a one-sentence draft citing S2ORC (exit 1: it found a failure)."""
    draft = tmp_path / "draft.md"
    draft.write_text(f"{claim} [@lo2020s2orc].\n", encoding="utf-8")
    arguments = ["check", str(draft), "--bib", str(BIB_PATH), "--suggestions", "0", *options]
    assert cli.main(["--store", str(store), *arguments]) in (0, 1)


def run(store: Path, tmp_path: Path, claim: str, capsys: pytest.CaptureFixture[str]) -> Any:
    """The check's JSON of the claim's sentence."""
    check(store, tmp_path, claim, "--json")
    return json.loads(capsys.readouterr().out)[0]


def test_a_claim_from_page_13_is_supported_with_its_page(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sentence = run(store, tmp_path, TRUE, capsys)
    assert sentence["verdict"] == "supported"
    assert sentence["evidence"][0]["page"] == "13"
    assert "greater than 50 pages" in sentence["evidence"][0]["sentence"]
    check(store, tmp_path, TRUE)
    assert "evidence (lo2020s2orc, p. 13)" in capsys.readouterr().out


def test_a_changed_figure_is_contradicted_by_the_page(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sentence = run(store, tmp_path, ALTERED, capsys)
    assert sentence["verdict"] == "contradicted"
    assert sentence["evidence"][0]["page"] == "13"


def test_what_the_full_text_does_not_say_is_unsupported_by_the_paper(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claim = "Regular tea drinkers showed a lower incidence of stroke over twelve years"
    sentence = run(store, tmp_path, claim, capsys)
    assert sentence["verdict"] == "unsupported"
    assert "the paper does not say this: full text searched" in sentence["notes"]


def test_without_the_full_text_the_note_says_only_the_abstract_was_searched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    abstracts = tmp_path / "abstracts"
    Library(Settings(store={"path": abstracts})).ingest([BIB_PATH])
    sentence = run(abstracts, tmp_path, TRUE, capsys)
    assert sentence["verdict"] == "unsupported"
    assert any("abstract does not say this" in note for note in sentence["notes"])
