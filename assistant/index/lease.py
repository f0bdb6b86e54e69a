"""Writers to one collection on a Chroma server take turns, holding a lease.

The lease is an empty collection beside the chunks, ``<collection>.writer``: creating a
collection is atomic on the server, so the writer that creates it holds the lease, and deleting
it hands the lease back. A writer holds it only while it writes one batch (well under a
second), so two ingests embed in parallel and interleave their writes. The lease collection
names its holder (host and pid) and when the lease lapses; a writer finding a lapsed lease, or
one held by a dead process on its own host (``kill -9``), takes it over.
"""

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from chromadb.api import ClientAPI
from chromadb.errors import ChromaError, NotFoundError

from assistant.errors import StoreError
from assistant.index.chroma import delete_collection, guard

LAPSE_SECONDS = 60.0
"""A held lease lapses this long after it was taken: far longer than one batch's write."""


class Lease:
    def __init__(
        self,
        client: ClientAPI,
        collection: str,
        location: str,
        function: Callable[[], Any],
        wait_seconds: float = 120.0,
    ) -> None:
        self._client = client
        self.name = f"{collection}.writer"
        self._location = location
        self._function = function
        self.wait_seconds = wait_seconds
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
                self.release()

    # The lease collection

    def claim(self, holder: dict[str, Any]) -> bool:
        """Create the lease collection, naming ``holder``; False when it exists already."""

        def create() -> bool:
            try:
                self._client.create_collection(
                    self.name, embedding_function=self._function(), metadata=holder
                )
                return True
            except ChromaError as error:
                if "already exists" in str(error):
                    return False
                raise

        return guard(self._location, create)

    def holder(self) -> dict[str, Any] | None:
        """Who holds the lease (None: nobody)."""

        def read() -> dict[str, Any] | None:
            try:
                found = self._client.get_collection(self.name, embedding_function=self._function())
            except NotFoundError:
                return None
            return dict(found.metadata or {})

        return guard(self._location, read)

    def release(self) -> None:
        delete_collection(self._location, self._client, self.name)

    # Taking it

    def _acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        pause = 0.01
        while True:
            holder = {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "token": uuid.uuid4().hex,
                "lapses": time.time() + LAPSE_SECONDS,
            }
            if self.claim(holder):
                return
            found = self.holder()
            if found is not None and _abandoned(found):
                self._break(found)
                continue
            if time.monotonic() > deadline:
                who = f"pid {found.get('pid')} on {found.get('host')}" if found else "a writer"
                raise StoreError(
                    f"the store at {self._location} stayed locked by {who} "
                    f"for {self.wait_seconds:.0f} s",
                    hint="another ingest is writing; try again when it is done",
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _break(self, found: dict[str, Any]) -> None:
        """Release an abandoned lease, unless another writer took it meanwhile."""
        again = self.holder()
        if again is not None and again.get("token") == found.get("token"):
            self.release()


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
