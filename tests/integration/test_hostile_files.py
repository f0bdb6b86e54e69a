"""Hostile files through the real ingest path (real Chroma files, the fast test embedding).

Symbolic-link loops, broken links, pipes and unreadable files are reported one by one while the
good files are ingested; 50 MB files of one line finish quickly, in bounded memory, with a
per-record or per-file error; control characters and bidi overrides in the data never reach the
store or the terminal.
"""

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest

from assistant import cli
from assistant.library import Library
from tests.cli_corpus import use_fast_library
from tests.helpers import measured_peak

GOOD = {"title": "Sparse attention for long documents", "abstract": "Attention made sparse."}
GOOD_BIB = "@article{good, title = {Routing tokens in mixture of experts}, year = 2022}\n"


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (a pipe opened for reading waits for a writer forever)."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def corpus_with_good_files(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.jsonl").write_text(json.dumps(GOOD) + "\n")
    (corpus / "good.bib").write_text(GOOD_BIB)
    return corpus


def test_links_and_pipes_are_reported_and_the_good_files_ingest(
    library: Library, tmp_path: Path
) -> None:
    corpus = corpus_with_good_files(tmp_path)
    (corpus / "loop").symlink_to(corpus)  # dir/link -> dir
    (corpus / "dangling.bib").symlink_to(tmp_path / "nowhere.bib")
    (corpus / "self.ris").symlink_to(corpus / "self.ris")  # a link to itself
    os.mkfifo(corpus / "pipe.jsonl")
    named_pipe = tmp_path / "named.bib"
    os.mkfifo(named_pipe)

    with within(60):
        report = library.ingest([corpus, named_pipe])

    assert report.added == 2
    assert sorted(p.title for p in library.papers()) == [
        "Routing tokens in mixture of experts",
        "Sparse attention for long documents",
    ]
    failures = "\n".join(report.failed)
    assert f"{corpus / 'loop'}: directory already read (symbolic link loop?)" in failures
    assert f"{corpus / 'dangling.bib'}: broken symbolic link" in failures
    assert f"{corpus / 'self.ris'}: cannot read (Too many levels of symbolic links)" in failures
    assert f"{corpus / 'pipe.jsonl'}: not a regular file" in failures
    assert f"{named_pipe}: not a regular file" in failures
    assert len(report.failed) == 5


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_unreadable_file_in_a_folder_is_reported_and_the_rest_ingests(
    library: Library, tmp_path: Path
) -> None:
    corpus = corpus_with_good_files(tmp_path)
    locked = corpus / "locked.bib"
    locked.write_text(GOOD_BIB.replace("good", "locked"))
    locked.chmod(0)

    report = library.ingest([corpus])

    assert report.added == 2
    assert report.failed == [f"{locked}: cannot read (permission denied)"]


ONE_LINE = 50_000_000


def write_one_line(path: Path, head: str, tail: str = "") -> Path:
    """``head``, 50 MB of one word, ``tail``: no line break anywhere; written in 1 MB pieces."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        for _ in range(ONE_LINE // 1_000_000):
            handle.write("a" * 1_000_000)
        handle.write(tail)
    return path


@pytest.mark.parametrize(
    ("name", "head", "tail", "error"),
    [
        ("huge.jsonl", '{"title": "Huge", "abstract": "', '"}', ":1: line over 16,777,216"),
        ("broken.jsonl", '{"title": "', "", ":1: line over 16,777,216"),
        ("huge.bib", "@article{huge, title = {Huge}, abstract = {", "}}", ":1: over 4000000"),
        ("huge.ris", "TI  - ", "", ":1: line over 16,777,216"),
        ("huge.txt", "Get trending papers in your email inbox! ", "", ":1: line over 16,777,216"),
        ("huge.csv", "title,", "", ":1: header row over 16,777,216"),
    ],
)
def test_a_50_mb_line_is_one_error_in_bounded_time_and_memory(
    library: Library, tmp_path: Path, name: str, head: str, tail: str, error: str
) -> None:
    path = write_one_line(tmp_path / name, head, tail)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD) + "\n")

    started = time.monotonic()
    with within(120):
        report, peak = measured_peak(lambda: library.ingest([path, good]))

    assert time.monotonic() - started < 60
    assert peak < 40_000_000  # a 16 MiB piece or two at most, never the 50 MB line
    assert report.added == 1  # the good file
    assert len(report.failed) == 1
    assert report.failed[0].startswith(f"{path}{error}")
    assert len(report.failed[0]) < 1000  # the report does not quote the line


# Titles and names from the data cannot drive the terminal or reorder what it shows.

CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, 0x85, 0x9B])) + "\u200b\u061c\u200e\u200f"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
UNSAFE = re.compile(f"[{re.escape(CONTROLS + BIDI)}]")
RED = "\x1b[31m"
RTL_ABSTRACT = "Right-to-left text stays: النص العربي and עברית."


@pytest.fixture
def cli_library(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_library(monkeypatch)


def hostile_sources(tmp_path: Path) -> list[Path]:
    """The same attacks in JSON Lines (escaped: NUL and all), BibTeX and RIS (raw bytes)."""
    records = [
        {
            "title": f"Quantum{RED} error\x00 correction\x07\x08\x7f\x9b2J\u202eslooT",
            "abstract": f"Surface codes{RED} \u2066protect\u2069 qubits.\x1b]8;;http://evil\x07",
            "authors": [f"Ada{RED} Lovelace\u200f"],
        },
        {
            "title": "Arabic العربية\u200f and Hebrew עברית\u202b scripts",
            "abstract": RTL_ABSTRACT,
        },
    ]
    jsonl = tmp_path / "hostile.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    bib = tmp_path / "hostile.bib"
    bib.write_text(
        f"@article{{k{RED},\n  title = {{Bidi\u202e override\u2067 in {RED}BibTeX}},\n"
        f"  author = {{Doe{RED}, Jane}},\n  abstract = {{Bell\x07 and\tescape\x1b[0m.}}\n}}\n"
    )
    ris = tmp_path / "hostile.ris"
    ris.write_text(f"TY  - JOUR\nTI  - RIS title{RED} with\u2066 isolates\u2069\nER  - \n")
    return [jsonl, bib, ris]


def test_control_and_bidi_characters_never_reach_the_store(
    library: Library, tmp_path: Path
) -> None:
    report = library.ingest(hostile_sources(tmp_path))

    assert (report.added, report.failed) == (4, [])
    papers = {paper.title: paper for paper in library.papers()}
    assert set(papers) == {  # the escape's printable tail stays, as text
        "Quantum[31m error correction2JslooT",
        "Arabic العربية and Hebrew עברית scripts",
        "Bidi override in [31mBibTeX",
        "RIS title[31m with isolates",
    }
    for paper in papers.values():
        fields = [paper.title, paper.abstract, paper.citation_key or "", *paper.authors]
        assert not any(UNSAFE.search(text) for text in fields), paper
    assert papers["Arabic العربية and Hebrew עברית scripts"].abstract == RTL_ABSTRACT


def test_search_and_papers_print_no_escape_sequences_from_the_data(
    cli_library: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", *map(str, hostile_sources(tmp_path))]) == 0
    capsys.readouterr()

    for command, shows in (
        (["search", "quantum error correction"], "1. Quantum[31m error correction2JslooT"),
        (["papers"], "RIS title[31m with isolates"),
    ):
        assert cli.main(command) == 0
        printed = capsys.readouterr()
        assert shows in printed.out
        assert not UNSAFE.search((printed.out + printed.err).replace("\n", "")), command


def test_titles_with_square_brackets_print_as_written(
    cli_library: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Closing [/x] and [bold]markup[/bold] in a title"
    refs = tmp_path / "brackets.jsonl"
    refs.write_text(json.dumps({"title": title, "abstract": "Square brackets."}) + "\n")
    assert cli.main(["ingest", str(refs)]) == 0
    capsys.readouterr()
    assert cli.main(["papers", "--json"]) == 0
    paper_id = json.loads(capsys.readouterr().out)[0]["id"]
    for command, shows in (
        (["search", "closing brackets"], title),
        (["show", paper_id], title),
        (["papers"], "Closing [/x]"),  # the table may shorten it to the terminal's width
    ):
        assert cli.main(command) == 0
        assert shows in capsys.readouterr().out
