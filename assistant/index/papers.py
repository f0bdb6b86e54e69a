"""The paper table: each paper's record once, beside the chunks that point at it.

``<collection>.papers`` holds one entry per paper id (``records.py`` says what is in it): the
paper as JSON, its identity keys (a list, so ``matching`` finds a paper by any of them with
``$contains``) and how many chunks it was written with. Like the change log (``changes.py``),
each entry carries a one-number placeholder vector; nothing queries it by vector. The chunk
store (``store.py``) decides when records are written and removed.

Stores before schema 3 kept a copy of the record in every chunk; ``move_records`` moves those
copies into the table, a page of chunks at a time, when such a store is upgraded.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from assistant.index.chroma import PAGE, delete_collection, guard, metadatas, selected
from assistant.index.records import (
    LEGACY,
    PaperRecord,
    legacy_kind,
    legacy_paper,
    read_record,
    record_metadata,
)

CACHED = 10_000
"""Records a table keeps in memory between reads (a search reads those of 100-200 chunks)."""


class PaperTable:
    """The records of one incarnation of the chunk collection: ``epoch`` is its id, which
    ``reindex`` changes. A table of another epoch (left by a ``reindex`` stopped between
    dropping the chunks and dropping their table) reads as empty and is replaced by the first
    write. Only writes create the table: they take turns, so two writers never race to."""

    def __init__(
        self,
        client: ClientAPI,
        collection: str,
        epoch: str,
        location: str,
        function: Callable[[], Any],
    ) -> None:
        self._client = client
        self.name = f"{collection}.papers"
        self._epoch = epoch
        self._location = location
        self._function = function
        self._collection: Collection | None = None
        self._cached: dict[str, PaperRecord] = {}
        self._cached_at = ""
        """The generation token the records in ``_cached`` were read at."""

    def _existing(self) -> Collection | None:
        """The table of this epoch; None when there is none yet."""

        def ours() -> Collection | None:
            try:
                found = self._client.get_collection(self.name, embedding_function=self._function())
            except NotFoundError:
                return None
            return found if (found.metadata or {}).get("epoch") == self._epoch else None

        if self._collection is None:
            self._collection = guard(self._location, ours)
        return self._collection

    def _writable(self) -> Collection:
        """The table of this epoch, created (in place of one of another epoch) if need be."""
        table = self._existing()
        if table is None:
            self.drop()
            table = self._collection = guard(
                self._location,
                lambda: self._client.create_collection(
                    self.name, embedding_function=self._function(), metadata={"epoch": self._epoch}
                ),
            )
        return table

    def put(self, records: Sequence[PaperRecord]) -> None:
        """Write ``records``, replacing those of the same papers."""
        if not records:
            return
        table = self._writable()
        for start in range(0, len(records), PAGE):
            page = records[start : start + PAGE]
            placeholders: Any = [[0.0]] * len(page)
            metas: Any = [record_metadata(r) for r in page]
            ids = [r.paper.id for r in page]
            write = partial(table.upsert, ids=ids, embeddings=placeholders, metadatas=metas)
            guard(self._location, write)

    def get(self, paper_ids: Iterable[str], generation: str = "") -> dict[str, PaperRecord]:
        """The records of those of ``paper_ids`` that have one. Given ``generation``, the
        store's settled generation token read after what asks for them, records read since
        the token last changed come from memory (every write changes it)."""
        ids = list(dict.fromkeys(paper_ids))
        if generation and generation != self._cached_at:
            self._cached, self._cached_at = {}, generation
        known = {i: self._cached[i] for i in ids if i in self._cached} if generation else {}
        table = self._existing()
        if table is None:
            return known
        wanted = [i for i in ids if i not in known]
        read = {i: read_record(i, m) for i, m in metadatas(self._location, table, wanted)}
        if generation:
            if len(self._cached) + len(read) > CACHED:
                self._cached = {}
            self._cached |= read
        return known | read

    def matching(self, where: dict[str, Any]) -> dict[str, PaperRecord]:
        """The records that ``where`` (a Chroma filter on the record's fields) selects."""
        table = self._existing()
        if table is None:
            return {}
        return {i: read_record(i, m) for i, m in selected(self._location, table, where).items()}

    def everything(self) -> dict[str, PaperRecord]:
        """Every record, read page by page (by id: Chroma's offset paging slows as it goes)."""
        table = self._existing()
        if table is None:
            return {}
        return self.get(guard(self._location, partial(table.get, include=[]))["ids"])

    def delete(self, paper_ids: Sequence[str]) -> None:
        table = self._existing()
        if table is None:
            return
        for start in range(0, len(paper_ids), PAGE):
            ids = list(paper_ids[start : start + PAGE])
            guard(self._location, partial(table.delete, ids=ids))

    def drop(self) -> None:
        delete_collection(self._location, self._client, self.name)
        self._collection = None


def members(location: str, chunks: Collection, paper_ids: Sequence[str]) -> dict[str, Any]:
    """The metadata of the chunks of ``paper_ids``, by chunk id."""
    found: dict[str, Any] = {}
    for start in range(0, len(paper_ids), PAGE):
        where = {"paper_id": {"$in": list(paper_ids[start : start + PAGE])}}
        found |= selected(location, chunks, where)
    return found


def move_records(
    location: str, chunks: Collection, table: PaperTable, metas: Sequence[tuple[str, Any]]
) -> None:
    """Upgrade the legacy chunks among ``metas`` (id and metadata of chunks of ``chunks``, those
    that carry their paper's record): a paper with no record in ``table`` yet gets one, from its
    first such chunk; then the chunks lose their copies, and gain the count (schema 1 had none)
    and the kind that chunks have now. Each step can be repeated, and a chunk keeps its copy
    until its paper has a record, so a move stopped anywhere is finished by moving again."""
    legacy = [(i, str(m.get("paper_id")), m) for i, m in metas if "paper" in m]
    first: dict[str, tuple[str, Any]] = {}
    for chunk_id, paper_id, meta in legacy:
        first.setdefault(paper_id, (chunk_id, meta))
    if not first:
        return
    papers = {p: legacy_paper(chunk_id, meta) for p, (chunk_id, meta) in first.items()}
    uncounted = [p for p, (_, meta) in first.items() if meta.get("chunks") is None]
    present = Counter(str(m.get("paper_id")) for m in members(location, chunks, uncounted).values())
    totals = {p: int(meta.get("chunks") or present[p]) for p, (_, meta) in first.items()}
    recorded = table.get(first)
    table.put([PaperRecord(papers[p], totals[p]) for p in first if p not in recorded])
    stripped: Any = [
        LEGACY | {"kind": legacy_kind(papers[p]), "chunks": m.get("chunks") or totals[p]}
        for _, p, m in legacy
    ]
    ids = [i for i, _, _ in legacy]
    guard(location, partial(chunks.update, ids=ids, metadatas=stripped))
