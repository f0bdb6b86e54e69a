"""Several writers on one corpus: two processes on a real `chroma run`, and a second writer on
local files. The writers are separate processes (``ingest_child``) using the fast test
embedding, paused per batch so that their writes interleave."""

from collections import Counter
from pathlib import Path

import pytest

from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder
from tests.integration.ingest_child import settings_for
from tests.writers import DUMPS, finish, snapshot, spawn, wait_for_a_write


@pytest.mark.parametrize("attempt", range(3))  # the interleaving differs from run to run
def test_two_processes_ingest_different_files_into_one_server_collection(
    chroma_server: str, tmp_path: Path, attempt: int
) -> None:
    store, both_wrote = f"{chroma_server}/concurrent-{attempt}", tmp_path / "both wrote"
    first = spawn(store, DUMPS[:3], pause=0.1, hold=both_wrote)
    second = spawn(store, DUMPS[3:], pause=0.1, hold=both_wrote)
    wait_for_a_write(first)
    wait_for_a_write(second)
    both_wrote.touch()  # each has written a batch and has more to write: they overlap
    finish(first)
    finish(second)

    alone = Library(Settings(store={"path": tmp_path / "alone"}), embedder=HashEmbedder())
    alone.ingest(DUMPS)
    shared = Library(settings_for(store), embedder=HashEmbedder())

    # The same papers as one process reading every file: each once, with every source it has
    # in any file, and the same chunks (so no duplicate chunk anywhere).
    assert snapshot(shared) == snapshot(alone)
    assert len(snapshot(shared)) == 389
    papers = shared.store.papers()
    assert all(entry.complete for entry in papers)
    ids = [i for entry in papers for i in entry.chunk_ids]
    assert Counter(ids).most_common(1)[0][1] == 1
    # The lexical index this client builds is over exactly what the server holds.
    assert sorted(shared.lexical().chunk_ids) == sorted(ids)
    hit = shared.search("mixture of experts routing", mode="lexical")[0]
    assert hit.paper.id in {entry.paper.id for entry in papers}


def test_a_second_local_writer_is_told_who_holds_the_store(tmp_path: Path) -> None:
    store, hold = str(tmp_path / "store"), tmp_path / "go on"
    writer = spawn(store, DUMPS[:2], pause=0.0, hold=hold)
    wait_for_a_write(writer)
    second = spawn(store, DUMPS[2:3], pause=0.0)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 2
    assert f"is being written by citewise (pid {writer.pid})" in err
    hold.touch()
    writer.communicate(timeout=300)
    assert writer.returncode == 0
    # Nothing was half-written by the refused writer; running it again now succeeds.
    again = spawn(store, DUMPS[2:3], pause=0.0)
    finish(again)
    library = Library(settings_for(store), embedder=HashEmbedder())
    assert all(entry.complete for entry in library.store.papers())
