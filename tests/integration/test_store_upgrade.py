"""Stores written before the paper table (schema 2: every chunk carrying its paper's record)
(and schema 1, without identity keys and chunk counts) are upgraded in place on opening,
embedding nothing. Killed with SIGKILL at random points, again
and again, an upgrade ends in the same store as one left alone, and readers read the store
whole between kills; the upgraded store answers searches as before, and holds exactly what
today's code writes for the same papers."""

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from chromadb.api.client import SharedSystemClient
from chromadb.errors import NotFoundError

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.index.chroma import ChromaEmbedding, connect
from assistant.index.filters import Filters
from assistant.index.ingest import Ingestor
from assistant.index.lock import write_lock
from assistant.index.store import ChunkStore
from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder
from tests.helpers import CORPUS
from tests.integration.ingest_child import settings_for
from tests.legacy_store import make_legacy
from tests.writers import DUMPS

PAGE = 20
"""Chunks a page in the killed upgrades: some 25 pages, so kills land between many steps."""
EXTRA = [
    Paper(title="A paper known by its title alone", year=2021, collections=["reading/later"]),
    Paper(
        title="Routing tokens to experts",
        abstract="Sparse experts route each token. Routing is learned.",
        doi="10.1/route",
        tags=["mixture-of-experts"],
        collections=["reading/later", "moe"],
    ),
]
QUERIES = ["mixture of experts routing", "dense passage retrieval", "world model offline RL"]
FILTERS = [None, Filters(tag="retrieval"), Filters(year_from=2015), Filters(collection="moe")]


def build(store: str) -> Settings:
    """A store as today's code writes it: the demo corpus, the UI tests' corpus, ``EXTRA``."""
    settings = settings_for(store)
    library = Library(settings, embedder=HashEmbedder())
    library.ingest([*DUMPS, CORPUS])
    library.add_papers(EXTRA)
    return settings


def held(settings: Settings) -> dict[str, Any]:
    """Everything the store holds but vectors (which an upgrade never touches): each chunk's
    metadata and text, each paper record, and the schema."""
    client = connect(settings.store)
    function = ChromaEmbedding(HashEmbedder())
    chunks = client.get_collection(settings.store.collection, embedding_function=function)
    got = chunks.get(include=["metadatas", "documents"])
    texts = zip(got["metadatas"] or [], got["documents"] or [], strict=True)
    try:
        table = client.get_collection(f"{settings.store.collection}.papers")
        records = table.get(include=["metadatas"])
    except NotFoundError:
        records = {"ids": [], "metadatas": []}
    return {
        "schema": (chunks.metadata or {})["citewise:schema"],
        "chunks": dict(zip(got["ids"], texts, strict=True)),
        "records": dict(zip(records["ids"], records["metadatas"] or [], strict=True)),
    }


def seen(settings: Settings) -> Any:
    """What a reader finds, reading as a new process would, without upgrading the store."""
    SharedSystemClient.clear_system_cache()
    store = ChunkStore(settings.store, HashEmbedder(), check_model=False)
    papers = sorted(
        (e.paper.model_dump_json(), sorted(e.chunk_ids), e.complete) for e in store.papers()
    )
    chunks = sorted((c.id, c.text, c.paper.id, c.index, c.of, c.kind) for c in store.chunks())
    found = [[e.paper.id for e in store.matching(keys(p))] for p in EXTRA]
    return papers, chunks, found


def upgrade(store: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.upgrade_child", store, "--page", str(PAGE)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(child: subprocess.Popen[str]) -> None:
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0 and "done" in out, err


def kill_at_random(store: str, rng: random.Random, settings: Settings, before: Any) -> bool:
    """Start an upgrade, kill it at a random point; check the store reads as ``before``.
    Whether the kill landed in the middle of the upgrade."""
    child = upgrade(store)
    assert child.stdout is not None and child.stdout.readline().startswith("start")
    time.sleep(rng.uniform(0.0, 4.0))
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    now = held(settings)
    assert seen(settings) == before
    return bool(now["schema"] == 2 and now["records"])


@pytest.mark.slow
def test_an_upgrade_killed_again_and_again_ends_as_one_left_alone(tmp_path: Path) -> None:
    pristine = build(str(tmp_path / "pristine"))
    make_legacy(pristine.store, HashEmbedder())
    before = seen(pristine)
    shutil.copytree(pristine.store.path, tmp_path / "alone")
    finish(upgrade(str(tmp_path / "alone")))
    alone = held(settings_for(str(tmp_path / "alone")))
    assert alone["schema"] == 3

    rng, landed, kills = random.Random(11), 0, 0
    for round_ in range(3):
        store = str(tmp_path / f"round{round_}")
        shutil.copytree(pristine.store.path, store)
        for _ in range(rng.randint(1, 2)):
            landed += kill_at_random(store, rng, settings_for(store), before)
            kills += 1
        finish(upgrade(store))
        assert held(settings_for(store)) == alone
        assert seen(settings_for(store)) == before
    assert landed >= kills // 3, f"only {landed} of {kills} kills landed mid-upgrade"


@pytest.mark.slow
def test_an_upgrade_on_a_server_killed_again_and_again_ends_as_one_left_alone(
    chroma_server: str,
) -> None:
    alone = build(f"{chroma_server}/upgrade-alone")
    make_legacy(alone.store, HashEmbedder())
    before = seen(alone)
    finish(upgrade(f"{chroma_server}/upgrade-alone"))

    rng, landed = random.Random(12), 0
    store = f"{chroma_server}/upgrade-killed"
    settings = build(store)
    make_legacy(settings.store, HashEmbedder())
    for _ in range(3):
        landed += kill_at_random(store, rng, settings, before)
    finish(upgrade(store))  # the lease of a killed upgrade is taken over (its pid is gone)
    assert held(settings) == held(alone)
    assert seen(settings) == before
    assert landed >= 1


def tagged(settings: Settings) -> list[tuple[str, list[str], bool]]:
    store = ChunkStore(settings.store, HashEmbedder(), check_model=False)
    return sorted((e.paper.id, e.paper.tags, e.complete) for e in store.papers())


def answers(library: Library) -> list[Any]:
    return [
        [(h.paper.id, round(h.score, 6), [p.chunk_id for p in h.passages]) for h in hits]
        for query in QUERIES
        for filters in FILTERS
        for mode in ("hybrid", "dense", "lexical")
        for hits in [library.search(query, k=8, filters=filters, mode=mode)]
    ]


@pytest.mark.parametrize("schema", [1, 2])
def test_a_store_of_an_earlier_schema_upgrades_to_what_a_fresh_write_holds_and_answers_alike(
    tmp_path: Path, schema: int
) -> None:
    fresh = build(str(tmp_path / "fresh"))
    old = build(str(tmp_path / "old"))
    make_legacy(old.store, HashEmbedder(), schema)
    with write_lock(old.store.path):  # another process is writing: opening does not upgrade
        before = Library(old, embedder=HashEmbedder())
        expected = answers(before)
        papers = before.papers()
    assert held(old)["schema"] == schema and not held(old)["records"]
    assert all(hits for hits in expected[:3])

    after = Library(old, embedder=HashEmbedder())
    assert answers(after) == expected
    assert after.papers() == papers
    assert held(old) == held(fresh)
    upgraded = held(old)
    assert not any({"paper", "keys"} & set(meta) for meta, _ in upgraded["chunks"].values())
    assert len(upgraded["records"]) == len(papers)


def test_a_writer_that_finds_the_store_not_upgraded_moves_what_it_rewrites(
    tmp_path: Path,
) -> None:
    """A store another process holds is not upgraded on opening; a writer that writes to it
    meanwhile (there, the holder) moves the records of the papers it rewrites first."""
    rows = CORPUS.read_text()
    retagged = rows.replace('"retrieval"', '"search"')
    fresh = settings_for(str(tmp_path / "fresh"))
    (tmp_path / "fresh.jsonl").write_text(retagged)
    Library(fresh, embedder=HashEmbedder()).ingest([tmp_path / "fresh.jsonl"])
    old, source = settings_for(str(tmp_path / "old")), tmp_path / "corpus.jsonl"
    source.write_text(rows)
    Library(old, embedder=HashEmbedder()).ingest([source])
    make_legacy(old.store, HashEmbedder())
    source.write_text(retagged)

    with write_lock(old.store.path):
        store = ChunkStore(old.store, HashEmbedder())
        report = Ingestor(store, HashEmbedder(), old.chunking).ingest([source])
        assert (report.updated, report.added) == (rows.count('"retrieval"'), 0)
        middle = held(old)
        assert middle["schema"] == 2
        assert len(middle["records"]) == report.updated  # only the retagged papers moved
        assert tagged(old) == tagged(fresh)
    hits = Library(old, embedder=HashEmbedder()).search("retrieval", filters=Filters(tag="search"))
    assert hits and all("search" in h.paper.tags for h in hits)
    assert held(old)["chunks"] == held(fresh)["chunks"]
