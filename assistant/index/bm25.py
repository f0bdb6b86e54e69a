"""BM25 in segments that can grow and shrink without re-indexing what is already there.

Scores are computed at query time from raw term frequencies, with Lucene's BM25 (the variant
bm25s uses): idf = ln(1 + (N - df + 0.5) / (df + 0.5)) and a term weight of
tf / (tf + k1 (1 - b + b dl / avgdl)), k1 = 1.5, b = 0.75. N, df and the average length are
those of the live documents at the moment of the query, so adding documents (a new segment) or
removing some (marked dead in their segment) never requires touching the others. Segments are
merged when there are too many or too much of one is dead; merging moves postings, it never
re-tokenizes. How an index lies on disk is ``bm25_files.py``.
"""

import math
import uuid
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.index.filters import Filters

K1, B = 1.5, 0.75
MAX_SEGMENTS = 8
"""More segments than this are merged, the smallest first."""
MAX_DEAD = 0.25
"""A segment with more dead documents than this fraction is rewritten without them."""


@dataclass(frozen=True)
class Doc:
    id: str
    terms: list[str]
    paper_id: str
    year: int
    tags: list[str]
    collections: list[str]


@dataclass(eq=False)  # arrays inside: compared by identity
class Labels:
    """A set of labels (tags, or collections) per document, kept as an index into the distinct
    sets: a corpus has few, so a filter tests each set once, not each document."""

    sets: list[list[str]]
    index: np.ndarray

    @classmethod
    def of(cls, per_document: Iterable[Sequence[str]]) -> "Labels":
        table: dict[tuple[str, ...], int] = {}
        index = array("i", (table.setdefault(tuple(labels), len(table)) for labels in per_document))
        return cls([list(labels) for labels in table], np.frombuffer(index, dtype=np.int32))

    @classmethod
    def joined(cls, parts: Sequence[tuple["Labels", np.ndarray]]) -> "Labels":
        """The labels of the documents at ``positions`` of each part, in order."""
        return cls.of(part.sets[i] for part, positions in parts for i in part.index[positions])

    def having(self, label: str) -> np.ndarray:
        """True for the documents with ``label``."""
        admitted = np.asarray([label in s for s in self.sets] or [False], dtype=bool)
        having: np.ndarray = admitted[self.index]
        return having

    def __getitem__(self, position: int) -> list[str]:
        return self.sets[self.index[position]]


@dataclass(eq=False)  # arrays inside: compared by identity (``_compact`` tests membership)
class Segment:
    """Postings of some documents, by term (CSR), with the documents' table; immutable but for
    ``live``, which marks the documents not removed since."""

    terms: list[str]
    indptr: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    lengths: np.ndarray
    ids: list[str]
    paper_ids: list[str]
    years: np.ndarray
    tags: Labels
    collections: Labels
    live: np.ndarray
    name: str = field(default_factory=lambda: f"seg-{uuid.uuid4().hex}")
    _lookup: dict[str, int] | None = None
    _positions: dict[str, int] | None = None
    _live_length: int | None = None
    """The live documents' total length (kept as documents die: a query needs it)."""

    @classmethod
    def of(cls, docs: Sequence[Doc]) -> "Segment":
        vocab: dict[str, int] = {}
        term_ids, doc_ids, tfs = array("q"), array("i"), array("q")  # compact, unlike lists
        lengths = np.zeros(len(docs), dtype=np.int32)
        for d, doc in enumerate(docs):
            counts = Counter(vocab.setdefault(t, len(vocab)) for t in doc.terms)
            term_ids.extend(counts)
            tfs.extend(counts.values())
            doc_ids.extend([d] * len(counts))
            lengths[d] = len(doc.terms)
        return cls._sorted(
            list(vocab),
            np.frombuffer(term_ids, dtype=np.int64),
            np.frombuffer(doc_ids, dtype=np.int32),
            np.minimum(np.frombuffer(tfs, dtype=np.int64), 65535).astype(np.uint16),
            lengths,
            [doc.id for doc in docs],
            [doc.paper_id for doc in docs],
            np.asarray([doc.year for doc in docs], dtype=np.int32),
            Labels.of(doc.tags for doc in docs),
            Labels.of(doc.collections for doc in docs),
        )

    @classmethod
    def merged(cls, segments: Sequence["Segment"]) -> "Segment":
        """The live documents of ``segments`` in one segment."""
        vocab: dict[str, int] = {}
        term_parts, doc_parts, tf_parts = [], [], []
        ids: list[str] = []
        paper_ids: list[str] = []
        kept: list[tuple[Segment, np.ndarray]] = []
        lengths, years = [], []
        for segment in segments:
            remap = np.asarray([vocab.setdefault(t, len(vocab)) for t in segment.terms], np.int64)
            renumber = np.cumsum(segment.live, dtype=np.int64) - 1 + len(ids)
            posting_terms = np.repeat(np.arange(len(segment.terms)), np.diff(segment.indptr))
            keep = segment.live[segment.docs]
            term_parts.append(remap[posting_terms[keep]])
            doc_parts.append(renumber[segment.docs[keep]].astype(np.int32))
            tf_parts.append(segment.tfs[keep])
            alive = np.flatnonzero(segment.live)
            ids.extend(segment.ids[i] for i in alive)
            paper_ids.extend(segment.paper_ids[i] for i in alive)
            kept.append((segment, alive))
            lengths.append(segment.lengths[alive])
            years.append(segment.years[alive])
        return cls._sorted(
            list(vocab),
            np.concatenate(term_parts) if term_parts else np.zeros(0, np.int64),
            np.concatenate(doc_parts) if doc_parts else np.zeros(0, np.int32),
            np.concatenate(tf_parts) if tf_parts else np.zeros(0, np.uint16),
            np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
            ids,
            paper_ids,
            np.concatenate(years) if years else np.zeros(0, np.int32),
            Labels.joined([(s.tags, alive) for s, alive in kept]),
            Labels.joined([(s.collections, alive) for s, alive in kept]),
        )

    @classmethod
    def _sorted(
        cls,
        terms: list[str],
        term_ids: np.ndarray,
        doc_ids: np.ndarray,
        tfs: np.ndarray,
        lengths: np.ndarray,
        ids: list[str],
        paper_ids: list[str],
        years: np.ndarray,
        tags: Labels,
        collections: Labels,
    ) -> "Segment":
        """A segment from (term, document, tf) postings in document order."""
        order = np.argsort(term_ids, kind="stable")
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(terms)), out=indptr[1:])
        live = np.ones(len(ids), dtype=bool)
        return cls(
            terms, indptr, doc_ids[order], tfs[order], lengths, ids, paper_ids, years, tags,
            collections, live,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dead(self) -> int:
        return len(self.ids) - int(self.live.sum())

    @property
    def live_length(self) -> int:
        if self._live_length is None:
            self._live_length = int(self.lengths[self.live].sum())
        return self._live_length

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The live documents (local positions) holding ``term``, and its frequency in each."""
        if self._lookup is None:
            self._lookup = {t: i for i, t in enumerate(self.terms)}
        row = self._lookup.get(term)
        if row is None:
            return np.zeros(0, np.int32), np.zeros(0, np.uint16)
        docs = self.docs[self.indptr[row] : self.indptr[row + 1]]
        tfs = self.tfs[self.indptr[row] : self.indptr[row + 1]]
        keep = self.live[docs]
        return docs[keep], tfs[keep]

    def kill(self, chunk_id: str) -> bool:
        """Mark the document ``chunk_id`` dead; False when this segment does not hold it."""
        if self._positions is None:
            self._positions = {i: n for n, i in enumerate(self.ids)}
        position = self._positions.get(chunk_id)
        if position is None or not self.live[position]:
            return False
        self.live[position] = False
        if self._live_length is not None:
            self._live_length -= int(self.lengths[position])
        return True

    def admitted(self, filters: Filters) -> np.ndarray:
        """True for the documents that pass ``filters``."""
        keep = np.ones(len(self), dtype=bool)
        if filters.year_from is not None:
            keep &= (self.years != 0) & (self.years >= filters.year_from)
        if filters.year_to is not None:
            keep &= (self.years != 0) & (self.years <= filters.year_to)
        if filters.tag is not None:
            keep &= self.tags.having(filters.tag)
        if filters.collection is not None:
            keep &= self.collections.having(filters.collection)
        return keep


class Bm25:
    """Documents in segments, searched as one collection."""

    def __init__(self, segments: list[Segment] | None = None) -> None:
        self.segments = segments or []

    @classmethod
    def build(cls, docs: Iterable[Doc], segment_size: int = 250_000) -> "Bm25":
        """An index of ``docs``, read in segments of ``segment_size`` (memory stays bounded)."""
        index = cls()
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) == segment_size:
                index.segments.append(Segment.of(batch))
                batch = []
        if batch:
            index.segments.append(Segment.of(batch))
        return index

    def __len__(self) -> int:
        return sum(len(s) - s.dead for s in self.segments)

    def ids(self) -> list[str]:
        """The live documents' ids."""
        return [s.ids[i] for s in self.segments for i in np.flatnonzero(s.live)]

    def replace(self, remove: Iterable[str], add: Sequence[Doc]) -> None:
        """Remove the documents ``remove`` (where present), then add ``add`` as a new segment."""
        for chunk_id in remove:
            for segment in self.segments:
                if segment.kill(chunk_id):
                    break
        if add:
            self.segments.append(Segment.of(add))
        self._compact()

    def _compact(self) -> None:
        chosen = [s for s in self.segments if s.dead > MAX_DEAD * len(s)]
        excess = len(self.segments) - MAX_SEGMENTS
        if excess > 0:
            smallest = sorted(self.segments, key=lambda s: len(s) - s.dead)
            chosen += [s for s in smallest[: excess + MAX_SEGMENTS // 2] if s not in chosen]
        if not chosen:
            return
        kept = [s for s in self.segments if s not in chosen]
        merged = Segment.merged(chosen)
        self.segments = kept + ([merged] if len(merged) else [])

    def search(
        self, terms: Sequence[str], n: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """The ``n`` best (id, score) pairs for the query ``terms`` (a term given twice counts
        twice), best first; documents that score 0 are left out."""
        live = len(self)
        if not live or not terms or n <= 0:
            return []
        average = sum(s.live_length for s in self.segments) / live or 1.0
        bases = np.cumsum([0] + [len(s) for s in self.segments])
        scores = np.zeros(int(bases[-1]), dtype=np.float32)
        counts = Counter(terms)
        found = {t: [s.postings(t) for s in self.segments] for t in counts}
        norms: dict[int, np.ndarray] = {}  # per segment, only where a term occurs
        for term, repeat in counts.items():
            df = sum(len(docs) for docs, _ in found[term])
            if not df:
                continue
            idf = math.log(1 + (live - df + 0.5) / (df + 0.5)) * repeat
            for s, (segment, (docs, tfs)) in enumerate(
                zip(self.segments, found[term], strict=True)
            ):
                if not len(docs):
                    continue
                if s not in norms:
                    norms[s] = (K1 * (1 - B) + K1 * B / average * segment.lengths).astype(
                        np.float32
                    )
                tf = tfs.astype(np.float32)
                view = scores[bases[s] : bases[s + 1]]
                view[docs] += idf * tf / (tf + norms[s][docs])
        if filters is not None and filters.active:
            scores *= np.concatenate([s.admitted(filters) for s in self.segments])
        scored = np.flatnonzero(scores > 0)
        if not len(scored):
            return []
        n = min(n, len(scored))
        top = scored[np.argpartition(-scores[scored], n - 1)[:n]]
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = [self._id_at(int(p), bases) for p in top]
        return [(i, float(scores[p])) for i, p in zip(ids, top, strict=True)]

    def _id_at(self, position: int, bases: np.ndarray) -> str:
        s = int(np.searchsorted(bases, position, side="right")) - 1
        return self.segments[s].ids[position - int(bases[s])]
