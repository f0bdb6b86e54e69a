"""``citewise check``: exit status, --json shape, and bad input reported item by item.

The library here uses the tests' hashing embedding, so only verdicts that hold under any
embedding are asserted: a sentence copied from the abstract it cites is supported, a key found
nowhere is unresolved, a sentence without a citation is uncited.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from assistant.citations.check import read_bib
from assistant.library import Library
from assistant.settings import Settings
from tests.cli_corpus import use_fast_library
from tests.helpers import DATA

DRAFTS = DATA / "drafts"
REFS = DRAFTS / "refs.bib"
VERBATIM = (
    "Participants drinking three or more cups of coffee per day had a 25% lower risk of "
    "developing type 2 diabetes than non-drinkers"
)


@pytest.fixture(autouse=True)
def library(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Library:
    use_fast_library(monkeypatch)
    library = Library(settings)
    refs = read_bib([REFS]).entries
    library.add_papers([refs["lopez2019coffee"], refs["chen2021sleep"]])
    return library


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """The exit status, and the JSON sentence list with the notes and metrics from stderr."""
    status = cli.main(["check", *args, "--json"])
    captured = capsys.readouterr()
    sentences = json.loads(captured.out)
    assert isinstance(sentences, list)
    metrics = next(
        json.loads(line.removeprefix("metrics: "))
        for line in captured.err.splitlines()
        if line.startswith("metrics: ")
    )
    notes = [
        line.removeprefix("note: ")
        for line in captured.err.splitlines()
        if line.startswith("note: ")
    ]
    return status, {"sentences": sentences, "metrics": metrics, "notes": notes}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_supported_draft_passes_with_json_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = write(tmp_path, "ok.md", f"{VERBATIM} [@lopez2019coffee].\n")
    status, report = check_json(capsys, str(draft))
    assert status == 0
    (sentence,) = report["sentences"]
    assert sentence["text"] == f"{VERBATIM}."
    assert sentence["citations"] == ["lopez2019coffee"]
    assert sentence["verdict"] == "supported"
    assert sentence["evidence"][0]["sentence"] == f"{VERBATIM}."
    assert {"citation", "paper_id", "sentence", "index"} <= set(sentence["evidence"][0])
    assert isinstance(report["metrics"]["citation_recall"], float)
    assert report["metrics"]["citation_recall"] == 1.0


def test_unresolved_citation_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = check_json(capsys, str(DRAFTS / "draft.md"), "--bib", str(REFS))
    assert status == 1
    (unresolved,) = [s for s in report["sentences"] if s["text"].startswith("Memory research")]
    assert unresolved["verdict"] == "unresolved"
    assert unresolved["citations"] == ["noabstract2015", "missing2020"]
    (uncited,) = [s for s in report["sentences"] if s["text"].startswith("Regular physical")]
    assert uncited["verdict"] == "uncited" and uncited["claim"]


def test_terminal_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["check", str(DRAFTS / "draft.tex"), "--bib", str(REFS)])
    out, err = capsys.readouterr()
    assert status == 1
    assert "Citation check of" in out and "line 22" in out and "unresolved" in out
    assert "missing2020: neither in the .bib nor in the library" in out
    assert "Citation recall" in out and "precision" in out
    assert "not supported" in err


def test_draft_without_citations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = write(tmp_path, "plain.md", "Coffee is widely thought to lower diabetes risk a lot.\n")
    status, report = check_json(capsys, str(draft))
    assert status == 0  # nothing cited, nothing unsupported: the uncited claim is reported
    assert report["sentences"][0]["verdict"] == "uncited"
    assert "the draft cites nothing: its claims are all uncited" in report["notes"]


def test_bib_that_does_not_parse_and_keys_it_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = write(
        tmp_path,
        "d.md",
        f"{VERBATIM} [@lopez2019coffee]. Attention is all we need here [@vaswani2017].\n",
    )
    status, report = check_json(capsys, str(draft), "--bib", str(DRAFTS / "broken.bib"))
    notes = report["notes"]
    assert any("malformed @article 'lopez2019coffee'" in n for n in notes)
    first, second = report["sentences"]
    assert first["verdict"] == "supported"  # found in the library by its key
    assert second["verdict"] == "unresolved" and status == 1
    assert second["notes"] == ["vaswani2017: not in the library"]


def test_latex_long_and_non_english_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = " ".join(["coffee and diabetes risk in a very large cohort of adults"] * 7)
    draft = write(
        tmp_path,
        "d.tex",
        "\\documentclass{article}\n\\newcommand{\\cf}{coffee}\n\\begin{document}\n"
        f"\\section{{Intro}}\n{long.capitalize()} \\cite{{lopez2019coffee}}.\n\n"
        "Le café réduit le risque de diabète de type 2 chez les adultes "
        "\\citep[p.~2]{lopez2019coffee}.\n\\begin{table}\\begin{tabular}{ll} a & b "
        "\\end{tabular}\\end{table}\n\\end{document}\n",
    )
    status, report = check_json(capsys, str(draft))
    long_one, french = report["sentences"]
    assert long_one["line"] == 5 and french["line"] == 7
    assert any("77 words long" in n for n in long_one["notes"])
    assert any("does not look like English" in n for n in french["notes"])
    assert status in (0, 1)


def test_missing_draft_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "nowhere.md"]) == 1
    assert "cannot read the draft nowhere.md" in capsys.readouterr().err


def test_llm_judge_without_a_model_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = write(tmp_path, "ok.md", f"{VERBATIM} [@lopez2019coffee].\n")
    assert cli.main(["check", str(draft), "--judge", "llm"]) == 1
    assert "the LLM judge needs a language model" in capsys.readouterr().err
