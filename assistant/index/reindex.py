"""Re-embedding a whole store with the configured model (after changing models).

The papers are first saved to a backup file beside the store; the collection is then dropped
and rebuilt from the backup, which is deleted only once everything is written. A run that was
interrupted finds the backup and carries on from it, so no paper is ever lost.
"""

import json
from pathlib import Path

from assistant import paths
from assistant.corpus.paper import Paper
from assistant.index.embeddings import Embedder
from assistant.index.ingest import Ingestor, IngestReport
from assistant.index.lock import write_lock
from assistant.index.store import ChunkStore
from assistant.progress import Progress
from assistant.settings import Settings


def reindex(
    settings: Settings, embedder: Embedder, progress: Progress | None = None
) -> IngestReport:
    """Re-embed the configured store with ``embedder`` (the configured model)."""
    backup = _backup_path(settings)
    with write_lock(backup.parent):
        if not backup.exists():
            old = ChunkStore(settings.store, embedder, check_model=False)
            papers = [stored.paper for stored in old.papers()]
            staging = backup.with_suffix(".tmp")
            staging.write_text("".join(p.model_dump_json() + "\n" for p in papers))
            staging.replace(backup)
            old.drop()
        papers = [Paper.model_validate(json.loads(line)) for line in backup.open()]
        store = ChunkStore(settings.store, embedder)
        report = Ingestor(store, embedder, settings.chunking).add_papers(papers, progress)
        backup.unlink()
    return report


def _backup_path(settings: Settings) -> Path:
    store = settings.store
    if not store.server_url:
        return store.path / f"reindex-{store.collection}.jsonl"
    key = store.server_key()
    return paths.cache_dir() / f"reindex-{key}.jsonl"
