"""Ingestion: files -> papers (deduplicated) -> chunks -> vectors -> store, incrementally.

Re-ingesting is idempotent: a paper whose record is unchanged is skipped before chunking; a
changed record whose text is unchanged only has its metadata rewritten; only new or changed
text is embedded. Re-reading a file also applies its deletions: a paper that file used to
provide and no longer does loses that source, and leaves the store when it has none left.
Writes go out one batch of whole papers at a time, so an interrupted ingest loses at most the
batch in flight, and the next run picks up where it stopped.
"""

import time
from collections.abc import Callable, Iterable, Sequence, Set
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
from assistant.index.store import ChunkStore
from assistant.settings import ChunkSettings

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` while a phase runs."""


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
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    chunks_embedded: int = 0

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

    retag: list[tuple[Paper, list[str]]] = field(default_factory=list)
    """Papers whose text is unchanged: only their metadata is rewritten."""

    removed: list[str] = field(default_factory=list)
    """Chunk ids of papers that left the store."""


class Ingestor:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        chunking: ChunkSettings,
        *,
        columns: dict[str, str] | None = None,
        batch_papers: int = 64,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunking = chunking
        self.readers = make_readers(columns)
        self.batch_papers = batch_papers

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Read ``paths`` (files, or directories recursively) into the store."""
        report = IngestReport()
        started = time.perf_counter()
        files = self._list(paths, report)
        stored, dedup = self._load_stored({str(path.resolve()) for path, _ in files})
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

    def _load_stored(
        self, rereading: Set[str] = frozenset()
    ) -> tuple[dict[str, tuple[Paper, list[str]]], Deduplicator]:
        stored = {paper.id: (paper, ids) for paper, ids in self.store.papers()}
        return stored, Deduplicator((paper for paper, _ in stored.values()), rereading)

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
                progress("read", done - 1, len(files))
            try:
                reader = choose_reader(path, self.readers)
            except InputError as error:
                # An unknown file the user named is a failure; one found in a folder is skipped.
                (report.failed if explicit else report.skipped).append(str(error))
                continue
            if self._read_file(path, reader, dedup, report):
                complete.add(str(path.resolve()))
        if progress:
            progress("read", len(files), len(files))
        return complete

    def _read_file(
        self, path: Path, reader: Reader, dedup: Deduplicator, report: IngestReport
    ) -> bool:
        try:
            for item in reader.read(path):
                if isinstance(item, ReadIssue):
                    report.failed.append(str(item))
                else:
                    report.records += 1
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
        stored: dict[str, tuple[Paper, list[str]]],
        dedup: Deduplicator,
        read_files: set[str],
        report: IngestReport,
    ) -> _Plan:
        plan = _Plan()
        for gone in dedup.prune(read_files):
            if gone.id in stored:
                report.removed += 1
                plan.removed.extend(stored[gone.id][1])
        for paper in dedup.papers():
            before = stored.get(paper.id)
            if before is None:
                report.added += 1
                report.without_abstract += not paper.has_abstract
                plan.embed.append(paper)
                continue
            old = before[0]
            if old == paper:
                report.unchanged += 1
            elif chunk_text(old) == chunk_text(paper):
                # Same text: rewrite the metadata, embed nothing. A record that only moved
                # within its file (new line numbers) still counts as unchanged.
                plan.retag.append((paper, before[1]))
                report.unchanged += old.model_copy(update={"sources": paper.sources}) == paper
                report.updated += old.model_copy(update={"sources": paper.sources}) != paper
            else:
                report.updated += 1
                plan.embed.append(paper)
                plan.replaced[paper.id] = before[1]
        return plan

    # Writing

    def _apply(self, plan: _Plan, report: IngestReport, progress: Progress | None) -> None:
        started = time.perf_counter()
        self.store.update_papers(plan.retag)
        if plan.removed:
            self.store.write([], self._no_vectors(), {}, delete=plan.removed)
        report.time("store", started)
        total = len(plan.embed)
        for start in range(0, total, self.batch_papers):
            batch = plan.embed[start : start + self.batch_papers]
            began = time.perf_counter()
            chunks = [c for paper in batch for c in self._chunks(paper)]
            report.time("chunk", began)
            began = time.perf_counter()
            vectors = self.embedder.embed([c.embed_text for c in chunks])
            report.time("embed", began)
            report.chunks_embedded += len(chunks)
            began = time.perf_counter()
            new_ids = {c.id for c in chunks}
            stale = [i for p in batch for i in plan.replaced.get(p.id, []) if i not in new_ids]
            self.store.write(chunks, vectors, {p.id: p for p in batch}, delete=stale)
            report.time("store", began)
            if progress:
                progress("embed", start + len(batch), total)

    def _chunks(self, paper: Paper) -> list[Chunk]:
        return chunk_paper(paper, self.chunking.max_tokens, self.chunking.overlap_sentences)

    def _no_vectors(self) -> np.ndarray:
        return np.zeros((0, self.embedder.dimension), dtype=np.float32)


def chunk_text(paper: Paper) -> tuple[str, str]:
    """What a paper's chunks are made of: when it is unchanged, its vectors are too."""
    return paper.title, paper.abstract
