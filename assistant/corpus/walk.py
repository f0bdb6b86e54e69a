"""Turning the paths a user names into the files to read, safely."""

import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ZOTERO_DATABASE = "zotero.sqlite"
"""A directory holding this is a Zotero data directory: the database is all that is read."""


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def files_under(paths: list[Path]) -> Iterator[Path | Skipped]:
    """Each named file, and every file under each named directory (recursively, sorted).

    Hidden files and directories are skipped; symbolic links are followed, but a directory
    already visited (a symlink loop) is skipped and reported, and so are broken links, files
    that cannot be read, and pipes, sockets and devices (reading a pipe would wait forever). In
    a Zotero data directory only ``zotero.sqlite`` is listed: not storage/ (attachments),
    backups, or Better BibTeX's store.
    """
    seen: set[Path] = set()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            yield Skipped(path, "no such file or directory")
        elif path.is_dir():
            yield from _walk(path, seen)
        else:
            yield _file(path)


def _walk(root: Path, seen: set[Path]) -> Iterator[Path | Skipped]:
    real = root.resolve()
    if real in seen:
        yield Skipped(root, "directory already read (symbolic link loop?)")
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as error:
        yield Skipped(root, f"cannot list directory ({error.strerror or error})")
        return
    zotero = next((e for e in entries if e.name == ZOTERO_DATABASE and e.is_file()), None)
    if zotero is not None:
        yield Path(zotero.path)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError as error:
            yield Skipped(path, f"cannot read ({error.strerror or error})")
            continue
        if is_dir:
            yield from _walk(path, seen)
        else:
            yield _file(path)


def _file(path: Path) -> Path | Skipped:
    """``path`` when it is a regular file this process may read; else why it is skipped."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if path.is_symlink():
            return Skipped(path, "broken symbolic link")
        return Skipped(path, f"cannot read ({error.strerror or error})")
    if not stat.S_ISREG(mode):
        return Skipped(path, "not a regular file (a pipe, socket or device)")
    if not os.access(path, os.R_OK):
        return Skipped(path, "cannot read (permission denied)")
    return path


def fingerprint(paths: list[Path]) -> frozenset[tuple[str, int, int]]:
    """What changes when a file under ``paths`` is added, removed, edited or touched."""
    found = set()
    for item in files_under(paths):
        if isinstance(item, Path):
            try:
                stat = item.stat()
            except OSError:
                continue
            found.add((str(item), stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


def watch(
    paths: list[Path],
    on_change: Callable[[], None],
    interval: float,
    keep_going: Callable[[], bool] = lambda: True,
    since: frozenset[tuple[str, int, int]] | None = None,
) -> None:
    """Call ``on_change`` whenever the files under ``paths`` differ from ``since`` (default: as
    they are now), polling every ``interval`` seconds while ``keep_going()`` (polling works on
    every file system, network mounts too)."""
    seen = fingerprint(paths) if since is None else since
    while keep_going():
        time.sleep(interval)
        now = fingerprint(paths)
        if now != seen:
            seen = now
            on_change()
