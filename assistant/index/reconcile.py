"""What to write when another writer changed the store since this one read it.

An ingest plans against the store as it was when it started. On a shared server another ingest
may since have stored some of the same papers (from other files, perhaps under another id, or
with other sources). Before each write, in its turn, a writer that sees the store's generation
moved looks up the stored papers sharing an identity key with the papers it is about to write
or remove, and merges with them the way one ingest deduplicates: the stored id is kept, sources
from files this writer did not read are kept, and the stored chunks that the merged paper no
longer has are deleted. So every paper is stored once, whichever writer came first.
"""

from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from assistant.corpus.dedup import Deduplicator, keys
from assistant.corpus.paper import Paper
from assistant.index.records import StoredPaper
from assistant.index.store import ChunkStore


@dataclass
class Reconciled:
    papers: list[Paper] = field(default_factory=list)
    """The papers to write, merged with what is stored."""

    delete: list[str] = field(default_factory=list)
    """Stored chunk ids that none of ``papers`` keeps."""

    gone: list[str] = field(default_factory=list)
    """Stored papers (ids) that leave the store: none of ``papers`` is them."""

    stored: list[StoredPaper] = field(default_factory=list)
    """What the store held for them: the chunks whose vectors can be reused."""


def reconcile(
    store: ChunkStore, write: Sequence[Paper], remove: Sequence[Paper], rereading: Set[str]
) -> Reconciled:
    """Merge ``write`` with the stored papers they duplicate; drop what ``remove`` provided."""
    stored = store.matching([k for paper in [*write, *remove] for k in keys(paper)])
    dedup = Deduplicator((s.paper for s in stored), rereading)
    merged: dict[str, Paper] = {}
    for paper in write:
        together = dedup.add(paper)
        kept = [s for s in together.sources if s.path not in rereading or s in paper.sources]
        merged[together.id] = together.model_copy(update={"sources": kept})
    result = Reconciled(stored=stored)
    for entry in stored:
        if entry.paper.id not in merged:
            if not _matches(entry.paper, remove):
                continue  # a namesake deduplication keeps apart: not ours to touch
            others = [s for s in entry.paper.sources if s.path not in rereading]
            if others:  # another writer added it from a file of its own: it stays, with that
                merged[entry.paper.id] = entry.paper.model_copy(update={"sources": others})
            else:
                result.gone.append(entry.paper.id)
        result.delete.extend(entry.chunk_ids)  # rewritten below, or gone
    result.papers = list(merged.values())
    return result


def _matches(paper: Paper, papers: Sequence[Paper]) -> bool:
    wanted = set(keys(paper))
    return any(wanted & set(keys(other)) for other in papers)
