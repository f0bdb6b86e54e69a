"""SciFact claim verification (dev claims): how well the citation checker's judges judge.

    .venv/bin/python -m evals.check_scifact [--judge offline|llm|both] [--limit N]

Pairs: each dev claim with each abstract it cites (340 pairs: 209 hold evidence, 138 SUPPORT and
71 CONTRADICT; 131 do not), plus as many (claim, unrelated abstract) pairs, the abstract drawn
from the 5,183-abstract corpus with a fixed seed among those the claim does not cite. Abstracts
keep SciFact's own sentence split, so rationales can be scored by index. Each judge reports:
accuracy, precision, recall and F1 of "this abstract holds evidence for the claim" (any verdict
but "unsupported"); the 3-way confusion (support: supported or partial; contradict:
contradicted; no evidence: unsupported); and micro P/R/F1 of its evidence sentences against
the union of SciFact's rationale sentences. The LLM judge uses the configured endpoint, or is
skipped with a message when none is configured. Writes ``evals/reports/check_scifact.md``.
"""

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.citations.check import comparison, polarity
from assistant.citations.check.judging import Document, Judge, Judgement, Pair
from assistant.citations.check.offline import OfflineJudge
from assistant.index.embeddings import Embedder
from assistant.llm.backend import open_model
from assistant.settings import Settings
from assistant.tasks.judge_choice import make_judge
from evals.drafting_multixscience import pick_embedder
from evals.reporting import command_line, write_report

MODULE = "evals.check_scifact"

DATA = Path(__file__).parent / "data" / "scifact-claims"
REPORT = Path(__file__).parent / "reports" / "check_scifact.md"
DEV_SEED = 2020
TRAIN_SEED = 13
TARGET_F1 = 0.80
TARGET_CONTRADICTION = (0.80, 0.50)
"""Precision and recall of 'contradicted' the offline judge aims at."""

Label = Literal["support", "contradict", "none"]
LABELS: tuple[Label, ...] = ("support", "contradict", "none")


@dataclass(frozen=True)
class Example:
    claim_id: int
    claim: str
    document: Document
    label: Label
    rationale: frozenset[int]
    cited: bool

    @property
    def pair(self) -> Pair:
        return Pair(self.claim, (self.document,))


def load_corpus(path: Path = DATA / "corpus.jsonl") -> dict[int, Document]:
    corpus: dict[int, Document] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sentences = tuple(s.strip() for s in row["abstract"])
            corpus[int(row["doc_id"])] = Document(str(row["doc_id"]), row["title"], sentences)
    return corpus


def examples(
    split: Literal["train", "dev"], corpus: dict[int, Document], seed: int
) -> list[Example]:
    """Every (claim, cited abstract) pair of the split, then as many (claim, unrelated abstract)
    pairs drawn with ``seed``."""
    cited: list[Example] = []
    with (DATA / f"claims_{split}.jsonl").open(encoding="utf-8") as handle:
        claims = [json.loads(line) for line in handle]
    for row in claims:
        for doc_id in row["cited_doc_ids"]:
            rationales = row["evidence"].get(str(doc_id), [])
            label: Label = "none"
            if rationales:
                label = "support" if rationales[0]["label"] == "SUPPORT" else "contradict"
            sentences = frozenset(i for r in rationales for i in r["sentences"])
            cited.append(Example(row["id"], row["claim"], corpus[doc_id], label, sentences, True))
    rng = random.Random(seed)
    ids = sorted(corpus)
    by_claim = {row["id"]: set(row["cited_doc_ids"]) for row in claims}
    unrelated = []
    for example in cited:
        doc_id = rng.choice(ids)
        while doc_id in by_claim[example.claim_id]:
            doc_id = rng.choice(ids)
        unrelated.append(
            Example(example.claim_id, example.claim, corpus[doc_id], "none", frozenset(), False)
        )
    return cited + unrelated


@dataclass(frozen=True)
class Scores:
    judge: str
    pairs: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    confusion: dict[Label, dict[Label, int]]
    sentence_precision: float
    sentence_recall: float
    sentence_f1: float
    seconds: float

    @property
    def contradiction(self) -> tuple[float, float, float]:
        """Precision, recall and F1 of 'contradicted' against CONTRADICT."""
        return self.label_f1("contradict")

    def label_f1(self, label: Label) -> tuple[float, float, float]:
        tp = self.confusion[label][label]
        fp = sum(self.confusion[t][label] for t in LABELS if t != label)
        fn = sum(self.confusion[label][g] for g in LABELS if g != label)
        return f1(tp, fp, fn)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over support, contradict and none."""
        return sum(self.label_f1(label)[2] for label in LABELS) / len(LABELS)


def predicted(judgement: Judgement) -> Label:
    if judgement.verdict == "unsupported":
        return "none"
    return "contradict" if judgement.verdict == "contradicted" else "support"


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def score(
    name: str, data: Sequence[Example], judgements: Sequence[Judgement], seconds: float
) -> Scores:
    truth = [e.label != "none" for e in data]
    guess = [j.holds_evidence for j in judgements]
    counts = Counter(zip(truth, guess, strict=True))
    precision, recall, pair_f1 = f1(counts[True, True], counts[False, True], counts[True, False])
    confusion: dict[Label, dict[Label, int]] = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    for example, judgement in zip(data, judgements, strict=True):
        confusion[example.label][predicted(judgement)] += 1
    tp = fp = fn = 0
    for example, judgement in zip(data, judgements, strict=True):
        chosen = {r.sentence for r in judgement.evidence} if judgement.holds_evidence else set()
        tp += len(chosen & example.rationale)
        fp += len(chosen - example.rationale)
        fn += len(example.rationale - chosen)
    sentence = f1(tp, fp, fn)
    accuracy = (counts[True, True] + counts[False, False]) / len(data)
    return Scores(
        name, len(data), accuracy, precision, recall, pair_f1, confusion, *sentence, seconds
    )


async def run_judge(judge: Judge, data: Sequence[Example], batch: int = 64) -> list[Judgement]:
    judgements: list[Judgement] = []
    for start in range(0, len(data), batch):
        judgements += await judge.judge([e.pair for e in data[start : start + batch]])
    return judgements


async def evaluate(
    args: argparse.Namespace, settings: Settings, embedder: Embedder, data: list[Example]
) -> list[Scores]:
    results = []
    if args.judge in ("offline", "both"):
        judge = make_judge(settings, embedder, None, "offline")
        started = time.perf_counter()
        judged = await run_judge(judge, data)
        results.append(score("offline", data, judged, time.perf_counter() - started))
        assert isinstance(judge, OfflineJudge)
        args.calibration = (
            f"{judge.calibration.path.name} (fitted with {judge.calibration.embedder})"
        )
    if args.judge in ("llm", "both"):
        if settings.llm.active_backend() == "none":
            print(
                "LLM judge skipped: no language model is configured (set OPENAI_BASE_URL or "
                "OPENAI_API_KEY, or CITEWISE_LLM__GGUF_PATH)",
                file=sys.stderr,
            )
            args.skipped = "LLM judge: skipped, no language model configured"
            return results
        async with open_model(settings.llm) as model:
            judge = make_judge(settings, embedder, model, "llm")
            started = time.perf_counter()
            judged = await run_judge(judge, data, settings.check.batch_size * 4)
            results.append(score(judge.name, data, judged, time.perf_counter() - started))
    return results


def reader_reach(data: Sequence[Example]) -> dict[Label, tuple[int, int]]:
    """Per label with evidence: (pairs in which the polarity reader finds a conflict between the
    claim and one of SciFact's own rationale sentences, pairs). What the offline judge could call
    contradicted if it always found the right sentence: a ceiling on its recall."""
    reach: dict[Label, tuple[int, int]] = {}
    for label in ("support", "contradict"):
        pairs = [e for e in data if e.label == label]
        found = sum(
            any(
                not f.agrees
                for i in e.rationale
                for f in comparison.compare(
                    polarity.read(e.claim), polarity.read(e.document.sentences[i])
                ).findings
            )
            for e in pairs
        )
        reach[label] = (found, len(pairs))
    return reach


def render_markdown(
    scores: Sequence[Scores],
    reach: dict[Label, tuple[int, int]],
    facts: dict[str, str],
    command: str,
) -> str:
    lines = [
        "# Citation checking: SciFact dev claims",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} with `{command}`.",
        "",
        *(f"- {k}: {v}" for k, v in facts.items()),
        "",
        "## Does the abstract hold evidence for the claim?",
        "",
        "| judge | pairs | accuracy | precision | recall | F1 "
        "| evidence-sentence P | R | F1 | pairs/s |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.judge} | {s.pairs} | {s.accuracy:.3f} | {s.precision:.3f} | {s.recall:.3f} | "
            f"**{s.f1:.3f}** | {s.sentence_precision:.3f} | {s.sentence_recall:.3f} | "
            f"{s.sentence_f1:.3f} | {s.pairs / s.seconds:.0f} |"
        )
    lines += [
        "",
        f"Target for the offline judge: F1 >= {TARGET_F1:.2f}. A verdict other than "
        "'unsupported' counts as holding evidence; evidence sentences are scored against the "
        "union of SciFact's rationale sentences, over all pairs.",
        "",
        "In the confusion tables, support = 'supported' or 'partial', contradict = "
        "'contradicted', none = 'unsupported'.",
        "",
    ]
    lines += [
        "## 3-way: support / contradict / none",
        "",
        "| judge | contradiction P | R | F1 | support F1 | none F1 | macro-F1 |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        cp, cr, cf = s.contradiction
        lines.append(
            f"| {s.judge} | **{cp:.3f}** | **{cr:.3f}** | {cf:.3f} | "
            f"{s.label_f1('support')[2]:.3f} | {s.label_f1('none')[2]:.3f} | "
            f"**{s.macro_f1:.3f}** |"
        )
    lines += [
        "",
        f"Targets for the offline judge: contradiction precision >= {TARGET_CONTRADICTION[0]:.2f} "
        f"and recall >= {TARGET_CONTRADICTION[1]:.2f}.",
        "",
    ]
    (found, total), (false, supports) = reach["contradict"], reach["support"]
    lines += [
        "## What the polarity reader can see",
        "",
        "Pairs in which the reader finds a negation, direction, contrast or figure reversed "
        "between the claim and one of SciFact's own rationale sentences (the right sentence "
        f"given): **{found} of {total} contradictions** ({found / max(total, 1):.0%}) and "
        f"{false} of {supports} supports ({false / max(supports, 1):.0%}). Reading the right "
        "sentence, the judge can call no more than that share contradicted; the rest are "
        "reversals that need domain knowledge or a trained inference model.",
        "",
    ]
    for s in scores:
        lines += [
            f"## 3-way confusion: {s.judge}",
            "",
            "| truth \\ verdict | " + " | ".join(LABELS) + " |",
        ]
        lines.append("|:---|" + "---:|" * len(LABELS))
        for truth in LABELS:
            row = " | ".join(str(s.confusion[truth][g]) for g in LABELS)
            lines.append(f"| {truth} | {row} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.calibration, args.skipped = "", ""
    settings = Settings()
    corpus = load_corpus()
    data = examples("dev", corpus, DEV_SEED)
    if args.limit:
        data = data[: args.limit] + data[len(data) // 2 : len(data) // 2 + args.limit]
    embedder = pick_embedder(settings, args.embedder)
    scores = asyncio.run(evaluate(args, settings, embedder, data))
    labels = Counter(e.label for e in data)
    facts = {
        "pairs": f"{len(data)}: {sum(e.cited for e in data)} cited ({labels['support']} support, "
        f"{labels['contradict']} contradict, {labels['none'] - sum(not e.cited for e in data)} "
        f"no evidence) + {sum(not e.cited for e in data)} unrelated (seed {DEV_SEED})",
        "offline calibration": args.calibration or "-",
        "embedder": embedder.name,
        "pairs/s": "judging throughput, embeddings included; with an empty vector cache on the "
        "first run (later runs read the vectors from the cache dir)",
    }
    if args.skipped:
        facts["note"] = args.skipped
    for s in scores:
        print(
            f"{s.judge:<24} acc {s.accuracy:.3f}  P {s.precision:.3f}  R {s.recall:.3f}  "
            f"F1 {s.f1:.3f}  evidence-sentence F1 {s.sentence_f1:.3f}  "
            f"contradiction P {s.contradiction[0]:.3f} R {s.contradiction[1]:.3f}  "
            f"macro-F1 {s.macro_f1:.3f}  ({s.seconds:.1f} s)"
        )
    reach = reader_reach(data)
    print(
        f"polarity reader: a conflict with a rationale sentence in {reach['contradict'][0]} of "
        f"{reach['contradict'][1]} contradictions, {reach['support'][0]} of "
        f"{reach['support'][1]} supports"
    )
    write_report(args.report, render_markdown(scores, reach, facts, command_line(MODULE, argv)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--judge", choices=["offline", "llm", "both"], default="both")
    parser.add_argument("--limit", type=int, help="only the first N cited and N unrelated pairs")
    parser.add_argument(
        "--embedder",
        choices=["configured", "hash"],
        default="configured",
        help="'hash': the tests' hashing embedding (scores then mean nothing)",
    )
    parser.add_argument("--report", type=Path, default=REPORT)
    return parser


if __name__ == "__main__":
    main()
