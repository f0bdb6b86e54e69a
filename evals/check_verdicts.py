"""The verdict sets through the real checker: does a sentence get the verdict a reader would give?

    .venv/bin/python -m evals.check_verdicts [--judge offline|llm-unsure|llm]
        [--split tune|report|held-out]
        [--baseline JSON] [--json OUT] [--failures]

Each set (``evals.verdict_data``: verbatim, paraphrase, reversal, ood) and part (tune, report,
held-out, where a set has one) becomes a Markdown draft (one paragraph per claim, its citation
before the full stop) and a .bib of the papers it cites, with their abstracts; ``check_file``
reads both as it reads a user's, with no library (the .bib abstracts stand in), and judges every
sentence. An item's verdict is that of the sentence carrying its citation. Figures, per set
and part:

- verbatim: the share supported (target 100%), for sentences with and without negation words;
- paraphrase: the share supported or partial (target >= 90%) and the number contradicted (0);
- reversal: how many contradicted, unsupported, partial, supported (the aim: none supported);
- ood: per kind of check, how many get the expected verdict;
- confidence: for the sets whose right verdict is one verdict, the share right among verdicts
  of each confidence band.

``--baseline`` reads a ``--json`` of an earlier run (e.g. the judge before a change) and shows
its figures beside. Writes ``evals/reports/check_verdicts.md``; ``--failures`` prints the tune
part's wrong verdicts (the report and held-out parts' are listed in the report, a few per set).
"""

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from assistant.citations.check import Judge, SentenceCheck, check_file
from assistant.corpus.paper import Paper
from assistant.llm.backend import open_model
from assistant.settings import Settings
from assistant.tasks.judge_choice import make_judge
from evals.drafting_multixscience import pick_embedder
from evals.reporting import command_line, write_report
from evals.verdict_data import SETS, Item, bib_text, draft_text, load, papers

MODULE = "evals.check_verdicts"
REPORT = Path(__file__).parent / "reports" / "check_verdicts.md"
SPLITS = ("tune", "report", "held-out")
REPORTED = ("report", "held-out")
"""Parts never tuned on: their wrong verdicts and confidence bands are in the report."""
BANDS = (0.0, 0.5, 0.7, 0.85, 1.01)
SHOWN_FAILURES = 6


@dataclass(frozen=True)
class Outcome:
    item: Item
    verdict: str
    confidence: float | None
    evidence: str
    notes: tuple[str, ...]

    @property
    def right(self) -> bool:
        return matches(self.item.expect, self.verdict)


def matches(expect: str, verdict: str) -> bool:
    if expect == "supported-or-partial":
        return verdict in ("supported", "partial")
    if expect == "not-supported":
        return verdict in ("contradicted", "unsupported")
    return verdict == expect


@dataclass
class Figures:
    """One set and part."""

    items: int
    right: int
    verdicts: dict[str, int]
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per kind: items, right, and each verdict's count."""

    split_sentences: int = 0
    """Items the splitter cut into more than one sentence."""


async def judge_items(
    items: Sequence[Item], judge: Judge, library: dict[str, Paper]
) -> list[Outcome]:
    with tempfile.TemporaryDirectory() as folder:
        draft, bib = Path(folder) / "draft.md", Path(folder) / "refs.bib"
        draft.write_text(draft_text(items), encoding="utf-8")
        bib.write_text(bib_text([i.key for i in items], library), encoding="utf-8")
        report = await check_file(draft, judge, None, [bib], suggestions=0)
    cited: dict[int, SentenceCheck] = {}
    pieces = Counter[int]()
    for sentence in report.sentences:
        index = ((sentence.line or 1) - 1) // 2
        pieces[index] += 1
        if sentence.citations:
            cited[index] = sentence
    outcomes = []
    for n, item in enumerate(items):
        check = cited.get(n)
        if check is None:
            outcomes.append(Outcome(item, "missing", None, "", ("no cited sentence found",)))
            continue
        split = ("split into sentences by the splitter",) if pieces[n] > 1 else ()
        evidence = check.evidence[0].sentence if check.evidence else ""
        confidence = getattr(check, "confidence", None)
        outcomes.append(Outcome(item, check.verdict, confidence, evidence, (*split, *check.notes)))
    return outcomes


def figures(outcomes: Sequence[Outcome]) -> Figures:
    result = Figures(
        len(outcomes),
        sum(o.right for o in outcomes),
        dict(Counter(o.verdict for o in outcomes)),
        split_sentences=sum("split into sentences by the splitter" in o.notes for o in outcomes),
    )
    for o in outcomes:
        row = result.by_kind.setdefault(o.item.kind or "-", {"items": 0, "right": 0})
        row["items"] += 1
        row["right"] += o.right
        row[o.verdict] = row.get(o.verdict, 0) + 1
    return result


def calibration_rows(outcomes: Sequence[Outcome]) -> list[tuple[str, int, float]]:
    """Per confidence band: verdicts in it and the share right."""
    rows = []
    for low, high in pairwise(BANDS):
        inside = [o for o in outcomes if o.confidence is not None and low <= o.confidence < high]
        if inside:
            share = sum(o.right for o in inside) / len(inside)
            rows.append((f"{low:.2f}-{min(high, 1.0):.2f}", len(inside), share))
    return rows


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def headline(name: str, f: Figures) -> str:
    v = f.verdicts
    if name == "verbatim":
        return f"supported {_pct(v.get('supported', 0), f.items)}"
    if name == "paraphrase":
        ok = v.get("supported", 0) + v.get("partial", 0)
        return f"supported or partial {_pct(ok, f.items)}, contradicted {v.get('contradicted', 0)}"
    if name == "reversal":
        return (
            f"contradicted {v.get('contradicted', 0)}, unsupported {v.get('unsupported', 0)}, "
            f"partial {v.get('partial', 0)}, supported {v.get('supported', 0)} (of {f.items})"
        )
    return f"expected verdict {_pct(f.right, f.items)}"


def render(
    results: dict[str, dict[str, Figures]],
    failures: dict[str, list[Outcome]],
    calibration: dict[str, list[tuple[str, int, float]]],
    baseline: dict[str, Any] | None,
    facts: dict[str, str],
    command: str,
) -> str:
    lines = [
        "# Citation checking: the verdict sets",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} with `{command}`.",
        "",
        *(f"- {k}: {v}" for k, v in facts.items()),
        "",
        "How each set was made: evals/data/verdicts/README.md. Tune part: looked at and tuned "
        "on; report part: reported, and looked at when the judge was last changed (see the "
        "README); held-out part: made after that change, never looked at to change the judge.",
        "",
        "## Headline figures",
        "",
        "| set | part | " + ("before | " if baseline else "") + "now |",
        "|:---|:---|" + (":---|" if baseline else "") + ":---|",
    ]
    for name, by_split in results.items():
        for split, f in by_split.items():
            before = ""
            if baseline:
                old = baseline.get("results", {}).get(name, {}).get(split)
                before = (headline(name, Figures(**old)) if old else "-") + " | "
            lines.append(f"| {name} | {split} | {before}{headline(name, f)} |")
    lines += ["", "## Verdicts by kind", ""]
    for name, by_split in results.items():
        for split, f in by_split.items():
            lines += [f"### {name}, {split} part ({f.items} claims)", ""]
            lines.append(
                "| kind | claims | right | supported | partial | unsupported | contradicted |"
            )
            lines.append("|:---|---:|---:|---:|---:|---:|---:|")
            for kind, row in sorted(f.by_kind.items()):
                counts = " | ".join(
                    str(row.get(v, 0))
                    for v in ("supported", "partial", "unsupported", "contradicted")
                )
                lines.append(f"| {kind} | {row['items']} | {row['right']} | {counts} |")
            if f.split_sentences:
                lines.append("")
                lines.append(
                    f"{f.split_sentences} claim(s) were cut in two by today's splitter; the "
                    "cited piece's verdict counts."
                )
            lines.append("")
    if calibration:
        lines += [
            "## Confidence",
            "",
            "Share of right verdicts among those in each confidence band (report and held-out "
            "parts).",
            "",
            "| set | band | verdicts | right |",
            "|:---|:---|---:|---:|",
        ]
        for name, rows in calibration.items():
            lines += [f"| {name} | {band} | {n} | {share:.2f} |" for band, n, share in rows]
        lines.append("")
    lines += ["## Typical wrong verdicts (report and held-out parts)", ""]
    for name, wrong in failures.items():
        lines += [f"### {name}", ""]
        if not wrong:
            lines += ["None.", ""]
        for o in wrong[:SHOWN_FAILURES]:
            lines.append(
                f"- `{o.item.id}` ({o.item.kind or o.item.expect}) **{o.verdict}**: "
                f"“{o.item.claim}”"
            )
            if o.evidence:
                lines.append(f"  - evidence: “{o.evidence}”")
            if o.notes:
                lines.append(f"  - notes: {'; '.join(o.notes)}")
        if len(wrong) > SHOWN_FAILURES:
            lines.append(f"- ... and {len(wrong) - SHOWN_FAILURES} more")
        lines.append("")
    return "\n".join(lines)


async def evaluate(
    args: argparse.Namespace, settings: Settings, judge_for: Any
) -> tuple[dict[str, dict[str, Figures]], dict[str, list[Outcome]], dict[str, list[Outcome]]]:
    library = papers()
    results: dict[str, dict[str, Figures]] = {}
    wrong: dict[str, list[Outcome]] = {}
    reported: dict[str, list[Outcome]] = {}
    for name in args.sets:
        items = load(name)
        for split in args.splits:
            part = [i for i in items if i.split == split]
            if not part:
                continue
            outcomes = await judge_items(part, judge_for, library)
            results.setdefault(name, {})[split] = figures(outcomes)
            if split in REPORTED:
                wrong[f"{name}, {split} part"] = [o for o in outcomes if not o.right]
                reported.setdefault(name, []).extend(outcomes)
            elif args.failures:
                for o in outcomes:
                    if not o.right:
                        print(
                            f"[{o.item.id} {o.item.kind}] {o.verdict} {o.confidence}\n"
                            f"  claim: {o.item.claim}\n  evid.: {o.evidence}\n"
                            f"  notes: {o.notes}"
                        )
    return results, wrong, reported


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    embedder = pick_embedder(settings, args.embedder)
    started = time.perf_counter()
    if args.judge == "offline":
        judge = make_judge(settings, embedder, None, "offline")
        results, wrong, reported = await evaluate(args, settings, judge)
        name = judge.name
    else:
        async with open_model(settings.llm) as model:
            judge = make_judge(settings, embedder, model, args.judge)
            results, wrong, reported = await evaluate(args, settings, judge)
            name = judge.name
    return {
        "judge": name,
        "embedder": embedder.name,
        "seconds": time.perf_counter() - started,
        "results": results,
        "wrong": wrong,
        "reported": reported,
    }


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.sets = args.sets or list(SETS)
    args.splits = [args.split] if args.split else list(SPLITS)
    settings = Settings()
    run_ = asyncio.run(run(args, settings))
    results: dict[str, dict[str, Figures]] = run_["results"]
    for name, by_split in results.items():
        for split, f in by_split.items():
            print(f"{name:<11}{split:<9}{headline(name, f)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "judge": run_["judge"],
                    "results": {
                        n: {s: asdict(f) for s, f in by.items()} for n, by in results.items()
                    },
                },
                indent=1,
            )
        )
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    calibration = {
        name: rows
        for name, outcomes in run_["reported"].items()
        if (rows := calibration_rows(outcomes))
    }
    facts = {
        "judge": run_["judge"] + (f" (before: {baseline['judge']})" if baseline else ""),
        "embedder": run_["embedder"],
        "time": f"{run_['seconds']:.0f} s for all the sets",
    }
    if args.report:
        markdown = render(
            results, run_["wrong"], calibration, baseline, facts, command_line(MODULE, argv)
        )
        write_report(Path(args.report), markdown)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--judge", choices=["offline", "llm-unsure", "llm"], default="offline")
    parser.add_argument("--set", dest="sets", action="append", choices=SETS)
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--embedder", choices=["configured", "hash"], default="configured")
    parser.add_argument("--baseline", type=Path, help="a --json of an earlier run, shown beside")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--failures", action="store_true", help="print the tune part's misses")
    parser.add_argument(
        "--report", default=str(REPORT), help="where to write the Markdown ('': nowhere)"
    )
    return parser


if __name__ == "__main__":
    main()
