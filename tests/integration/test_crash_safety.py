"""kill -9 at random points of an ingest, again and again, on local files and on a real
`chroma run`; then one ingest that runs to the end must leave exactly what a clean ingest of
the same files leaves. Between kills, a reader must still find the store whole: every chunk id
once, and the lexical index over exactly the chunks the store holds.

Each round rewrites the input (a random subset of the demo papers per file, some abstracts
edited), so every run has additions, edits and deletions to write when it is killed."""

import json
import random
import signal
import time
from pathlib import Path

import pytest
from chromadb.api.client import SharedSystemClient

from assistant.corpus.paper import Paper
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.library import Library
from assistant.settings import Settings
from tests.chroma_server import ChromaServer
from tests.fakes import HashEmbedder
from tests.integration.ingest_child import settings_for
from tests.writers import DUMPS, finish, snapshot, spawn, wait_for_a_write

ROUNDS = 20


def demo_papers() -> list[dict[str, str]]:
    reader = DailyPapersReader()
    seen: dict[str, dict[str, str]] = {}
    for dump in DUMPS:
        for paper in reader.read(dump):
            if isinstance(paper, Paper):
                seen.setdefault(paper.title, {"title": paper.title, "abstract": paper.abstract})
    return list(seen.values())


def rewrite(folder: Path, papers: list[dict[str, str]], rng: random.Random) -> None:
    """Four JSONL files, each a random 60-100% of its share of the papers, some edited."""
    share = len(papers) // 4
    for number in range(4):
        mine = papers[number * share : (number + 1) * share]
        kept = rng.sample(mine, int(len(mine) * rng.uniform(0.6, 1.0)))
        rows = [
            row | {"abstract": row["abstract"] + " Revised."} if rng.random() < 0.1 else row
            for row in kept
        ]
        (folder / f"part{number}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def assert_whole(store: str) -> Library:
    """Open the store as a new citewise process would (Chroma keeps one client per path in a
    process, and a long-lived one can lag behind another process's writes) and check it."""
    SharedSystemClient.clear_system_cache()
    library = Library(settings_for(store), embedder=HashEmbedder())
    ids = settled_ids(library)
    assert len(ids) == len(set(ids))
    assert sorted(library.lexical().chunk_ids) == sorted(ids)
    return library


def settled_ids(library: Library) -> list[str]:
    """The store's chunk ids once two readings agree: the killed client's last request may
    still be completing on the server."""
    ids: list[str] = []
    for _ in range(50):
        again = [chunk.id for chunk in library.store.chunks(include_text=False)]
        if again == ids:
            break
        ids = again
        time.sleep(0.1)
    return ids


def kill_loop(store: str, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    papers = demo_papers()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    killed_running = 0
    for _ in range(ROUNDS):
        rewrite(inputs, papers, rng)
        child = spawn(store, [inputs], pause=0.1)
        assert child.stdout is not None
        assert child.stdout.readline().startswith("start")
        time.sleep(rng.uniform(0.0, 1.2))
        killed_running += child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        assert_whole(store)
    assert killed_running >= ROUNDS * 3 // 4, f"only {killed_running} kills landed mid-ingest"

    finish(spawn(store, [inputs], pause=0.0))
    after = assert_whole(store)
    assert all(entry.complete for entry in after.store.papers())
    clean = Library(Settings(store={"path": tmp_path / "clean"}), embedder=HashEmbedder())
    clean.ingest([inputs])
    assert snapshot(after) == snapshot(clean)
    rows = sum(1 for f in inputs.glob("*.jsonl") for _ in f.open())
    assert len(after.store.papers()) == rows


@pytest.mark.slow
def test_kill_nine_during_local_ingest(tmp_path: Path) -> None:
    kill_loop(str(tmp_path / "store"), tmp_path, seed=6)


@pytest.mark.slow
def test_kill_nine_during_server_ingest(chroma_server: str, tmp_path: Path) -> None:
    kill_loop(f"{chroma_server}/killed", tmp_path, seed=7)


@pytest.mark.slow
def test_a_server_that_stops_mid_ingest_gives_a_clear_error_and_the_next_run_resumes(
    tmp_path: Path,
) -> None:
    server = ChromaServer(tmp_path / "server")
    server.start()
    store = f"{server.url}/stopped"
    try:
        hold = tmp_path / "go on"
        child = spawn(store, DUMPS, pause=0.0, hold=hold)
        wait_for_a_write(child)
        server.stop(kill=True)
        hold.touch()
        _, err = child.communicate(timeout=120)
        assert child.returncode == 2
        assert f"the Chroma server at {server.url} did not answer" in err
        assert "is it running?" in err

        server.start()
        written = len(Library(settings_for(store), embedder=HashEmbedder()).store.papers())
        assert 0 < written < 389, "the stop did not land mid-ingest"
        finish(spawn(store, DUMPS, pause=0.0))
        after = assert_whole(store)
        clean = Library(Settings(store={"path": tmp_path / "clean"}), embedder=HashEmbedder())
        clean.ingest(DUMPS)
        assert snapshot(after) == snapshot(clean)
    finally:
        server.stop()
