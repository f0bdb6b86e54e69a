"""Ingestion: files -> papers (deduplicated) -> chunks -> vectors -> store, incrementally.

Re-ingesting is idempotent: a paper whose record is unchanged is skipped before chunking; a
changed record whose text is unchanged only has its metadata rewritten; only new or changed
text is embedded. Re-reading a file also applies its deletions: a paper that file used to
provide and no longer does loses that source, and leaves the store when it has none left.
Writes go out one batch of whole papers at a time, so an interrupted ingest loses at most the
batch in flight, and the next run picks up where it stopped: a paper whose chunks a killed
write left incomplete is written again. Each batch is written in this writer's turn; when the
store moved since this writer last looked (another ingest on a shared server), the batch is
first reconciled with what is stored (``reconcile.py``).
"""

import time
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.corpus.dedup import Deduplicator
from assistant.corpus.paper import Paper
from assistant.corpus.readers import Reader, ReadIssue, choose_reader, make_readers
from assistant.corpus.walk import Skipped, files_under
from assistant.errors import InputError
from assistant.index.chunking import Chunk, chunk_paper
from assistant.index.embeddings import Embedder
from assistant.index.reconcile import reconcile
from assistant.index.records import StoredPaper
from assistant.index.store import ChunkStore
from assistant.progress import Progress
from assistant.settings import ChunkSettings


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    files_read: int = 0
    records: int = 0
    without_abstract: int = 0
    failed: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    """Records read with a caveat (a PDF page unreadable, an attachment missing)."""
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    chunks_embedded: int = 0
    pages_read: int = 0
    """Pages of PDFs read for their full text."""

    @property
    def ingested_anything(self) -> bool:
        return self.records > 0 or self.removed > 0

    def time(self, phase: str, started: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started


@dataclass
class _Plan:
    embed: list[Paper] = field(default_factory=list)
    """Papers whose chunks are (re)built and embedded."""

    replaced: dict[str, list[str]] = field(default_factory=dict)
    """Old chunk ids of re-embedded papers, deleted with their replacements."""

    retag: list[StoredPaper] = field(default_factory=list)
    """Papers whose text is unchanged: only their metadata is rewritten."""

    removed: list[StoredPaper] = field(default_factory=list)
    """Papers that left the store."""


class Ingestor:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        chunking: ChunkSettings,
        *,
        columns: dict[str, str] | None = None,
        batch_papers: int = 64,
        batch_chunks: int = 128,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunking = chunking
        self.readers = make_readers(columns)
        self.batch_papers = batch_papers
        self.batch_chunks = batch_chunks
        self._seen = ""
        """The store's generation when this ingest last read or wrote it."""

        self._stale = False
        """Whether another writer has written since this ingest read the store."""

        self._rereading: Set[str] = frozenset()

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Read ``paths`` (files, or directories recursively) into the store."""
        report = IngestReport()
        started = time.perf_counter()
        files = self._list(paths, report)
        self._rereading = {str(path.resolve()) for path, _ in files}
        stored, dedup = self._load_stored(self._rereading)
        read_files = self._read(files, dedup, report, progress)
        report.time("parse", started)
        self._apply(self._plan(stored, dedup, read_files, report), report, progress)
        return report

    def add_papers(self, papers: Iterable[Paper], progress: Progress | None = None) -> IngestReport:
        """Ingest records already read (evaluations, imports from other tools)."""
        report = IngestReport()
        stored, dedup = self._load_stored()
        for record in papers:
            report.records += 1
            dedup.add(record)
        self._apply(self._plan(stored, dedup, set(), report), report, progress)
        return report

    def replace_papers(
        self, papers: Iterable[Paper], progress: Progress | None = None
    ) -> IngestReport:
        """Write new versions of stored papers (same ids), e.g. with fields an API filled in:
        a paper whose title or abstract changed is embedded again, the others only have their
        metadata rewritten. Papers the store no longer holds are left out."""
        report = IngestReport()
        stored, _ = self._load_stored()
        updates = {paper.id: paper for paper in papers if paper.id in stored}
        report.records = len(updates)
        dedup = Deduplicator(updates.get(key, entry.paper) for key, entry in stored.items())
        self._apply(self._plan(stored, dedup, set(), report), report, progress)
        return report

    def _load_stored(
        self, rereading: Set[str] = frozenset()
    ) -> tuple[dict[str, StoredPaper], Deduplicator]:
        self._seen, self._stale = self.store.generation(), False
        stored = {entry.paper.id: entry for entry in self.store.papers()}
        return stored, Deduplicator((entry.paper for entry in stored.values()), rereading)

    # Reading

    def _list(self, paths: Sequence[Path], report: IngestReport) -> list[tuple[Path, bool]]:
        """The files to read, each with whether the user named it (rather than its folder)."""
        files: list[tuple[Path, bool]] = []
        named = {p.resolve() for p in paths if p.exists()}
        for item in files_under(list(paths)):
            if isinstance(item, Skipped):
                report.failed.append(f"{item.path}: {item.reason}")
            else:
                files.append((item, item.resolve() in named))
        return files

    def _read(
        self,
        files: list[tuple[Path, bool]],
        dedup: Deduplicator,
        report: IngestReport,
        progress: Progress | None,
    ) -> set[str]:
        """Read every file into ``dedup``; return the paths read from start to end."""
        complete: set[str] = set()
        for done, (path, explicit) in enumerate(files, 1):
            if progress:
                progress("read", done - 1, len(files), _pages(report))
            try:
                reader = choose_reader(path, self.readers)
            except InputError as error:
                # An unknown file the user named is a failure; one found in a folder is skipped.
                (report.failed if explicit else report.skipped).append(str(error))
                continue
            if self._read_file(path, reader, dedup, report):
                complete.add(str(path.resolve()))
        if progress:
            progress("read", len(files), len(files), _pages(report))
        return complete

    def _read_file(
        self, path: Path, reader: Reader, dedup: Deduplicator, report: IngestReport
    ) -> bool:
        try:
            for item in reader.read(path):
                if isinstance(item, ReadIssue):
                    (report.caveats if item.caveat else report.failed).append(str(item))
                else:
                    report.records += 1
                    report.pages_read += item.pdf.pages if item.pdf else 0
                    dedup.add(item)
        except InputError as error:
            report.failed.append(str(error))
            return False
        except (OSError, UnicodeError) as error:
            report.failed.append(f"{path}: cannot read ({error})")
            return False
        report.files_read += 1
        return True

    # Planning

    def _plan(
        self,
        stored: dict[str, StoredPaper],
        dedup: Deduplicator,
        read_files: set[str],
        report: IngestReport,
    ) -> _Plan:
        plan = _Plan()
        for gone in dedup.prune(read_files):
            if gone.id in stored:
                report.removed += 1
                plan.removed.append(stored[gone.id])
        for paper in dedup.papers():
            before = stored.get(paper.id)
            if before is None:
                report.added += 1
                report.without_abstract += not paper.has_abstract
                plan.embed.append(paper)
                continue
            old, kept = before.paper, paper.model_copy(update={"body": None})  # stored: no body
            if not before.complete:  # a killed write left part of it: write it whole
                report.updated += 1
                plan.embed.append(paper)
                plan.replaced[paper.id] = before.chunk_ids
            elif old == kept:
                report.unchanged += 1
            elif chunk_text(old) == chunk_text(paper):
                # Same text: rewrite the metadata, embed nothing. A record that only moved
                # within its file (new line numbers) still counts as unchanged.
                plan.retag.append(StoredPaper(paper, before.chunk_ids, True))
                moved = old.model_copy(update={"sources": paper.sources}) == kept
                report.unchanged += moved
                report.updated += not moved
            else:
                report.updated += 1
                plan.embed.append(paper)
                plan.replaced[paper.id] = before.chunk_ids
        return plan

    # Writing

    def _apply(self, plan: _Plan, report: IngestReport, progress: Progress | None) -> None:
        started = time.perf_counter()
        with self.store.turn():
            if self._moved():
                retagged = [entry.paper for entry in plan.retag]
                gone = [entry.paper for entry in plan.removed]
                self._write_reconciled(retagged, gone, {}, report)
            else:
                self._seen = self.store.update_papers(plan.retag)
                if plan.removed:
                    gone_ids = [i for entry in plan.removed for i in entry.chunk_ids]
                    leaving = [entry.paper.id for entry in plan.removed]
                    self._seen = self.store.write(
                        [], self._no_vectors(), {}, delete=gone_ids, gone=leaving
                    )
        report.time("store", started)
        total, done, began_all = len(plan.embed), 0, time.perf_counter()
        if progress and total:
            progress("embed", 0, total)
        for batch, chunks in self._batches(plan.embed, report):
            began = time.perf_counter()
            vectors = self.embedder.embed([c.embed_text for c in chunks])
            report.time("embed", began)
            report.chunks_embedded += len(chunks)
            began = time.perf_counter()
            with self.store.turn():
                if self._moved():
                    fresh = {c.embed_text: v for c, v in zip(chunks, vectors, strict=True)}
                    self._write_reconciled(batch, [], fresh, report)
                else:
                    new_ids = {c.id for c in chunks}
                    replaced = [i for p in batch for i in plan.replaced.get(p.id, [])]
                    stale = [i for i in replaced if i not in new_ids]
                    papers = {p.id: p for p in batch}
                    self._seen = self.store.write(chunks, vectors, papers, delete=stale)
            report.time("store", began)
            done += len(batch)
            if progress:
                rate = report.chunks_embedded / max(time.perf_counter() - began_all, 1e-9)
                progress("embed", done, total, f"{report.chunks_embedded:,} chunks, {rate:.1f}/s")

    def _batches(
        self, papers: list[Paper], report: IngestReport
    ) -> Iterator[tuple[list[Paper], list[Chunk]]]:
        """The papers in batches of at most ``batch_papers`` papers and (unless one paper has
        more) ``batch_chunks`` chunks, each with its chunks: a batch is embedded and written
        at once, so a kill loses at most one, and a full text of 60 chunks weighs as it should."""
        batch: list[Paper] = []
        chunks: list[Chunk] = []
        for paper in papers:
            began = time.perf_counter()
            own = self._chunks(paper)
            report.time("chunk", began)
            if batch and (
                len(chunks) + len(own) > self.batch_chunks or len(batch) == self.batch_papers
            ):
                yield batch, chunks
                batch, chunks = [], []
            batch.append(paper)
            chunks.extend(own)
        if batch:
            yield batch, chunks

    def _moved(self) -> bool:
        """Whether another writer changed the store since this ingest read it. Once it has,
        the plan is stale for every batch still to come, not just the next."""
        self._stale = self._stale or self.store.generation() != self._seen
        return self._stale

    def _write_reconciled(
        self,
        write: list[Paper],
        remove: list[Paper],
        fresh: dict[str, np.ndarray],
        report: IngestReport,
    ) -> None:
        """Write ``write`` and drop ``remove`` merged with what other writers stored; vectors
        come from ``fresh`` (embedded by this ingest), the store, or the embedder."""
        merged = reconcile(self.store, write, remove, self._rereading)
        chunks = [c for paper in merged.papers for c in self._chunks(paper)]
        stored = self.store.vectors([i for entry in merged.stored for i in entry.chunk_ids])
        missing = [c for c in chunks if c.embed_text not in fresh and c.id not in stored]
        if missing:
            fresh = fresh | dict(
                zip(
                    [c.embed_text for c in missing],
                    self.embedder.embed([c.embed_text for c in missing]),
                    strict=True,
                )
            )
            report.chunks_embedded += len(missing)
        vectors = np.array(
            [fresh[c.embed_text] if c.embed_text in fresh else stored[c.id] for c in chunks],
            dtype=np.float32,
        ).reshape(len(chunks), self.embedder.dimension)
        papers = {p.id: p for p in merged.papers}
        self._seen = self.store.write(
            chunks, vectors, papers, delete=merged.delete, gone=merged.gone
        )

    def _chunks(self, paper: Paper) -> list[Chunk]:
        settings = self.chunking
        return chunk_paper(
            paper,
            settings.max_tokens,
            settings.overlap_sentences,
            body_tokens=settings.body_max_tokens,
            max_body_chunks=settings.max_chunks_per_paper,
        )

    def _no_vectors(self) -> np.ndarray:
        return np.zeros((0, self.embedder.dimension), dtype=np.float32)


def chunk_text(paper: Paper) -> tuple[str, str, str]:
    """What a paper's chunks are made of: when it is unchanged, its vectors are too."""
    return paper.title, paper.abstract, paper.pdf.sha256 if paper.pdf else ""


def _pages(report: IngestReport) -> str:
    return f"{report.pages_read:,} PDF pages" if report.pages_read else ""
