"""The PDF parse cache, on a real paper: a PDF read before is not read again, and anything that
would make the kept read wrong (other bytes, another name, another reader) reads it anew."""

import shutil
from pathlib import Path

import pytest

from assistant.corpus.readers.pdf import PdfRead, cached, read_pdf
from assistant.corpus.readers.pdf.cache import cache_folder, reader_version

PEERJ = Path(__file__).parents[2] / "data" / "pdf" / "cermine_peerjcs2017_vespa_sidebar-layout.pdf"


class Counting:
    """``read_pdf``, counting the PDFs it really reads."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, path: Path) -> PdfRead:
        self.read.append(path.name)
        return read_pdf(path)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    copy = tmp_path / "paper.pdf"
    shutil.copyfile(PEERJ, copy)
    return copy


def test_a_pdf_read_before_is_taken_from_the_cache(pdf: Path, tmp_path: Path) -> None:
    parser = Counting()
    first = cached(parser, tmp_path / "cache")(pdf)
    again = cached(parser, tmp_path / "cache")(pdf)  # a later ingest, a new parser
    assert parser.read == ["paper.pdf"]
    assert again == first
    assert again.body.pages[2].text == read_pdf(pdf).body.pages[2].text


def test_other_bytes_or_another_name_are_read_anew(pdf: Path, tmp_path: Path) -> None:
    parser = Counting()
    parse = cached(parser, tmp_path / "cache")
    parse(pdf)
    renamed = pdf.with_name("renamed.pdf")
    shutil.copyfile(pdf, renamed)
    parse(renamed)  # a title guessed from the file name would differ
    with pdf.open("ab") as handle:
        handle.write(b"\n% an incremental update\n")
    parse(pdf)
    assert parser.read == ["paper.pdf", "renamed.pdf", "paper.pdf"]


def test_a_damaged_cache_file_is_read_anew_and_replaced(pdf: Path, tmp_path: Path) -> None:
    parser = Counting()
    parse = cached(parser, tmp_path / "cache")
    expected = parse(pdf)
    (kept,) = (tmp_path / "cache" / reader_version()).iterdir()
    kept.write_bytes(kept.read_bytes()[:100])
    assert parse(pdf) == expected
    assert parse(pdf) == expected
    assert parser.read == ["paper.pdf", "paper.pdf"]


def test_a_newer_reader_removes_what_older_ones_kept(pdf: Path, tmp_path: Path) -> None:
    older = tmp_path / "cache" / "0123456789abcdef"
    older.mkdir(parents=True)
    (older / "stale.pickle.gz").write_bytes(b"from an older reader")
    cached(read_pdf, tmp_path / "cache")(pdf)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [reader_version()]


def test_a_cache_that_cannot_be_written_costs_only_the_read(pdf: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    parser = Counting()
    parse = cached(parser, blocked)
    assert parse(pdf) == parse(pdf)
    assert parser.read == ["paper.pdf", "paper.pdf"]


def test_the_default_cache_is_in_the_cache_dir(
    pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_CACHE", str(tmp_path / "citewise-cache"))
    cached(read_pdf)(pdf)
    assert cache_folder() == tmp_path / "citewise-cache" / "pdf"
    assert len(list((cache_folder() / reader_version()).iterdir())) == 1
