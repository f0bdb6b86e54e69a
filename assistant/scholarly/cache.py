"""Answers of the scholarly APIs kept on disk, so the same request twice costs one.

One SQLite file in the cache directory (``paths.cache_dir()/scholarly.sqlite``): the request's
public URL (never a key) maps to the status and body of the answer and when it was stored. An
answer older than the expiry is not used (and is replaced by the next one). Only answers a client
has parsed are stored, so a damaged body is never served again. Several processes may share the
file (SQLite's locking; WAL journal).
"""

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    url TEXT PRIMARY KEY,
    stored REAL NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL
)
"""


@dataclass(frozen=True)
class Cached:
    status: int
    body: bytes
    age_s: float


class ResponseCache:
    def __init__(
        self, path: Path, max_age_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self.max_age_s = max_age_s
        self.clock = clock
        self._ready = False

    def get(self, url: str) -> Cached | None:
        """The stored answer to ``url``, unless there is none or it has expired."""
        if self.max_age_s <= 0 or not self.path.exists():
            return None
        with closing(self._connect()) as db:
            row = db.execute("SELECT stored, status, body FROM answers WHERE url = ?", (url,))
            found = row.fetchone()
        if found is None:
            return None
        age = self.clock() - float(found[0])
        return Cached(int(found[1]), bytes(found[2]), age) if age <= self.max_age_s else None

    def put(self, url: str, status: int, body: bytes) -> None:
        if self.max_age_s <= 0:
            return
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO answers (url, stored, status, body) VALUES (?, ?, ?, ?)",
                (url, self.clock(), status, body),
            )

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        if not self._ready:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            self._ready = True
        return db
