"""The Zotero reader, on a real Zotero 7 database (see tests/data/fixtures/PROVENANCE.md).

Every change to a database is made on a copy in tmp_path; the vendored file is only read.
"""

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from assistant.corpus.readers import choose_reader, make_readers
from assistant.corpus.readers.zotero import ZoteroReader, is_zotero_database
from assistant.corpus.walk import files_under
from assistant.errors import InputError
from tests.helpers import zotero_data_dir

READER = ZoteroReader()
KADERABKOVA = (
    "Antibiotic susceptibility testing using minimum inhibitory concentration (MIC) assays"
)
HEARTS = (
    "X-ray-Based 3D Histology of Murine Hearts Using Contrast-Enhanced Microfocus "
    "Computed Tomography (CECT) and Cryo-CECT"
)


@pytest.fixture
def zotero7(fixtures: Path) -> Path:
    return fixtures / "zotero7.sqlite"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return zotero_data_dir(tmp_path)


@pytest.fixture
def database(data_dir: Path) -> Path:
    return data_dir / "zotero.sqlite"


def execute(path: Path, sql: str, *params: object) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute(sql, params)
        db.commit()


def set_field(path: Path, item_id: int, name: str, value: str) -> None:
    """What Zotero does to set a field: the value in itemDataValues, the link in itemData."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        db.execute(
            """INSERT OR REPLACE INTO itemData (itemID, fieldID, valueID) VALUES (?,
            (SELECT fieldID FROM fieldsCombined WHERE fieldName = ?),
            (SELECT valueID FROM itemDataValues WHERE value = ?))""",
            (item_id, name, value),
        )
        db.commit()


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The file's bytes and mtime, and what lies beside it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def test_reads_the_regular_items_with_their_abstracts(zotero7, read):
    result = read(READER, zotero7)

    assert len(result.papers) == 14  # 23 items less 9 attachments
    assert sum(paper.has_abstract for paper in result.papers) == 7
    assert result.issues == []
    titles = {paper.title for paper in result.papers}
    assert not titles & {"Full Text PDF", "Full Text", "PubMed entry", "Snapshot"}


def test_a_known_item_field_by_field(zotero7, read):
    paper = read(READER, zotero7).titled(KADERABKOVA)

    assert paper.doi == "10.1038/s44259-024-00051-6"
    assert paper.authors == ["Nikol Kadeřábková", "Ayesha J. S. Mahmood", "Despoina A. I. Mavridou"]
    assert paper.year == 2024  # from Zotero's "2024-11-07 2024-11-07"
    assert paper.venue == "npj Antimicrobials and Resistance"
    assert paper.url == "https://www.nature.com/articles/s44259-024-00051-6"
    assert paper.citation_key == "kaderabkova2024antibiotic"  # generated: no BBT, no own key
    assert paper.collections == ["Vivli 2025"]
    assert paper.tags == []
    source = paper.sources[0]
    assert (source.path, source.format, source.record) == (str(zotero7.resolve()), "zotero", 2)


def test_creators_keep_zotero_order_and_items_without_any_read(zotero7, read):
    result = read(READER, zotero7)

    transplant = next(p for p in result.papers if p.title.startswith("Multilevel Analysis"))
    assert len(transplant.authors) == 17
    assert transplant.authors[:3] == ["Ewout Muylle", "Arne Maes", "Gert De Hertogh"]
    assert transplant.authors[-1] == "Laurens J. Ceulemans"
    guide = next(p for p in result.papers if p.title.startswith("Guide de depistage"))
    assert (guide.authors, guide.year, guide.citation_key) == ([], 2022, "anon2022guide")


def test_collections_are_paths_and_tags_are_kept(zotero7, read):
    result = read(READER, zotero7)

    hearts = result.titled(HEARTS)
    assert hearts.collections == ["MSc 2025 - 2026/cect and vasculature"]
    assert hearts.tags == [
        "3D histology",
        "CECT",
        "coronary blood vessels",
        "cryo-CECT",
        "heart valves",
        "murine heart",
    ]
    assert {c for paper in result.papers for c in paper.collections} == {
        "Vivli 2025",
        "MSc 2025 - 2026/To read",
        "MSc 2025 - 2026/cect and vasculature",
        "MSc 2025 - 2026/other forms of imaging for vasculature and reconstruction",
        "MSc 2025 - 2026/vasculature reconstruction",
    }
    keys = [paper.citation_key for paper in result.papers]
    assert len(set(keys)) == len(keys)


def test_trashed_items_and_collections_are_left_out(database, read):
    execute(database, "INSERT INTO deletedItems (itemID) VALUES (2)")
    execute(database, "INSERT INTO deletedCollections (collectionID) VALUES (5)")
    result = read(READER, database)

    assert len(result.papers) == 13
    assert KADERABKOVA not in {paper.title for paper in result.papers}
    assert result.titled(HEARTS).collections == []  # its collection is in the trash


def test_better_bibtex_keys_win_and_generated_keys_avoid_them(database, read):
    with closing(sqlite3.connect(database.with_name("better-bibtex.sqlite"))) as bbt:
        bbt.execute(
            "CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY, itemKey NOT NULL, "
            "libraryID NOT NULL, citationKey NOT NULL, pinned CHECK (pinned in (0, 1)))"
        )
        bbt.executemany(
            "INSERT INTO citationkey VALUES (?, ?, 1, ?, 0)",
            [
                (1, "ZXLJDYPE", "kaderabkova2024antibiotic"),
                (18, "MV3YPNNQ", "Pestiaux_Hearts_2024"),
            ],
        )
        bbt.commit()
    result = read(READER, database)

    assert result.titled(HEARTS).citation_key == "Pestiaux_Hearts_2024"
    wildfire = next(p for p in result.papers if p.title.startswith("MIC distribution"))
    assert wildfire.citation_key == "kaderabkova2024antibiotic"  # Better BibTeX's, as it is
    assert result.titled(KADERABKOVA).citation_key == "kaderabkova2024antibiotica"


def test_an_unreadable_better_bibtex_store_costs_only_its_keys(database, read):
    database.with_name("better-bibtex.sqlite").write_bytes(b"SQLite format 3\x00" + b"?" * 200)
    result = read(READER, database)

    assert len(result.papers) == 14
    assert [issue.reason.split(" (")[0] for issue in result.issues] == [
        "better-bibtex.sqlite unreadable"
    ]


def test_own_citation_key_field_and_the_extra_field(database, read):
    set_field(database, 2, "citationKey", "Kad2024")
    set_field(database, 4, "extra", "arXiv: 2401.00001\nCitation Key: clark-survival\nPMID: 1")
    set_field(database, 7, "extra", "DOI: 10.5281/zenodo.1234")
    result = read(READER, database)

    assert result.titled(KADERABKOVA).citation_key == "Kad2024"
    survival = next(p for p in result.papers if p.title.startswith("Survival Analysis Part I"))
    assert (survival.citation_key, survival.arxiv_id) == ("clark-survival", "2401.00001")
    assert result.titled("CABBAGE").doi == "10.5281/zenodo.1234"


def test_reading_never_changes_the_file(zotero7, database, read):
    before = fingerprint(database), fingerprint(zotero7)
    read(READER, database)
    read(READER, zotero7)

    assert (fingerprint(database), fingerprint(zotero7)) == before


EXCLUSIVE = ["PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE"]
"""How Zotero itself holds its database while it runs: no other connection can even read."""


@pytest.mark.parametrize(
    "statements",
    [
        ["BEGIN IMMEDIATE"],
        ["BEGIN IMMEDIATE", "UPDATE itemDataValues SET value = 'changed' WHERE valueID = 1"],
        EXCLUSIVE,
        [*EXCLUSIVE, "INSERT INTO deletedItems (itemID) VALUES (2)"],
    ],
)
def test_reads_while_another_connection_holds_a_write_lock(database, read, statements):
    with closing(sqlite3.connect(database, isolation_level=None)) as writer:
        for statement in statements:
            writer.execute(statement)
        if statements[0] == EXCLUSIVE[0]:
            other = sqlite3.connect(database, timeout=0)
            with closing(other), pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("SELECT count(*) FROM items").fetchone()
        before = fingerprint(database)[:2]
        result = read(READER, database)
        assert fingerprint(database)[:2] == before
        writer.execute("ROLLBACK")

    assert len(result.papers) == 14  # the committed state, not the write in progress


@contextmanager
def wal_with_pending_change(path: Path) -> Iterator[None]:
    """``path`` in WAL mode with a committed title change still in the log, not checkpointed."""
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute(
            "UPDATE itemDataValues SET value = 'Renamed in the log' WHERE value = ?", (KADERABKOVA,)
        )
        yield


def test_a_write_ahead_log_is_read_from_a_private_copy(database, read):
    with wal_with_pending_change(database):
        wal = database.with_name("zotero.sqlite-wal")
        assert wal.stat().st_size > 0
        before = fingerprint(database)[:2], wal.read_bytes()
        titles = {paper.title for paper in read(READER, database).papers}
        assert (fingerprint(database)[:2], wal.read_bytes()) == before
    assert "Renamed in the log" in titles
    assert KADERABKOVA not in titles
    # Checkpointed and closed, the WAL database reads in place.
    assert "Renamed in the log" in {paper.title for paper in read(READER, database).papers}


def test_a_data_directory_is_read_as_its_database_alone(data_dir, tmp_path):
    (data_dir / "better-bibtex.sqlite").write_bytes(b"")
    (tmp_path / "mine.bib").write_text("@misc{m, title = {Mine}}\n")

    assert list(files_under([data_dir])) == [data_dir / "zotero.sqlite"]
    assert list(files_under([tmp_path])) == [
        tmp_path / "Zotero" / "zotero.sqlite",
        tmp_path / "mine.bib",
    ]


def test_sqlite_files_are_routed_by_name_or_tables(database, tmp_path):
    readers = make_readers()
    renamed = tmp_path / "library.db"
    shutil.copyfile(database, renamed)
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE items (id)")
        db.commit()

    assert choose_reader(database, readers).name == "zotero"
    assert choose_reader(renamed, readers).name == "zotero"
    assert is_zotero_database(database.with_name("zotero.sqlite.bak"))
    with pytest.raises(InputError, match="binary file"):
        choose_reader(other, readers)


def test_a_file_that_is_not_a_database_is_an_input_error(tmp_path):
    fake = tmp_path / "zotero.sqlite"
    fake.write_text("not a database\n")

    assert choose_reader(fake, make_readers()).name == "zotero"
    with pytest.raises(InputError, match="not a SQLite database"):
        list(READER.read(fake))
