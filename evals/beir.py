"""BEIR data sets on disk: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``.

The corpus is read with citewise's own ``BeirReader`` (what a user would ingest); the queries and
judgements are read here. Ingestion deduplicates papers by DOI, arXiv id and normalised title, so
two BEIR documents with the same title become one paper: ``doc_ids`` maps a paper back to every
document it holds, through the line numbers its sources keep.
"""

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.normalize import normalize_title
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import ReadIssue
from assistant.corpus.readers.beir import BeirReader

Qrels = dict[str, dict[str, int]]
"""query id -> {document id: relevance grade}."""


@dataclass(frozen=True)
class Corpus:
    path: Path
    papers: list[Paper]
    """One record per BEIR document, as ``BeirReader`` reads them (before deduplication)."""

    doc_at_line: dict[int, str]
    """Line number in ``corpus.jsonl`` -> BEIR document id."""

    def same_title(self) -> list[list[str]]:
        """Groups of two or more document ids whose normalised titles are equal."""
        groups: dict[str, list[str]] = defaultdict(list)
        for paper in self.papers:
            groups[normalize_title(paper.title)].append(paper.citation_key or "")
        return [ids for ids in groups.values() if len(ids) > 1]

    def doc_ids(self, paper: Paper) -> list[str]:
        """The BEIR ids a stored paper stands for: its citation key, then any merged into it."""
        found = [paper.citation_key] if paper.citation_key else []
        where = str(self.path.resolve())
        for source in paper.sources:
            if source.path == where and source.line in self.doc_at_line:
                found.append(self.doc_at_line[source.line])
        return list(dict.fromkeys(found))


def read_corpus(path: Path) -> Corpus:
    papers: list[Paper] = []
    for item in BeirReader().read(path):
        if isinstance(item, ReadIssue):
            raise ValueError(f"unreadable BEIR corpus: {item}")
        papers.append(item)
    doc_at_line = {
        source.line: paper.citation_key
        for paper in papers
        for source in paper.sources
        if source.line is not None and paper.citation_key
    }
    return Corpus(path, papers, doc_at_line)


def read_queries(path: Path) -> dict[str, str]:
    queries: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                queries[str(record["_id"])] = str(record["text"])
    return queries


def read_qrels(path: Path) -> Qrels:
    """A BEIR qrels TSV (header ``query-id corpus-id score``; CRLF line ends allowed)."""
    qrels: Qrels = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows, None)
        if header is None or [cell.strip() for cell in header] != [
            "query-id",
            "corpus-id",
            "score",
        ]:
            raise ValueError(f"{path}: not a BEIR qrels file (header {header!r})")
        for row in rows:
            if row:
                query_id, doc_id, score = (cell.strip() for cell in row)
                qrels[query_id][doc_id] = int(score)
    return dict(qrels)
