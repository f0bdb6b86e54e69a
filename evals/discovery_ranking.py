"""Discovery ranking, offline: does re-ranking an API's search results with our embedding model
find more of the papers a related-work section cites?

    .venv/bin/python -m evals.discovery_ranking [--limit N] [--embedder hash]

**The pool.** A pool of works is served in OpenAlex's ``/works`` shape by the tests' replay
server (``tests/scholarly_server.py`` with ``tests/openalex_pool.py``), and searched through
citewise's real OpenAlex client over HTTP:

* the papers cited by CiteBench's 50 Multi-XScience examples (``evals/data/multixscience``):
  every non-empty cited abstract (``input[1:]``), one work each (identical abstracts shared by
  two examples are one work). The data has no titles: each work's title is the first ten words
  of its abstract followed by "…" (as the drafting evaluation does), so title and abstract
  overlap;
* every SciFact abstract (``evals/data/scifact/corpus.jsonl``, 5,183 biomedical abstracts with
  their titles) as distractors.

**The API's ranking.** ``search=`` is answered by BM25 over title and abstract (citewise's own
BM25: Lucene's formula, k1 1.5, b 0.75, Snowball stemming, English stop words), best first: a
plausible imitation of a search engine's keyword relevance, not OpenAlex's own ranking.

**The task.** For each example, the query is the target paper's own abstract (``input[0]``);
the relevant papers are those its related-work paragraph cites (``[n]`` markers) among those
with an abstract. Scores, means over examples:

* API order: Recall@20 of the first 20 results as served;
* re-ranked: the first 100 results re-ordered by ``assistant.scholarly.ranking`` (similarity of
  each title and abstract to the query with the configured embedder, mixed with the API order
  by ``API_WEIGHT``), then Recall@20; also Recall@20 of the embedding alone (weight 0), and
  Recall@100 (the ceiling both orders share).

**The split.** Examples are split in two by a hash of their number: the weight is chosen on the
dev half only (the grid is printed), and the figures to quote are the test half's.
"""

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.index.embeddings import Embedder
from assistant.library import make_embedder
from assistant.scholarly.clients import Apis
from assistant.scholarly.http import Http
from assistant.scholarly.ranking import API_WEIGHT, final_scores, relevance
from assistant.settings import Settings
from evals.drafting_multixscience import Example, load
from evals.metrics import mean, recall_at_k
from evals.reporting import command_line, write_report
from tests.openalex_pool import OpenAlexPool, work
from tests.scholarly_server import ScholarlyServer

MODULE = "evals.discovery_ranking"
SCIFACT = Path(__file__).parent / "data" / "scifact" / "corpus.jsonl"
REPORT = Path(__file__).parent / "reports" / "discovery_ranking.md"
RETRIEVED = 100
K = 20
GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7)
TITLE_WORDS = 10
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Pool:
    works: list[dict[str, object]]
    cited_keys: dict[int, list[str]]
    """Example number -> the keys of the works its paragraph cites (with an abstract)."""

    distractors: int


def build_pool(examples: Sequence[Example]) -> Pool:
    works: list[dict[str, object]] = []
    keys_of_text: dict[str, str] = {}
    cited: dict[int, list[str]] = {}
    for example in examples:
        wanted = sorted(example.reference_cites() & example.given())
        cited[example.number] = []
        for n in wanted:
            text = _SPACE.sub(" ", example.cited[n]).strip()
            if text not in keys_of_text:
                keys_of_text[text] = f"W{9_000_000 + len(keys_of_text)}"
                words = text.split()
                title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
                works.append(work(keys_of_text[text], title, text))
            cited[example.number].append(keys_of_text[text])
    distractors = 0
    for line in SCIFACT.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        works.append(work(f"W{row['_id']}", row["title"], row["text"]))
        distractors += 1
    return Pool(works, cited, distractors)


def split(number: int) -> str:
    return "dev" if int(hashlib.sha1(str(number).encode()).hexdigest(), 16) % 2 == 0 else "test"


class Remembering:
    """The embedder, remembering each text's vector: most candidates come back for many
    queries (the vectors are the embedder's own, so the scores are unchanged)."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self._known: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._known]
        if new:
            self._known.update(zip(new, self.inner.embed(new), strict=True))
        return np.array([self._known[t] for t in texts], dtype=np.float32)


@dataclass
class Ranked:
    number: int
    split: str
    relevant: dict[str, int]
    api: list[str]
    similarity: np.ndarray

    def reranked(self, weight: float) -> list[str]:
        scores = final_scores(self.similarity, list(range(len(self.api))), weight)
        order = np.argsort(-scores, kind="stable")
        return [self.api[i] for i in order]


def run(examples: Sequence[Example], apis: Apis, embedder: Embedder, pool: Pool) -> list[Ranked]:
    ranked = []
    for done, example in enumerate(examples, 1):
        found = apis.openalex.search(example.abstract, RETRIEVED)
        similarity = relevance(embedder, [w.paper for w in found], example.abstract)
        relevant = {key: 1 for key in pool.cited_keys[example.number]}
        ranked.append(
            Ranked(
                example.number, split(example.number), relevant, [w.key for w in found], similarity
            )
        )
        print(f"\r{done}/{len(examples)} examples", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return ranked


def recall(rows: Sequence[Ranked], order: str, weight: float = 0.0, k: int = K) -> float:
    return mean(
        [recall_at_k(r.api if order == "api" else r.reranked(weight), r.relevant, k) for r in rows]
    )


def paired_interval(
    rows: Sequence[Ranked], weight: float, draws: int = 10_000
) -> tuple[float, float]:
    """95% bootstrap interval (examples resampled, seed 0) of re-ranked minus API Recall@K."""
    gains = np.array(
        [
            recall_at_k(r.reranked(weight), r.relevant, K) - recall_at_k(r.api, r.relevant, K)
            for r in rows
        ]
    )
    if not len(gains):
        return 0.0, 0.0
    picks = np.random.default_rng(0).integers(0, len(gains), size=(draws, len(gains)))
    means = gains[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def markdown(
    rows: Sequence[Ranked], pool: Pool, chosen: float, command: str, info: dict[str, str]
) -> str:
    lines = [
        "# Discovery ranking: Multi-XScience citations among SciFact distractors",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · `{command}`",
        "",
        f"Pool: {len(pool.works)} works served in OpenAlex's shape "
        f"({len(pool.works) - pool.distractors} cited Multi-XScience abstracts, titled by "
        f"their first {TITLE_WORDS} words; "
        f"{pool.distractors} SciFact abstracts as distractors). Search: BM25 over title and "
        f"abstract in the replay server. Query: the example's own abstract. Re-ranking: the top "
        f"{RETRIEVED} by `assistant.scholarly.ranking` with {info['embedder']}.",
        "",
        f"| split | examples | cited papers (mean) | API order R@{K} | embedding alone R@{K} | "
        f"re-ranked (weight {chosen:g}) R@{K} | R@{RETRIEVED} (both) |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for name in ("test", "dev"):
        part = [r for r in rows if r.split == name]
        cited = statistics.fmean(len(r.relevant) for r in part) if part else 0.0
        lines.append(
            f"| {name} | {len(part)} | {cited:.1f} | {recall(part, 'api'):.3f} | "
            f"{recall(part, 'reranked', 0.0):.3f} | {recall(part, 'reranked', chosen):.3f} | "
            f"{recall(part, 'api', 0.0, RETRIEVED):.3f} |"
        )
    low, high = paired_interval([r for r in rows if r.split == "test"], chosen)
    lines += [
        "",
        f"Re-ranked minus API order on the test examples, Recall@{K}: 95% paired bootstrap "
        f"interval {low:+.3f} to {high:+.3f}. The SciFact distractors are biomedical and the "
        "cited papers mostly computer science, so the hard competitors of an example's citations "
        f"are the other examples' citations ({len(pool.works) - pool.distractors} works on "
        "neighbouring subjects), not the distractors.",
        "",
        f"The weight given to the API's order was chosen on the dev examples only "
        f"(Recall@{K} on dev for each weight tried):",
        "",
        "| weight | " + " | ".join(f"{w:g}" for w in GRID) + " |",
        "|:--|" + "--:|" * len(GRID),
        "| dev R@20 | "
        + " | ".join(
            f"{recall([r for r in rows if r.split == 'dev'], 'reranked', w):.3f}" for w in GRID
        )
        + " |",
        "",
        f"Shipped default `ranking.API_WEIGHT` = {API_WEIGHT:g}. Run took {info['seconds']} s.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__)
    parser.add_argument("--limit", type=int, help="only the first N examples")
    parser.add_argument("--embedder", choices=["configured", "hash"], default="configured")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    examples = load()[: args.limit]
    pool = build_pool(load())
    embedder: Embedder
    if args.embedder == "hash":
        from tests.fakes import HashEmbedder

        embedder = HashEmbedder()
    else:
        embedder = make_embedder(Settings().embedding)
    with ScholarlyServer() as server:
        OpenAlexPool(pool.works).mount(server)
        settings = server.settings(timeout_s=60.0)
        apis = Apis.open(settings, Http(settings))
        rows = run(examples, apis, Remembering(embedder), pool)
    dev = [r for r in rows if r.split == "dev"]
    chosen = max(GRID, key=lambda w: (recall(dev, "reranked", w), -w)) if dev else API_WEIGHT
    for name in ("dev", "test"):
        part = [r for r in rows if r.split == name]
        print(
            f"{name}: {len(part)} examples, API R@{K} {recall(part, 'api'):.3f}, "
            f"re-ranked (w={chosen:g}) {recall(part, 'reranked', chosen):.3f}, "
            f"embedding alone {recall(part, 'reranked', 0.0):.3f}"
        )
    info = {"embedder": f"`{embedder.name}`", "seconds": f"{time.perf_counter() - started:.0f}"}
    write_report(args.report, markdown(rows, pool, chosen, command_line(MODULE, argv), info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
