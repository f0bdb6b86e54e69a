"""Enrichment: fill in what the library's papers lack from the scholarly APIs, never overwriting.

A paper is looked up when it lacks one of the ``missing`` fields (abstract and DOI by default;
``everything`` looks up every paper, e.g. to check for retractions). Each API of ``sources`` is
asked in turn, by DOI, then arXiv id, then title, and its record is used only once verified
(``matching``). A verified record fills the fields the paper leaves empty (abstract, DOI, arXiv
id, year, venue, authors; a DOI and venue only from the same version, never a preprint's for a
published paper), each recorded in ``Paper.provenance`` with the API that gave it; a retraction
it reports sets ``Paper.retracted``. The next API is asked only while a wanted field is still
empty. What the user wrote is never changed.

Papers are written back one batch at a time (``Library.replace_papers``: only those whose
abstract changed are embedded again), so an interrupted run keeps what it wrote; running it
again resumes, and the answers already received come from the cache without a request.

An API that fails (after its retries) is not asked again in that run, and every paper it could
not be asked about is reported as unfinished, never as "not found". Offline, or with the
network switched off, the run stops at the first request with that one error.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.corpus.dedup import is_empty
from assistant.corpus.paper import Paper
from assistant.errors import ApiError, ApiUnreachable, ConfigError, NetworkDisabled
from assistant.library import Library
from assistant.progress import Progress
from assistant.scholarly.matching import Match, same_record, same_work
from assistant.scholarly.work import LABELS, MetadataApi, Work

FIELDS = ("abstract", "doi", "arxiv_id", "year", "venue", "authors")
"""What enrichment may fill in, when the paper leaves it empty."""
MISSING: dict[str, str] = {
    "abstract": "abstract",
    "doi": "doi",
    "arxiv": "arxiv_id",
    "year": "year",
    "venue": "venue",
    "authors": "authors",
}
"""``--missing`` names and the fields they stand for."""
SAME_VERSION_ONLY = frozenset({"doi", "venue"})
BATCH = 25
"""Papers looked up between two writes."""
TITLE_CANDIDATES = 5


@dataclass(frozen=True)
class Outcome:
    paper: Paper
    """As it was."""

    enriched: Paper
    """As it is now (the same object when nothing changed)."""

    status: Literal["filled", "nothing new", "not found", "unfinished"]
    detail: str
    """Where each field came from, or why nothing was taken."""

    @property
    def changed(self) -> bool:
        return self.enriched is not self.paper


@dataclass
class EnrichReport:
    outcomes: list[Outcome] = field(default_factory=list)
    failed_apis: dict[str, str] = field(default_factory=dict)
    """API name -> the error that took it out of this run."""

    written: int = 0
    """Papers written back to the store."""

    chunks_embedded: int = 0
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def retracted(self) -> list[Paper]:
        return [o.enriched for o in self.outcomes if o.enriched.retracted]


def wanted_fields(names: Sequence[str]) -> list[str]:
    """``--missing`` names as Paper fields; an unknown name is a configuration error."""
    unknown = [name for name in names if name not in MISSING]
    if unknown:
        raise ConfigError(
            f"--missing does not know {', '.join(unknown)}",
            hint=f"choose from: {', '.join(MISSING)}",
        )
    return [MISSING[name] for name in names]


def lacks(paper: Paper, fields: Sequence[str]) -> bool:
    return any(is_empty(getattr(paper, name)) for name in fields)


class Enricher:
    def __init__(self, apis: Sequence[MetadataApi], wanted: Sequence[str]) -> None:
        self.apis = list(apis)
        self.wanted = list(wanted)
        self.failed: dict[str, str] = {}

    def enrich(self, paper: Paper) -> Outcome:
        """``paper`` looked up in every API that is still answering, until nothing wanted is
        missing."""
        current = paper
        notes: list[str] = []
        refused: list[str] = []
        unasked: list[str] = []
        for api in self.apis:
            if not lacks(current, self.wanted) and notes:
                break
            if api.name in self.failed:
                unasked.append(LABELS[api.name])
                continue
            try:
                found, match, how = self._find(api, current, refused)
            except (ApiUnreachable, NetworkDisabled):
                raise  # offline: stop the run, in one line
            except ApiError as error:
                self.failed[api.name] = str(error)
                unasked.append(LABELS[api.name])
                continue
            if found is not None and match is not None:
                current, taken = fill(current, found, match)
                notes.append(f"{LABELS[api.name]} by {how}: " + (", ".join(taken) or "nothing new"))
        if current != paper:
            return Outcome(paper, current, "filled", "; ".join(notes))
        if unasked:
            return Outcome(paper, paper, "unfinished", f"not asked: {', '.join(unasked)} failed")
        if notes:
            return Outcome(paper, paper, "nothing new", "; ".join(notes))
        return Outcome(paper, paper, "not found", "; ".join(refused) or "no API knows it")

    def _find(
        self, api: MetadataApi, paper: Paper, refused: list[str]
    ) -> tuple[Work | None, Match | None, str]:
        """The API's verified record of ``paper``, how it was found; refusals noted."""
        label = LABELS[api.name]
        for how, lookup, key in (
            ("DOI", api.by_doi, paper.doi),
            ("arXiv id", api.by_arxiv, paper.arxiv_id),
        ):
            wanted = "doi" if how == "DOI" else "arxiv"
            if key and wanted in api.lookups:
                found = lookup(key)
                if found is not None:
                    match = same_record(paper, found.paper)
                    if match.accepted:
                        return found, match, how
                    refused.append(f"{label} by {how}: {match.reason}")
        if "title" in api.lookups:
            for found in api.by_title(paper.title, TITLE_CANDIDATES):
                match = same_work(paper, found.paper)
                if match.accepted:
                    return found, match, "title"
                refused.append(f"{label} by title: {match.reason}")
        return None, None, ""


def fill(paper: Paper, work: Work, match: Match) -> tuple[Paper, list[str]]:
    """``paper`` with the fields it leaves empty taken from ``work``; the names taken."""
    update: dict[str, object] = {}
    provenance = dict(paper.provenance)
    for name in FIELDS:
        value = getattr(work.paper, name)
        if name in SAME_VERSION_ONLY and not match.same_version:
            continue
        if is_empty(getattr(paper, name)) and not is_empty(value):
            update[name] = value
            provenance[name] = work.api
    if work.retracted and not paper.retracted:
        update["retracted"] = True
        provenance["retracted"] = work.api
    if not update:
        return paper, []
    taken = [("retracted!" if name == "retracted" else name) for name in update]
    return paper.model_copy(update={**update, "provenance": provenance}), taken


def enrich_library(
    library: Library,
    apis: Sequence[MetadataApi],
    missing: Sequence[str] = ("abstract", "doi"),
    *,
    everything: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> EnrichReport:
    """Look up the library's papers that lack a ``missing`` field (every paper with
    ``everything``) and write back what verified records fill in, a batch at a time."""
    wanted = wanted_fields(missing)
    papers = [p for p in library.papers() if everything or lacks(p, wanted)]
    enricher = Enricher(apis, wanted)
    report = EnrichReport(dry_run=dry_run)
    for start in range(0, len(papers), BATCH):
        outcomes = []
        for done, paper in enumerate(papers[start : start + BATCH], start):
            if progress:
                progress("lookup", done, len(papers))
            outcomes.append(enricher.enrich(paper))
        report.outcomes.extend(outcomes)
        changed = [o.enriched for o in outcomes if o.changed]
        if changed and not dry_run:
            written = library.replace_papers(changed)
            report.written += written.updated
            report.chunks_embedded += written.chunks_embedded
    if progress:
        progress("lookup", len(papers), len(papers))
    report.failed_apis = dict(enricher.failed)
    return report
