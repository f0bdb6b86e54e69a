"""Writers to one collection on a Chroma server take turns, holding a lease.

The lease is a marker collection, ``<collection>.writer``: creating a collection is atomic on the
server, so the writer that creates it holds the lease, and deleting it hands the lease back. A
writer holds it only while it writes one batch (well under a second), so two ingests embed in
parallel and interleave their writes. The marker names its holder (host and pid) and when the
lease lapses; a writer finding a lapsed lease, or one held by a dead process on its own host
(``kill -9``), takes it over.
"""

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from assistant.errors import StoreError

LAPSE_SECONDS = 60.0
"""A held lease lapses this long after it was taken: far longer than one batch's write."""


class Markers(Protocol):
    location: str

    def create_marker(self, name: str, metadata: dict[str, Any]) -> bool: ...

    def marker(self, name: str) -> dict[str, Any] | None: ...

    def delete_marker(self, name: str) -> None: ...


class Lease:
    def __init__(self, markers: Markers, collection: str, wait_seconds: float = 120.0) -> None:
        self._markers = markers
        self._name = f"{collection}.writer"
        self._wait = wait_seconds
        self._depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lease for the block; re-entrant within this process."""
        if self._depth == 0:
            self._acquire()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._markers.delete_marker(self._name)

    def _acquire(self) -> None:
        deadline = time.monotonic() + self._wait
        pause = 0.01
        while True:
            holder = {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "token": uuid.uuid4().hex,
                "lapses": time.time() + LAPSE_SECONDS,
            }
            if self._markers.create_marker(self._name, holder):
                return
            found = self._markers.marker(self._name)
            if found is not None and _abandoned(found):
                self._break(found)
                continue
            if time.monotonic() > deadline:
                who = f"pid {found.get('pid')} on {found.get('host')}" if found else "a writer"
                raise StoreError(
                    f"the store at {self._markers.location} stayed locked by {who} "
                    f"for {self._wait:.0f} s",
                    hint="another ingest is writing; try again when it is done",
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _break(self, found: dict[str, Any]) -> None:
        """Delete an abandoned marker, unless another writer replaced it meanwhile."""
        again = self._markers.marker(self._name)
        if again is not None and again.get("token") == found.get("token"):
            self._markers.delete_marker(self._name)


def _abandoned(holder: dict[str, Any]) -> bool:
    if float(holder.get("lapses", 0)) < time.time():
        return True
    if holder.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False
