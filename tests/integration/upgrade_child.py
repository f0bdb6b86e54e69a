"""An upgrade in its own process, for the kill test.

``python -m tests.integration.upgrade_child STORE [--page N]``: STORE is a directory or
``http://host:port/collection``. Opens the store with the fast test embedding, which upgrades a
store of an earlier schema, N chunks a page; prints ``start`` before and ``done`` after.
"""

import argparse

from assistant.index import store
from assistant.index.store import ChunkStore
from tests.fakes import HashEmbedder
from tests.integration.ingest_child import settings_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--page", type=int, default=store.PAGE)
    args = parser.parse_args()
    store.PAGE = args.page
    print("start", flush=True)
    ChunkStore(settings_for(args.store).store, HashEmbedder())
    print("done", flush=True)


if __name__ == "__main__":
    main()
