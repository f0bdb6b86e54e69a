"""Ingesting a real Zotero data directory into a store (real Chroma files) and following it."""

import sqlite3
from contextlib import closing
from pathlib import Path

from assistant.library import Library
from tests.helpers import zotero_data_dir

KADERABKOVA = (
    "Antibiotic susceptibility testing using minimum inhibitory concentration (MIC) assays"
)


def test_ingest_syncs_a_trashed_item_away(library: Library, tmp_path: Path) -> None:
    data_dir = zotero_data_dir(tmp_path)
    first = library.ingest([data_dir])
    assert (first.added, first.skipped) == (14, [])
    # The fixture's storage/ holds none of the five attached PDFs: each is a caveat, not a loss.
    assert first.failed == [] and len(first.caveats) == 5
    assert all("is missing; the record is kept" in caveat for caveat in first.caveats)

    with closing(sqlite3.connect(data_dir / "zotero.sqlite")) as db:
        db.execute("INSERT INTO deletedItems (itemID) VALUES (2)")
        db.commit()
    second = library.ingest([data_dir])

    assert (second.removed, second.added, second.unchanged) == (1, 0, 13)
    assert KADERABKOVA not in {paper.title for paper in library.papers()}
