"""citewise bib (the round trip back to the user's bibliography) and ingest --watch."""

import json
import threading
from pathlib import Path

import bibtexparser
import pytest

from assistant import cli
from assistant.corpus.walk import fingerprint, watch
from assistant.library import Library
from assistant.settings import Settings
from tests.cli_corpus import use_fast_library
from tests.fakes import HashEmbedder

DRAFTS = Path(__file__).resolve().parents[1] / "data" / "drafts"


@pytest.fixture(autouse=True)
def fast_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_library(monkeypatch)


def keys_of(bib_text: str) -> set[str]:
    return {entry.key for entry in bibtexparser.parse_string(bib_text).entries}


def test_bib_for_a_draft_keeps_the_users_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", str(DRAFTS / "library.bib")]) == 0
    out = tmp_path / "cited.bib"
    status = cli.main(
        [
            "bib",
            "--draft",
            str(DRAFTS / "draft.md"),
            "--bib",
            str(DRAFTS / "refs.bib"),
            "-o",
            str(out),
        ]
    )
    assert status == 0
    written = keys_of(out.read_text())
    assert {"lopez2019coffee", "chen2021sleep", "nguyen2020sparse"} <= written
    assert "missing2020" not in written  # cited, but in no .bib and not in the store
    assert "missing2020" in capsys.readouterr().err


def test_bib_for_a_search_and_for_a_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "refs.jsonl"
    rows = [
        {
            "title": "Sparse attention",
            "abstract": "Attention made sparse.",
            "tags": ["nlp"],
            "citation_key": "sparse21",
        },
        {"title": "Vision adapters", "abstract": "Adapters for vision.", "citation_key": "adapt22"},
    ]
    refs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cli.main(["ingest", str(refs)])
    capsys.readouterr()
    assert cli.main(["bib", "--tag", "nlp"]) == 0
    assert keys_of(capsys.readouterr().out) == {"sparse21"}
    assert cli.main(["bib", "--search", "adapters for vision", "-k", "1"]) == 0
    assert keys_of(capsys.readouterr().out) == {"adapt22"}
    assert cli.main(["bib"]) == 1  # which papers? says so instead of dumping everything


def test_watch_reingests_when_a_file_changes(settings: Settings, tmp_path: Path) -> None:
    library = Library(settings, embedder=HashEmbedder())
    refs = tmp_path / "refs.jsonl"
    refs.write_text(json.dumps({"title": "First paper", "abstract": "One."}) + "\n")
    library.ingest([refs])
    reports = []
    changed = threading.Event()

    def on_change() -> None:
        reports.append(library.ingest([refs]))
        changed.set()

    before = fingerprint([refs])
    thread = threading.Thread(
        target=watch,
        args=([refs], on_change, 0.05, lambda: not changed.is_set(), before),
        daemon=True,
    )
    thread.start()
    refs.write_text(json.dumps({"title": "Second paper", "abstract": "Two."}) + "\n")
    assert changed.wait(10)
    thread.join(5)
    (report,) = reports
    assert (report.added, report.removed) == (1, 1)
    assert [p.title for p in library.papers()] == ["Second paper"]
