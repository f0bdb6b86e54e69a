"""Deduplication across files and against what a store already holds.

Two records are the same paper when they share a DOI, else an arXiv id, else a normalised title.
The merged paper keeps the richest record's fields, fills gaps from the others, unites tags and
sources, and keeps the id the paper already had, so ids stay stable as records arrive.
"""

from collections.abc import Iterable, Set

from assistant.corpus.normalize import normalize_title
from assistant.corpus.paper import Paper, Source, paper_id


def keys(paper: Paper) -> list[str]:
    """Every identity key a record can be matched on, strongest first."""
    found = []
    if paper.doi:
        found.append(f"doi:{paper.doi}")
    if paper.arxiv_id:
        found.append(f"arxiv:{paper.arxiv_id}")
    title = normalize_title(paper.title)
    if title:
        found.append(f"title:{title}")
    return found


def merge(kept: Paper, other: Paper) -> Paper:
    """``kept`` and ``other`` as one paper: the richer record wins, gaps filled, lists united;
    a field filled from the other keeps its provenance, a retraction flag is never lost, and
    the full text read from a PDF is kept, whichever record brought it."""
    rich, poor = (kept, other) if kept.richness() >= other.richness() else (other, kept)
    lists = {"id", "tags", "collections", "sources", "provenance"}
    fields = rich.model_dump(exclude=lists)
    provenance = dict(rich.provenance)
    for name, value in poor.model_dump(exclude=lists).items():
        if is_empty(fields[name]) and not is_empty(value):
            fields[name] = value
            if name in poor.provenance:
                provenance[name] = poor.provenance[name]
    return Paper(
        id=kept.id,
        **fields,
        tags=list(dict.fromkeys([*kept.tags, *other.tags])),
        collections=list(dict.fromkeys([*kept.collections, *other.collections])),
        sources=list(dict.fromkeys([*kept.sources, *other.sources])),
        provenance=provenance,
        body=rich.body or poor.body,
    )


def keep_filled(stored: Paper, record: Paper) -> Paper:
    """``record``, a new reading of the file ``stored`` came from, with what a scholarly API
    filled in (``stored.provenance``) kept wherever the file still leaves it empty: re-reading
    a file never undoes enrichment, and a value the user has since written wins."""
    kept = {
        name: getattr(stored, name)
        for name in stored.provenance
        if name in Paper.model_fields and is_empty(getattr(record, name))
    }
    if not kept:
        return record
    provenance = {name: stored.provenance[name] for name in kept} | record.provenance
    return record.model_copy(update={**kept, "provenance": provenance})


def is_empty(value: object) -> bool:
    """Nothing known: no value, an empty text or list, or a flag not set."""
    return value is None or value is False or value == "" or value == []


class Deduplicator:
    """Collects records; ``add`` merges each into the paper it duplicates, if any.

    ``existing`` papers are what a store holds. Those whose every source is being read again
    (``rereading``) are stand-ins: the first record that matches one replaces its fields rather
    than merging with them, so an edit in the file wins even when it makes the record shorter.
    """

    def __init__(self, existing: Iterable[Paper] = (), rereading: Set[str] = frozenset()) -> None:
        self._papers: dict[str, Paper] = {}
        self._by_key: dict[str, str] = {}
        self._fresh: set[tuple[str, Source]] = set()
        """(paper id, source) for every record added here: what re-read files still hold."""
        self._stand_ins: set[str] = set()
        for paper in existing:
            self._index(paper)
            if paper.sources and all(s.path in rereading for s in paper.sources):
                self._stand_ins.add(paper.id)

    def add(self, record: Paper) -> Paper:
        """Merge ``record`` in; return the paper it now belongs to."""
        match = next(
            (
                self._by_key[k]
                for k in keys(record)
                if k in self._by_key and _may_merge(self._papers[self._by_key[k]], record, k)
            ),
            None,
        )
        if match is None:
            paper = record
            if paper.id in self._papers:  # a same-titled entry with another key
                unique = paper_id(f"{record.identity()}#{record.citation_key}")
                paper = record.model_copy(update={"id": unique})
        elif match in self._stand_ins:
            self._stand_ins.discard(match)
            paper = keep_filled(self._papers[match], record.model_copy(update={"id": match}))
        else:
            paper = merge(self._papers[match], record)
        self._index(paper)
        self._fresh.update((paper.id, source) for source in record.sources)
        return paper

    def prune(self, paths: set[str]) -> list[Paper]:
        """Drop sources in ``paths`` that no record added here repeated (the file was re-read
        and no longer holds them); remove and return the papers left with no source at all."""
        removed = []
        for paper in list(self._papers.values()):
            kept = [s for s in paper.sources if s.path not in paths or (paper.id, s) in self._fresh]
            if len(kept) == len(paper.sources):
                continue
            if kept:
                self._papers[paper.id] = paper.model_copy(update={"sources": kept})
            else:
                removed.append(self._papers.pop(paper.id))
        return removed

    def get(self, paper_id: str) -> Paper | None:
        return self._papers.get(paper_id)

    def papers(self) -> list[Paper]:
        return list(self._papers.values())

    def _index(self, paper: Paper) -> None:
        self._papers[paper.id] = paper
        for key in keys(paper):
            self._by_key.setdefault(key, paper.id)


def _may_merge(paper: Paper, record: Paper, key: str) -> bool:
    """Titles alone never merge two entries of one file that carry different citation keys:
    the file's author kept them apart (and may cite both), and corpora such as BEIR's have
    distinct documents with generic titles ("Summary")."""
    if not key.startswith("title:") or not (paper.citation_key and record.citation_key):
        return True
    if paper.citation_key == record.citation_key:
        return True
    return not {s.path for s in paper.sources} & {s.path for s in record.sources}
