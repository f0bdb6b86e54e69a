"""The lexical (BM25) side of hybrid search, kept in step with the store.

The index is derived data. It records the store's version it reflects (the generation token,
the write sequence number and the collection's id). When the store has moved on, the index
catches up by re-reading only the chunks the store's change log says the writes since then
touched (``changes.py``), whether those writes finished or were killed half-way; it is rebuilt
from a full read only when it has never been built, the store was recreated (``reindex``), the
log no longer reaches back far enough, or most of the store changed. See ``bm25.py`` for how an
index takes additions and removals without re-indexing the rest.
"""

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

from assistant.index import bm25_files
from assistant.index.bm25 import Bm25, Doc
from assistant.index.changes import Version
from assistant.index.filters import Filters
from assistant.index.records import StoredChunk
from assistant.index.store import ChunkStore

FORMAT = 4
"""Version 4: segment folders, memory-mapped, labels as indexes into their distinct sets.
An index in an earlier format (3: labels per line; 2: .npz and JSON; 1: bm25s) is rebuilt."""
REBUILD_SHARE = 0.5
"""When more than this share of the index would be re-read, a full rebuild is as cheap."""
RECHECK_SECONDS = 10.0
"""How long an index read while a write was unsettled is trusted before that write's chunks
are read again (see ``LexicalIndex.current``)."""

_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORD_TEXT = """
a an and are as at be by for from has have in is it its of on or that the this to was were which
with we our these those their than then there such can also into not no but been using used use
based via
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed words without stop words: what BM25 indexes and matches."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]
    return list(_stemmer().stemWords(words))


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """BM25 over the store's chunks, and the version of the store it reflects."""

    def __init__(self, bm25: Bm25, version: Version) -> None:
        self._bm25 = bm25
        self.version = version
        self._checked = -math.inf
        """When this process last brought the index up to the store (monotonic seconds)."""

    @classmethod
    def build(cls, store: ChunkStore) -> "LexicalIndex":
        version = store.version()  # read before the chunks: what changes meanwhile is re-read
        index = cls(Bm25.build(_doc(c) for c in store.chunks()), version)
        index._checked = time.monotonic()
        return index

    @property
    def generation(self) -> str:
        return self.version.token

    def current(self, token: str) -> bool:
        """Whether the index can answer for the store whose generation token is ``token``.

        A write left unsettled (its writer killed) may still be landing: a killed client's
        last request can complete on the server afterwards, and nothing changes the token
        then. So an index read during such a write is trusted for ``RECHECK_SECONDS`` only;
        then ``caught_up`` reads that write's chunks again."""
        if token != self.version.token:
            return False
        return self.version.settled or time.monotonic() - self._checked < RECHECK_SECONDS

    @property
    def chunk_ids(self) -> list[str]:
        return self._bm25.ids()

    def __len__(self) -> int:
        return len(self._bm25)

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        found = self._bm25.search(terms(query), n, filters)
        return [LexicalHit(chunk_id, score) for chunk_id, score in found]

    def caught_up(self, store: ChunkStore) -> "LexicalIndex":
        """This index brought up to the store's present version, or a rebuilt one when that
        is the only (or the cheaper) way."""
        now = store.version()
        if now.token == self.version.token and now.settled:
            return self
        if now.epoch != self.version.epoch or now.seq < self.version.seq:
            return LexicalIndex.build(store)
        # Write ``seq`` is re-read when it may have been under way while the index was read.
        first = self.version.seq + (1 if self.version.settled else 0)
        touched = store.touched(first, now.seq)
        if touched is None or len(touched) > REBUILD_SHARE * max(len(self), 1):
            return LexicalIndex.build(store)
        present = store.get(sorted(touched))
        self._bm25.replace(touched, [_doc(c) for c in present])
        self.version, self._checked = now, time.monotonic()
        return self

    # Files

    def save(self, directory: Path) -> None:
        v = self.version
        extra: dict[str, object] = {"format": FORMAT, "token": v.token, "seq": v.seq}
        bm25_files.save(self._bm25, directory, extra | {"epoch": v.epoch})

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        """The saved index, or None when there is none or it cannot be read (it is rebuilt)."""
        loaded = bm25_files.load(directory)
        if loaded is None:
            return None
        bm25, manifest = loaded
        if manifest.get("format") != FORMAT:
            return None
        token, seq, epoch = manifest.get("token"), manifest.get("seq"), manifest.get("epoch")
        if not isinstance(token, str) or not isinstance(seq, int) or not isinstance(epoch, str):
            return None
        return cls(bm25, Version(token, seq, epoch))


def _doc(chunk: StoredChunk) -> Doc:
    paper = chunk.paper
    text = chunk.text if chunk.text == paper.title else f"{paper.title} {chunk.text}"
    return Doc(
        chunk.id,
        terms(text),
        paper.id,
        paper.year or 0,
        list(paper.tags),
        list(paper.collections),
    )
