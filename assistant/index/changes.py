"""The store's change log: which chunk ids each write touched, so derived indexes (the lexical
index) catch up by re-reading only those.

Writes are numbered. Before write *n* touches the collection, it records the ids it will upsert
or delete as entry *n* of ``<collection>.changes``, a small collection beside the chunks (each
entry a one-number placeholder vector; nothing ever queries it). An index that reflects the
store as of write *s* catches up to write *n* by re-reading the ids of entries *s+1..n* (*s..n*
when the index was read while write *s* was under way or killed). Re-reading an id
gives the store's present state for it, whatever a killed or concurrent write left behind, so
the index never needs to know whether a write finished. Only the last ``KEEP`` entries are
kept; an index further behind is rebuilt from a full read. A ``Version`` says where the
store is in this history.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from assistant.index.chroma import delete_collection, guard

KEEP = 1024
PRUNE_EVERY = 64


@dataclass(frozen=True)
class Version:
    """Where the store is in its history."""

    token: str
    """Changes before and after every write: ``<seq>~<random>`` while write ``seq`` is under
    way (or was killed), ``<seq>:<random>`` once it is done."""
    seq: int
    """The number of the last write begun (0 before the first, or in a store from before
    writes were numbered)."""
    epoch: str
    """The collection's id: a new one when the collection is recreated (``reindex``)."""

    @classmethod
    def of(cls, token: str, epoch: str) -> "Version":
        number = token.partition(":")[0].partition("~")[0]
        return cls(token, int(number) if number.isdigit() and number != token else 0, epoch)

    @property
    def settled(self) -> bool:
        """True unless write ``seq`` may be half-done."""
        return "~" not in self.token


class ChangeLog:
    def __init__(
        self, client: ClientAPI, collection: str, location: str, function: Callable[[], Any]
    ) -> None:
        self._client = client
        self.name = f"{collection}.changes"
        self._location = location
        self._function = function
        self._collection: Collection | None = None

    def _log(self) -> Collection:
        if self._collection is None:
            self._collection = guard(
                self._location,
                lambda: self._client.get_or_create_collection(
                    self.name, embedding_function=self._function()
                ),
            )
        return self._collection

    def record(self, seq: int, epoch: str, chunk_ids: Iterable[str]) -> None:
        """Entry ``seq``: the ids write ``seq`` of the collection ``epoch`` is about to touch."""
        entry: Any = {"seq": seq, "epoch": epoch, "ids": json.dumps(sorted(set(chunk_ids)))}
        placeholder: Any = [[0.0]]
        log = self._log()
        guard(
            self._location,
            lambda: log.upsert(ids=[_key(seq)], embeddings=placeholder, metadatas=[entry]),
        )
        if seq % PRUNE_EVERY == 0:
            older: Any = {"seq": {"$lt": seq - KEEP}}
            guard(self._location, lambda: log.delete(where=older))

    def touched(self, first: int, last: int, epoch: str) -> set[str] | None:
        """The ids entries ``first..last`` name; None when one is missing (pruned, or from
        another incarnation of the collection)."""
        first = max(first, 1)  # there is no write 0: a store nobody wrote to yet
        if last < first:
            return set()
        if last - first >= KEEP:
            return None
        keys = [_key(seq) for seq in range(first, last + 1)]
        log = self._log()
        found = guard(self._location, lambda: log.get(ids=keys, include=["metadatas"]))
        entries = found["metadatas"] or []
        if len(entries) != len(keys) or any(e.get("epoch") != epoch for e in entries):
            return None
        return {chunk_id for e in entries for chunk_id in json.loads(str(e["ids"]))}

    def drop(self) -> None:
        delete_collection(self._location, self._client, self.name)
        self._collection = None


def _key(seq: int) -> str:
    return f"{seq:012d}"
