"""The history file: SQLite in WAL mode, versioned with ``PRAGMA user_version``."""

import os
import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from assistant import paths
from assistant.errors import InputError, StoreError
from assistant.history.rows import (
    ENTRY_COLUMNS,
    EntryRow,
    SessionRow,
    decode_entry,
    dump_json,
    encode_sources,
)
from assistant.results import Kind, Source, TaskResult
from assistant.settings import StoreSettings

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 2
TITLE_CHARS = 120
INTERRUPTED = "interrupted: the process writing it stopped before the end"
STOPPED = "stopped before the end"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    query TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    mode TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    prompt_version TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',
    sentences TEXT NOT NULL DEFAULT '[]',
    headings TEXT NOT NULL DEFAULT '{}',
    invalid_citations TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    error TEXT,
    writer TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_session ON entries(session_id, id);
CREATE INDEX IF NOT EXISTS entries_by_status ON entries(status);
"""
"""Version 1. A later version adds a step to ``_MIGRATIONS`` and bumps ``SCHEMA_VERSION``."""

_CHECKS = "ALTER TABLE entries ADD COLUMN checks TEXT NOT NULL DEFAULT '{}'"
"""Version 2: the citation check of an entry (``CheckReport.to_json``: verdicts, confidence,
evidence), '{}' when it was not checked."""

_MIGRATIONS: dict[int, str] = {0: _SCHEMA, 1: _CHECKS}
"""The script that takes the file from each version to the next; idempotent, as two processes
may open a new file at once."""


def history_path(store: StoreSettings) -> Path:
    """``<store>/history.sqlite3``; for a server store, a file per server and collection in the
    cache directory (the server holds no history)."""
    if not store.server_url:
        return store.path / FILE_NAME
    key = store.server_key()
    return paths.cache_dir() / "history" / f"{key}.sqlite3"


class History:
    """The history file, opened (and created, and migrated) for one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = f"{socket.gethostname()}:{os.getpid()}"
        with self._guard():
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            self.mark_interrupted()

    @classmethod
    def for_store(cls, store: StoreSettings) -> "History":
        return cls(history_path(store))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Writing

    def new_session(self, title: str) -> int:
        now = _now()
        title = " ".join(title.split())[:TITLE_CHARS] or "(untitled)"
        with self._guard():
            cursor = self._db.execute(
                "INSERT INTO sessions (title, created, updated) VALUES (?, ?, ?)",
                (title, now, now),
            )
        return _rowid(cursor)

    def start(self, session_id: int, kind: Kind, query: str, options: Mapping[str, Any]) -> int:
        """A new entry, "running", before anything is asked of a model."""
        self.session(session_id)
        now = _now()
        with self._guard(), self._transaction():
            cursor = self._db.execute(
                "INSERT INTO entries (session_id, kind, query, options, status, writer, created,"
                " updated) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                (session_id, kind, query, dump_json(dict(options)), self._writer, now, now),
            )
            self._touch(session_id, now)
        return _rowid(cursor)

    def retrieved(self, entry_id: int, sources: Sequence[Source]) -> None:
        """The sources, once chosen (before the model answers)."""
        self._update(entry_id, sources=encode_sources(sources))

    def progress(self, entry_id: int, text: str) -> None:
        """The text streamed so far (all of it, not a piece)."""
        self._update(entry_id, text=text)

    def finish(self, entry_id: int, result: TaskResult) -> None:
        self._update(
            entry_id,
            mode=result.mode,
            sources=encode_sources(result.sources),
            prompt_version=result.prompt_version,
            backend=result.backend,
            model=result.model,
            prompt_tokens=result.usage.prompt_tokens,
            completion_tokens=result.usage.completion_tokens,
            text=result.text,
            sentences=dump_json([asdict(s) for s in result.sentences]),
            headings=dump_json(result.headings),
            invalid_citations=dump_json(result.invalid_citations),
            status=result.status,
            error=result.error,
        )

    def checked(self, entry_id: int, result: TaskResult, checks: Mapping[str, Any]) -> None:
        """The entry's citation check, and its result as checked (repaired sentences)."""
        self._update(
            entry_id,
            text=result.text,
            sentences=dump_json([asdict(s) for s in result.sentences]),
            checks=dump_json(dict(checks)),
        )

    def fail(self, entry_id: int, error: str) -> None:
        """Failed, with why; the query, options and any text already written stay."""
        self._update(entry_id, status="failed", error=error)

    def interrupt(self, entry_id: int, reason: str = STOPPED) -> None:
        """Stopped by the user (or its caller) before the end: incomplete, text kept."""
        self._update(entry_id, status="incomplete", error=reason)

    def mark_interrupted(self) -> int:
        """Entries left "running" by a process that no longer runs become "incomplete", their
        partial text kept. Returns how many."""
        with self._guard():
            rows = self._db.execute(
                "SELECT id, writer FROM entries WHERE status = 'running'"
            ).fetchall()
        stale = [entry_id for entry_id, writer in rows if not _alive(writer)]
        for entry_id in stale:
            self.interrupt(entry_id, INTERRUPTED)
        return len(stale)

    # Reading

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        """Newest (last written) first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT s.id, s.title, s.created, s.updated, COUNT(e.id) FROM sessions s"
                " LEFT JOIN entries e ON e.session_id = s.id GROUP BY s.id"
                " ORDER BY s.updated DESC, s.id DESC LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [SessionRow(*row) for row in rows]

    def session(self, session_id: int) -> SessionRow:
        with self._guard():
            row = self._db.execute(
                "SELECT s.id, s.title, s.created, s.updated, COUNT(e.id) FROM sessions s"
                " LEFT JOIN entries e ON e.session_id = s.id WHERE s.id = ? GROUP BY s.id",
                (session_id,),
            ).fetchone()
        if row is None:
            raise InputError(f"no session {session_id}", hint="`citewise history` lists them")
        return SessionRow(*row)

    def entries(self, session_id: int) -> list[EntryRow]:
        """The session's entries in the order they were asked (a conversation reads down)."""
        return self._select("WHERE session_id = ? ORDER BY id", (session_id,))

    def entry(self, entry_id: int) -> EntryRow:
        found = self._select("WHERE id = ?", (entry_id,))
        if not found:
            raise InputError(f"no history entry {entry_id}", hint="`citewise history` lists them")
        return found[0]

    def turns(self, session_id: int) -> list[tuple[str, str]]:
        """The session's answered questions, (question, answer) oldest first: a follow-up's
        conversation. Failed entries and those without text are left out."""
        return [
            (entry.query, entry.text)
            for entry in self.entries(session_id)
            if entry.kind == "answer" and entry.status != "failed" and entry.text.strip()
        ]

    # Inside

    def _select(self, where: str, values: tuple[Any, ...]) -> list[EntryRow]:
        with self._guard():
            cursor = self._db.execute(
                f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries {where}", values
            )
            rows = cursor.fetchall()
        return [decode_entry(dict(zip(ENTRY_COLUMNS, row, strict=True))) for row in rows]

    def _update(self, entry_id: int, **values: Any) -> None:
        now = _now()
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._guard(), self._transaction():
            cursor = self._db.execute(
                f"UPDATE entries SET {assignments}, updated = ? WHERE id = ? RETURNING session_id",
                (*values.values(), now, entry_id),
            )
            row = cursor.fetchone()
            if row is None:
                raise InputError(f"no history entry {entry_id}")
            self._touch(row[0], now)

    def _touch(self, session_id: int, now: str) -> None:
        self._db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, session_id))

    def _migrate(self) -> None:
        """Each step in its own transaction, the version read again inside it: another process
        may have taken the same step since this one looked."""
        while True:
            with self._transaction():
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the history {self.path} was written by a newer citewise "
                        f"(schema {version}, this one reads {SCHEMA_VERSION})",
                        hint="upgrade citewise, or point --store elsewhere",
                    )
                if version == SCHEMA_VERSION:
                    return
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(
                f"the history {self.path} cannot be used: {error}",
                hint="if it is damaged, move it aside and a new one is started",
            ) from error
        except OSError as error:
            raise StoreError(
                f"the history {self.path} cannot be written: {error.strerror or error}"
            ) from error


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _rowid(cursor: sqlite3.Cursor) -> int:
    return cast(int, cursor.lastrowid)


def _alive(writer: str) -> bool:
    """Whether the process that wrote "host:pid" still runs. Only a process on this host can be
    checked, and only on POSIX (on Windows, ``os.kill`` would end it): otherwise, not alive."""
    host, _, pid_text = writer.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or os.name != "posix":
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    except OSError:
        return False
    return True
