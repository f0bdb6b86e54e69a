"""The command line, end to end on real Chroma files (with the fast test embedding)."""

import json
from pathlib import Path

import pytest

from assistant import cli
from tests.cli_corpus import use_fast_library


@pytest.fixture(autouse=True)
def fast_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_library(monkeypatch)


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    path = tmp_path / "refs.jsonl"
    rows = [
        {
            "title": "Speculative decoding with draft models",
            "abstract": "A small draft model proposes tokens; the large model verifies them.",
            "doi": "10.1000/spec",
            "year": 2023,
        },
        {
            "title": "Key-value cache quantisation",
            "abstract": "Keys and values are stored in four bits.",
            "year": 2024,
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n")
    return path


def test_ingest_reports_counts_and_failures(refs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest", str(refs)]) == 0
    captured = capsys.readouterr()
    assert "2 added, 0 updated, 0 unchanged, 0 removed, 1 failed" in captured.out
    assert f"{refs.resolve()}:3" in captured.err  # the bad line, by number


def test_nothing_ingestable_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", str(tmp_path / "nope.bib")]) == 1
    assert "no such file or directory" in capsys.readouterr().err


def test_search_json_lists_papers_best_first(
    refs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["ingest", str(refs)])
    capsys.readouterr()
    assert cli.main(["search", "draft model verifies proposed tokens", "-k", "2", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["title"] == "Speculative decoding with draft models"
    assert results[0]["score"] >= results[1]["score"]
    assert {"id", "title", "score", "passages"} <= set(results[0])
    assert results[0]["passages"][0]["text"].startswith("A small draft model")


def test_papers_and_show(refs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["ingest", str(refs)])
    capsys.readouterr()
    assert cli.main(["papers", "--json"]) == 0
    papers = json.loads(capsys.readouterr().out)
    assert len(papers) == 2
    assert cli.main(["show", "10.1000/spec"]) == 0
    shown = capsys.readouterr().out
    assert "Speculative decoding with draft models" in shown and "verifies them" in shown
    assert cli.main(["show", "zzzz"]) == 1
    assert "no paper matches" in capsys.readouterr().err


def test_store_flag_and_env_choose_the_store(
    refs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere"
    cli.main(["ingest", "--store", str(other), str(refs)])
    assert (other / "chroma").is_dir()
    capsys.readouterr()
    cli.main(["papers", "--json"])  # the default store ($CITEWISE_STORE) is still empty
    assert json.loads(capsys.readouterr().out) == []


def test_corrupt_store_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "bad"
    (store / "chroma").mkdir(parents=True)
    (store / "chroma" / "chroma.sqlite3").write_text("garbage" * 1000)
    assert cli.main(["papers", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert "Store:" in err and "Traceback" not in err


def test_store_flag_works_before_or_after_the_command(
    refs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    assert cli.main(["--store", str(before), "ingest", str(refs)]) == 0
    assert cli.main(["ingest", str(refs), "--store", str(after)]) == 0
    assert (before / "chroma").is_dir() and (after / "chroma").is_dir()
