"""Discovery: papers beyond the library, found by API search and citation snowballing, ranked by
our embedding model, each said to be in the library or not, with why it was found.

* **Search**: the question is sent to each search API (OpenAlex by default); each result
  remembers its place in the API's order.
* **Snowballing**: from the seed papers (``--from``, else the library's papers closest to the
  question that OpenAlex can find), the works each cites and the works citing it (most cited
  first), at most ``per_seed`` of each; a second hop expands the best few of those.
* **Deduplication**: candidates are one paper when they share a DOI, an arXiv id or a
  normalised title (``corpus.dedup.keys``), with every reason kept; the same keys tell which are
  already in the library.
* **Ranking**: ``ranking.py``: similarity of each abstract to the question and the seeds, mixed
  with the API's search order.

Any failed lookup is an error (``ApiError``), never a shorter list.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.index.ingest import IngestReport
from assistant.library import Library
from assistant.progress import Progress
from assistant.scholarly.clients import Apis
from assistant.scholarly.matching import same_work
from assistant.scholarly.ranking import final_scores, relevance
from assistant.scholarly.work import LABELS, CitationGraph, Work

SECOND_HOP_SEEDS = 5
"""Candidates of the first hop that the second hop expands (the most relevant ones)."""


@dataclass
class Candidate:
    work: Work
    reasons: list[str] = field(default_factory=list)
    """Why it was found: the search (with its place), "cited by X", "cites X"."""

    api_rank: int | None = None
    """0-based place in an API's search results (the best, if several)."""

    library: Paper | None = None
    """The library's paper, when it is already there."""

    score: float = 0.0

    @property
    def paper(self) -> Paper:
        return self.work.paper

    @property
    def in_library(self) -> bool:
        return self.library is not None


@dataclass(frozen=True)
class Request:
    question: str | None = None
    seeds: tuple[Paper, ...] = ()
    """Papers to snowball from; none given, the library's closest to the question."""

    search: tuple[str, ...] = ("openalex",)
    graph: str = "openalex"
    hops: int = 1
    """0: no snowballing; 1: references and citing works of the seeds; 2: and of theirs."""

    per_seed: int = 25
    search_limit: int = 50
    library_seeds: int = 3
    limit: int = 30


@dataclass
class Discovery:
    request: Request
    seeds: list[Paper]
    candidates: list[Candidate]
    notes: list[str] = field(default_factory=list)


class _Pool:
    """Candidates, one per paper (shared DOI, arXiv id or normalised title)."""

    def __init__(self) -> None:
        self.items: list[Candidate] = []
        self._by_key: dict[str, Candidate] = {}

    def add(self, work: Work, reason: str, rank: int | None = None) -> None:
        found = next((self._by_key[k] for k in keys(work.paper) if k in self._by_key), None)
        if found is None:
            found = Candidate(work)
            self.items.append(found)
        elif work.paper.has_abstract and not found.paper.has_abstract:
            found.work = work
        if reason not in found.reasons:
            found.reasons.append(reason)
        if rank is not None:
            found.api_rank = rank if found.api_rank is None else min(found.api_rank, rank)
        for key in keys(work.paper):
            self._by_key.setdefault(key, found)


def discover(
    library: Library, apis: Apis, request: Request, progress: Progress | None = None
) -> Discovery:
    pool, notes = _Pool(), list[str]()
    owned = {key: paper for paper in library.papers() for key in keys(paper)}
    steps = len(request.search) + (request.hops > 0)
    step = 0
    if request.question:
        for name in request.search:
            _report(progress, step, steps)
            step += 1
            found = apis.metadata([name])[0].search(request.question, request.search_limit)
            for rank, work in enumerate(found):
                pool.add(work, f"search ({LABELS[name]} #{rank + 1})", rank)
    seeds = list(request.seeds) or _library_seeds(library, request)
    if request.hops > 0 and seeds:
        _report(progress, step, steps)
        graph = apis.graph(request.graph)
        expanded = _snowball(apis, graph, seeds, request.per_seed, pool, notes)
        if request.hops > 1:
            _mark_library(owned, pool.items)
            _rank(library, request, seeds, pool.items)
            best = [c for c in pool.items if c.work.key not in expanded and not c.in_library]
            best.sort(key=lambda c: -c.score)
            for candidate in best[:SECOND_HOP_SEEDS]:
                _walk(graph, candidate.work, candidate.paper.title, request.per_seed // 2, pool)
    _mark_library(owned, pool.items)
    _rank(library, request, seeds, pool.items)
    _report(progress, steps, steps)
    ranked = sorted(pool.items, key=lambda c: -c.score)
    return Discovery(request, seeds, ranked[: request.limit], notes)


def add_to_library(library: Library, chosen: Sequence[Candidate]) -> IngestReport:
    """The chosen candidates not in the library yet, added in one step; each records the API
    record it came from as its source."""
    return library.add_papers([c.work.as_paper() for c in chosen if not c.in_library])


def _library_seeds(library: Library, request: Request) -> list[Paper]:
    """The library's papers closest to the question that have an identifier to look up."""
    if not request.question or request.library_seeds <= 0:
        return []
    hits = library.search(request.question, k=request.library_seeds * 3)
    usable = [h.paper for h in hits if h.paper.doi or h.paper.arxiv_id]
    return usable[: request.library_seeds]


def _snowball(
    apis: Apis,
    graph: CitationGraph,
    seeds: Sequence[Paper],
    per_seed: int,
    pool: _Pool,
    notes: list[str],
) -> set[str]:
    """References and citing works of each seed; the API ids of the seeds found."""
    expanded = set()
    for seed in seeds:
        work = graph.find(seed) or _by_title(apis, graph, seed)
        if work is None:
            notes.append(f"not found in {LABELS[graph.name]}, so not snowballed: {seed.title}")
            continue
        expanded.add(work.key)
        _walk(graph, work, seed.title, per_seed, pool)
    return expanded


def _walk(graph: CitationGraph, work: Work, title: str, limit: int, pool: _Pool) -> None:
    for cited in graph.references(work, limit):
        pool.add(cited, f"cited by “{title}”")
    for citing in graph.citing(work, limit):
        pool.add(citing, f"cites “{title}”")


def _by_title(apis: Apis, graph: CitationGraph, seed: Paper) -> Work | None:
    """A seed without an identifier, found by its title (verified)."""
    found = apis.metadata([graph.name])[0].by_title(seed.title)
    return next((w for w in found if same_work(seed, w.paper).accepted), None)


def _mark_library(owned: dict[str, Paper], candidates: Sequence[Candidate]) -> None:
    for candidate in candidates:
        candidate.library = next((owned[k] for k in keys(candidate.paper) if k in owned), None)


def _rank(
    library: Library, request: Request, seeds: Sequence[Paper], candidates: Sequence[Candidate]
) -> None:
    similarity = relevance(library.embedder, [c.paper for c in candidates], request.question, seeds)
    scores = final_scores(similarity, [c.api_rank for c in candidates])
    for candidate, score in zip(candidates, scores, strict=True):
        candidate.score = float(score)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress:
        progress("discover", done, total)
