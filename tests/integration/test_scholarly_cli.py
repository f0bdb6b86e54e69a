"""``citewise enrich``, ``discover``, ``ingest --enrich`` and ``doctor`` against the replay server;
offline they stop in one line, non-zero, quickly."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.library import Library
from assistant.settings import Settings
from tests.cli_corpus import use_fast_library
from tests.openalex_pool import OpenAlexPool, work
from tests.scholarly_server import ScholarlyServer

ZOTERO = Path(__file__).parents[1] / "data" / "fixtures" / "zotero7.sqlite"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScholarlyServer]:
    use_fast_library(monkeypatch)
    with ScholarlyServer().recorded().zotero7() as running:
        for name, value in running.environment().items():
            monkeypatch.setenv(name, value)
        yield running


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_enrich_fills_reports_and_a_second_run_has_nothing_to_do(
    server: ScholarlyServer, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", str(ZOTERO)]) == 0
    capsys.readouterr()
    assert cli.main(["enrich"]) == 0
    printed = capsys.readouterr().out
    assert "Looked up 7 papers: 4 filled in, 1 found with nothing new, 2 not found" in printed
    assert "4 written, 4 chunks embedded" in printed
    assert "Crossref by title: abstract, doi" in printed
    assert cli.main(["enrich", "--json"]) == 0
    outcomes = json.loads(capsys.readouterr().out)
    assert {o["status"] for o in outcomes} == {"nothing new", "not found"}  # the three left
    assert cli.main(["show", "clark2003survival"]) == 0
    assert "filled  abstract from openalex" in capsys.readouterr().out


def test_enrich_dry_run_writes_nothing(
    server: ScholarlyServer, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", str(ZOTERO)]) == 0
    assert cli.main(["enrich", "--dry-run", "--source", "openalex,crossref"]) == 0
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert sum(p.has_abstract for p in Library(settings).papers()) == 7


def test_ingest_enrich(server: ScholarlyServer, settings: Settings) -> None:
    assert cli.main(["ingest", str(ZOTERO), "--enrich"]) == 0
    assert sum(p.has_abstract for p in Library(settings).papers()) == 11


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        (
            {"CITEWISE_SCHOLARLY__OPENALEX__BASE_URL": f"http://127.0.0.1:{closed_port()}"},
            "Offline: OpenAlex: cannot connect",
        ),
        (
            {"CITEWISE_SCHOLARLY__NETWORK": "false"},
            "Offline by choice: OpenAlex: network use is switched off",
        ),
    ],
)
def test_offline_is_one_line_and_non_zero(
    server: ScholarlyServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    says: str,
) -> None:
    assert cli.main(["ingest", str(ZOTERO)]) == 0
    capsys.readouterr()
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    started = time.monotonic()
    assert cli.main(["enrich"]) == 1
    assert cli.main(["discover", "survival analysis"]) == 1
    assert time.monotonic() - started < 10
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 2 and all(line.startswith(says) for line in lines)


def test_discover_lists_then_adds_and_search_shows_a_retraction(
    server: ScholarlyServer, settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    OpenAlexPool(
        [
            work(
                "W1",
                "Survival analysis with censored data",
                "Censoring in survival analysis.",
                year=2001,
            ),
            work(
                "W2",
                "Kaplan-Meier curves in practice",
                "How survival analysis draws curves.",
                year=2010,
            ),
        ]
    ).mount(server)
    server.add(
        "/openalex/works/doi:10.5555/citewise.retracted.2021", "own/openalex_work_retracted.json"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{gone, title={Hand-written sample: a study that was later retracted},"
        " author={Example, Ada}, year={2021}, journal={Journal of Test Records},"
        " doi={10.5555/citewise.retracted.2021}, abstract={A survival analysis of nothing.}}\n"
    )
    assert cli.main(["ingest", str(bib)]) == 0
    capsys.readouterr()
    assert cli.main(["discover", "survival analysis", "--hops", "0", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["title"] for c in listed] and all(not c["in_library"] for c in listed)
    assert all(c["reasons"][0].startswith("search (OpenAlex #") for c in listed)
    assert cli.main(["discover", "survival analysis", "--hops", "0", "--add", "1"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert listed[0]["title"] in {p.title for p in Library(settings).papers()}
    assert cli.main(["discover", "survival analysis", "--hops", "0", "--add", "9"]) == 1

    assert cli.main(["enrich", "--all", "--source", "openalex"]) == 0
    assert "retracted Hand-written sample" in capsys.readouterr().out
    assert cli.main(["search", "survival analysis of nothing", "-k", "1"]) == 0
    assert "retracted" in capsys.readouterr().out
    assert cli.main(["search", "survival analysis of nothing", "-k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["retracted"] is True


def test_doctor_says_what_is_configured_and_online_whether_each_answers(
    server: ScholarlyServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["doctor"]) == 0
    printed = capsys.readouterr().out
    assert "Scholarly APIs" in printed and "one request every" not in printed  # intervals are 0
    assert "key: not set (OpenAlex requires one since 2026)" in printed
    assert "doctor --online sends each one request" in printed and not server.requests
    assert cli.main(["doctor", "--online"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("answers (") == 4 and len(server.requests) == 4
    monkeypatch.setenv("CITEWISE_SCHOLARLY__ARXIV__BASE_URL", f"http://127.0.0.1:{closed_port()}")
    assert cli.main(["doctor", "--online"]) == 1
    assert "arXiv: cannot connect" in capsys.readouterr().out
