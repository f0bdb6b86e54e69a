"""The server write lease (a collection of its own on a real `chroma run`) and the in-place
upgrade of a schema-1 store (``test_store_upgrade.py`` has the rest of the upgrade's tests)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.corpus.paper import Paper
from assistant.errors import StoreError
from assistant.index.lease import Lease
from assistant.index.lock import write_lock
from assistant.index.store import ChunkStore
from assistant.library import Library
from assistant.settings import Settings, StoreSettings
from tests.fakes import HashEmbedder
from tests.legacy_store import make_legacy


def holder(pid: int) -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": pid, "token": "t", "lapses": time.time() + 60}


def server_lease(url: str, collection: str) -> Lease:
    lease = ChunkStore(StoreSettings(server_url=url, collection=collection), HashEmbedder()).lease
    assert lease is not None
    return lease


def test_a_lease_left_by_a_killed_writer_is_taken_over(chroma_server: str) -> None:
    lease = server_lease(chroma_server, "lease-dead")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert lease.claim(holder(int(dead.stdout)))
    lease.wait_seconds = 5
    with lease.held():
        assert lease.holder()["pid"] == os.getpid()  # type: ignore[index]
    assert lease.holder() is None


def test_a_lease_held_by_a_live_writer_is_waited_for_then_named(chroma_server: str) -> None:
    lease = server_lease(chroma_server, "lease-live")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert lease.claim(holder(live.pid))
        started = time.monotonic()
        lease.wait_seconds = 0.5
        with pytest.raises(StoreError, match=f"stayed locked by pid {live.pid}"), lease.held():
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        live.kill()
        live.wait()
    lease.wait_seconds = 5
    with lease.held():  # its holder is gone now
        pass


def test_a_schema_1_store_gains_identity_keys_on_opening(tmp_path: Path) -> None:
    settings = Settings(store={"path": tmp_path / "store"})
    library = Library(settings, embedder=HashEmbedder())
    library.add_papers(
        [Paper(title="Speculative decoding", abstract="Drafts verify. Fast.", doi="10.1/spec")]
    )
    make_legacy(settings.store, HashEmbedder(), schema=1)
    with write_lock(settings.store.path):  # another process writes: opening leaves it be
        assert ChunkStore(settings.store, HashEmbedder()).matching(["doi:10.1/spec"]) == []

    reopened = ChunkStore(settings.store, HashEmbedder())
    found = reopened.matching(["doi:10.1/spec"])
    assert [entry.paper.title for entry in found] == ["Speculative decoding"]
    assert found[0].complete
    assert (reopened._collection.metadata or {})["citewise:schema"] == 3
