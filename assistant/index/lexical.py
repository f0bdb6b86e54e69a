"""The lexical (BM25) side of hybrid search, built with bm25s and kept in step with the store.

The index is derived data: it is rebuilt from the chunks the store holds and records the store's
generation token it was built from. When the token differs (another process wrote, or a write
was interrupted), the index is stale and is rebuilt before use. It is saved atomically: a new
directory is written beside the old one and swapped in, so a crash never leaves half an index.
"""

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from assistant.index.filters import Filters
from assistant.index.store import StoredChunk

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
    """BM25 over chunks, with the per-chunk paper id, year and tags used for filtering."""

    def __init__(
        self,
        retriever: bm25s.BM25 | None,
        chunk_ids: list[str],
        paper_ids: list[str],
        years: np.ndarray,
        tags: list[list[str]],
        collections: list[list[str]],
        generation: str,
    ) -> None:
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self.paper_ids = paper_ids
        self.years = years
        self.tags = tags
        self.collections = collections
        self.generation = generation

    @classmethod
    def build(cls, chunks: Iterable[StoredChunk], generation: str) -> "LexicalIndex":
        ids, papers, years, tags, collections, corpus = [], [], [], [], [], []
        for chunk in chunks:
            ids.append(chunk.id)
            papers.append(chunk.paper.id)
            years.append(chunk.paper.year or 0)
            tags.append(list(chunk.paper.tags))
            collections.append(list(chunk.paper.collections))
            text = (
                chunk.text
                if chunk.text == chunk.paper.title
                else f"{chunk.paper.title} {chunk.text}"
            )
            corpus.append(terms(text) or [""])
        retriever = None
        if corpus:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
        years_array = np.asarray(years, dtype=np.int32)
        return cls(retriever, ids, papers, years_array, tags, collections, generation)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        if self._retriever is None:
            return []
        vocab = self._retriever.vocab_dict
        tokens = [t for t in terms(query) if t in vocab]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens, weight_mask=mask)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [LexicalHit(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """1.0 for chunks that pass the filters, 0.0 for the rest; None when nothing filters."""
        if filters is None or not filters.active:
            return None
        keep = [
            filters.admits(int(year) or None, tags, collections)
            for year, tags, collections in zip(self.years, self.tags, self.collections, strict=True)
        ]
        return np.asarray(keep, dtype=np.float32)

    # Persistence

    def save(self, directory: Path) -> None:
        staging = directory.with_name(directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(staging / "bm25"))
        np.save(staging / "years.npy", self.years)
        meta = {
            "generation": self.generation,
            "chunk_ids": self.chunk_ids,
            "paper_ids": self.paper_ids,
            "tags": self.tags,
            "collections": self.collections,
        }
        (staging / "index.json").write_text(json.dumps(meta))
        _swap(staging, directory)

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        """The saved index, or None when there is none or it cannot be read (it is rebuilt)."""
        try:
            meta = json.loads((directory / "index.json").read_text())
            years = np.load(directory / "years.npy")
            bm25_dir = directory / "bm25"
            retriever = bm25s.BM25.load(str(bm25_dir)) if bm25_dir.is_dir() else None
            return cls(
                retriever,
                meta["chunk_ids"],
                meta["paper_ids"],
                years,
                meta["tags"],
                meta["collections"],
                meta["generation"],
            )
        except (OSError, ValueError, KeyError):
            return None


def _swap(staging: Path, directory: Path) -> None:
    """Put ``staging`` in place of ``directory``; a crash in between leaves no index (rebuilt)."""
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(staging, directory)
    shutil.rmtree(old, ignore_errors=True)
