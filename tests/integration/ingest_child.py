"""An ingest in its own process, for the concurrency and kill tests.

``python -m tests.integration.ingest_child STORE FILE... [--pause S] [--hold PATH]``: STORE
is a directory or ``http://host:port/collection``. Ingests FILEs with the fast test embedding,
``--pause`` seconds per embedded batch (to widen the window a kill or a second writer lands
in); with ``--hold``, it waits after writing its first batch until PATH exists. It prints
``start``, ``wrote <done> <total>`` after each batch, and
``done <added> <updated> <unchanged>``.
A StoreError is printed as the CLI would and exits 2.
"""

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError
from assistant.library import Library
from assistant.progress import Progress
from assistant.settings import Settings
from tests.fakes import HashEmbedder


class PausingEmbedder(HashEmbedder):
    def __init__(self, pause: float) -> None:
        super().__init__()
        self.pause = pause

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(self.pause)
        return super().embed(texts)


def reporter(hold: Path | None) -> Progress:
    def progress(phase: str, done: int, total: int, detail: str = "") -> None:
        if phase == "embed" and done:  # a batch written (0: embedding starts)
            print(f"wrote {done} {total}", flush=True)
            while hold is not None and not hold.exists():
                time.sleep(0.05)

    return progress


def settings_for(store: str) -> Settings:
    """A store directory, or a server URL whose path names the collection."""
    if store.startswith("http"):
        server, _, collection = store.rpartition("/")
        return Settings(store={"server_url": server, "collection": collection})
    return Settings(store={"path": store})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--hold", type=Path)
    args = parser.parse_args()
    settings = settings_for(args.store)
    try:
        library = Library(settings, embedder=PausingEmbedder(args.pause))
        print("start", flush=True)
        report = library.ingest(args.files, reporter(args.hold))
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    print(f"done {report.added} {report.updated} {report.unchanged}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
