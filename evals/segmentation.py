"""Sentence segmentation against a gold set whose boundaries were read by hand.

    .venv/bin/python -m evals.segmentation [--before REV] [--report PATH]

The set (``evals/data/segmentation/``, see its README) holds abstracts (SciFact, the demo
corpus), Markdown and LaTeX drafts and model-style replies, each with its true sentences; the
dev part was used to tune the splitter, the test part was not. Each passage goes through what
the product runs on it: ``split_sentences`` for an abstract, ``parse_draft`` for a draft (its
sentences with their citation keys, markup removed), ``parse_markers`` for a reply (sentences
with their source numbers).

Boundaries are compared on the passage's characters with white space left out (so that a
boundary is the same wherever the spaces around it go; ``evals.metrics.aligned_spans``): a gold
boundary is where a sentence after a passage's first one starts. Reported per part, for the
code at ``--before`` (today's splitter, run from a copy of that commit's ``assistant`` package)
and for the working tree: boundary precision (found boundaries that are gold), recall (gold
boundaries found) and F1, the target being F1 >= 0.995 on the test part; the share of passages
segmented exactly; and, for drafts and replies, the share of gold sentences found with exactly
their citations. Every remaining error is listed. Writes ``evals/reports/segmentation.md``.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.metrics import Span, aligned_spans, boundaries
from evals.reporting import command_line, write_report

MODULE = "evals.segmentation"
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "evals" / "data" / "segmentation"
REPORT = ROOT / "evals" / "reports" / "segmentation.md"
BEFORE = "e85c776"
"""The last commit with the regex splitter."""

TARGET_F1 = 0.995
PARTS = ("dev", "test")
CONTEXT = 70

Record = dict[str, Any]
Sentence = tuple[str, list[str]]
"""A sentence's text and the citations it carries (keys, or source numbers as text)."""


def load(part: str) -> list[Record]:
    with (DATA / f"{part}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold(record: Record) -> list[Sentence]:
    if record["kind"] == "text":
        return [(s, []) for s in record["sentences"]]
    field_name = "keys" if record["kind"] in ("markdown", "latex") else "citations"
    return [(s["text"], [str(c) for c in s[field_name]]) for s in record["sentences"]]


def predict(record: Record) -> list[Sentence]:
    """The sentences the product makes of a passage. Only names every version of the package
    has are imported, so that ``--before`` can run this against an older one."""
    from assistant.citations.check import parse_draft
    from assistant.citations.markers import parse_markers
    from assistant.sentences import split_sentences

    text, kind = record["text"], record["kind"]
    if kind == "text":
        return [(s, []) for s in split_sentences(text)]
    if kind in ("markdown", "latex"):
        return [(s.text, list(s.keys)) for s in parse_draft(text, kind).sentences]
    numbers = {int(c) for s in record["sentences"] for c in s["citations"]}
    return [(s.text, [str(c) for c in s.citations]) for s in parse_markers(text, numbers).sentences]


def serve() -> None:
    """Records in on stdin, their predictions out on stdout (for ``predictions_at``)."""
    records = json.load(sys.stdin)
    json.dump([predict(record) for record in records], sys.stdout)


def predictions_at(revision: str, records: list[Record]) -> list[list[Sentence]]:
    """``predict`` run by the ``assistant`` package of ``revision``, in a child process."""
    archive = subprocess.run(
        ["git", "archive", revision, "assistant"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as directory:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        child = subprocess.run(
            [sys.executable, "-c", f"from {MODULE} import serve; serve()"],
            cwd=directory,  # first on the child's path: its assistant package is the old one
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            input=json.dumps(records),
            capture_output=True,
            text=True,
            check=True,
        )
    predictions: list[list[Sentence]] = json.loads(child.stdout)
    return [[(text, list(cites)) for text, cites in p] for p in predictions]


@dataclass
class Score:
    gold: int = 0
    found: int = 0
    right: int = 0
    passages: int = 0
    exact: int = 0
    cited: int = 0
    cited_right: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(records: Sequence[Record], predictions: Sequence[list[Sentence]]) -> Score:
    result = Score()
    for record, predicted in zip(records, predictions, strict=True):
        truth = gold(record)
        ours, theirs = aligned_spans([s for s, _ in predicted], [s for s, _ in truth])
        found, wanted = boundaries(ours), boundaries(theirs)
        result.gold += len(wanted)
        result.found += len(found)
        result.right += len(found & wanted)
        keyed = record["kind"] != "text"
        placed = {span: sorted(c) for span, (_, c) in zip(ours, predicted, strict=True)}
        right = [placed.get(span) == sorted(c) for span, (_, c) in zip(theirs, truth, strict=True)]
        if keyed:
            result.cited += len(truth)
            result.cited_right += sum(right)
        result.passages += 1
        result.exact += found == wanted and (not keyed or all(right))
        result.errors += _errors(record["id"], "missed", truth, theirs, wanted - found)
        result.errors += _errors(record["id"], "spurious", predicted, ours, found - wanted)
        if keyed and found == wanted:
            result.errors += [
                f"`{record['id']}` citations: {truth[i][1]} expected on “{truth[i][0]}”"
                for i, ok in enumerate(right)
                if not ok
            ]
    return result


def _errors(
    passage: str, kind: str, sentences: list[Sentence], spans: list[Span], offsets: set[int]
) -> list[str]:
    """One line per boundary in ``offsets``: the sentences on either side of it."""
    lines = []
    for i in range(1, len(spans)):
        if spans[i][0] in offsets and spans[i][1] > spans[i][0]:
            left, right = sentences[i - 1][0], sentences[i][0]
            lines.append(
                f"`{passage}` {kind}: “…{left[-CONTEXT:]}” ‖ “{right[:CONTEXT]}…”".replace(
                    "\n", " "
                )
            )
    return lines


def render(
    scores: dict[tuple[str, str], Score], by_source: dict[tuple[str, str], Score], facts: str
) -> str:
    lines = [
        "# Sentence segmentation",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {facts}",
        "",
        "| part | code | gold boundaries | precision | recall | F1 | passages exact "
        "| draft/reply sentences with their citations |",
        "|:---|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for (part, label), s in scores.items():
        lines.append(
            f"| {part} | {label} | {s.gold} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} "
            f"| {s.exact}/{s.passages} | {s.cited_right}/{s.cited} |"
        )
    test = scores["test", "after"]
    verdict = "met" if test.f1 >= TARGET_F1 else "NOT met"
    lines += ["", f"Target: boundary F1 >= {TARGET_F1} on the test part: **{verdict}**.", ""]
    lines += [
        "Test part by source:",
        "",
        "| source | gold boundaries | F1 before | F1 after | exact before | exact after |",
        "|:---|---:|---:|---:|---:|---:|",
    ]
    for source in dict.fromkeys(source for source, _ in by_source):
        old, new = by_source[source, "before"], by_source[source, "after"]
        lines.append(
            f"| {source} | {new.gold} | {old.f1:.4f} | {new.f1:.4f} "
            f"| {old.exact}/{old.passages} | {new.exact}/{new.passages} |"
        )
    for part in PARTS:
        errors = scores[part, "after"].errors
        lines += ["", f"## Remaining errors, {part} part ({len(errors)})", ""]
        lines += [f"- {error}" for error in errors] or ["None."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    scores: dict[tuple[str, str], Score] = {}
    by_source: dict[tuple[str, str], Score] = {}
    for part in PARTS:
        records = load(part)
        runs = {"before": predictions_at(args.before, records)}
        runs["after"] = [predict(record) for record in records]
        for label, predictions in runs.items():
            scores[part, label] = score(records, predictions)
            for source in dict.fromkeys(r["source"] for r in records) if part == "test" else ():
                chosen = [i for i, r in enumerate(records) if r["source"] == source]
                by_source[source, label] = score(
                    [records[i] for i in chosen], [predictions[i] for i in chosen]
                )
    for (part, label), s in scores.items():
        print(
            f"{part:<5} {label:<7} boundaries {s.gold:>4}  P {s.precision:.4f}  "
            f"R {s.recall:.4f}  F1 {s.f1:.4f}  exact {s.exact}/{s.passages}  "
            f"citations {s.cited_right}/{s.cited}  errors {len(s.errors)}"
        )
    facts = (
        f"Before: the splitter at commit `{args.before}`; after: the working tree. "
        f"Command: `{command_line(MODULE, argv)}`."
    )
    write_report(args.report, render(scores, by_source, facts))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with")
    parser.add_argument("--report", type=Path, default=REPORT)
    return parser


if __name__ == "__main__":
    main()
