"""Sentence segmentation speed: linear in the text's length, on real and on hostile text.

    .venv/bin/python -m benchmarks.segmentation [--repeats 3]

Each text is cut to 10 KB, 100 KB and 1 MB (characters) and split by ``split_sentences``, with
and without hard line breaks; real text is also read as a Markdown draft by ``parse_draft``
(markup removed, citations replaced, then split). Texts:

- abstracts: the demo corpus's abstracts one after another, one paragraph each (real prose);
- draft: the gold set's Markdown drafts (citations, lists, line breaks) repeated;
- hostile, each one line: "a. " (a stop before every word), "[" (an unclosed bracket), "e.g. "
  (an abbreviation every word), "x. [@a, p. 3] " (citations full of stops after every stop),
  "A. " (an initial before every capital), "\\n" (a line break every character, hard breaks)
  and ". " followed by a megabyte of spaces.

Printed per text: the best of ``--repeats`` runs at each size, and the ratio per doubling of the
size from 100 KB to 1 MB, (t(1 MB) / t(100 KB)) ** (1 / log2(10)): about 2 when the work is
linear, about 4 when quadratic (10 KB runs are too short to time well). A shared machine only
ever slows a run down, hence the best of several.
"""

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from assistant.citations.check import parse_draft
from assistant.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000, 1_000_000)
LINEAR = 2.0


def abstracts() -> str:
    texts = []
    for path in sorted((ROOT / "assistant" / "demo_corpus").glob("*.txt")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 300]
    return "\n\n".join(texts)


def drafts() -> str:
    records = [
        json.loads(line)
        for part in ("dev", "test")
        for line in (ROOT / "evals" / "data" / "segmentation" / f"{part}.jsonl").open()
    ]
    return "\n\n".join(r["text"] for r in records if r["kind"] == "markdown")


def texts() -> dict[str, str]:
    return {
        "abstracts": abstracts(),
        "draft": drafts(),
        "a. ": "a. ",
        "[": "[",
        "e.g. ": "e.g. ",
        "x. [@a, p. 3] ": "x. [@a, p. 3] ",
        "A. ": "A. ",
        "\\n": "\n",
        ". + spaces": ". " + " " * 2_000_000,
    }


def sized(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def best(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    header = "".join(f"{size // 1000:>9} KB" for size in SIZES)
    print(f"{'text':<16} {'how':<12}{header}   per doubling")
    worst = 0.0
    for name, text in texts().items():
        ways: dict[str, Callable[[str], object]] = {
            "split": split_sentences,
            "hard breaks": lambda t: split_sentences(t, hard_breaks=True),
        }
        if name in ("abstracts", "draft"):
            ways["parse_draft"] = lambda t: parse_draft(t, "markdown")
        for how, split in ways.items():
            samples = [sized(text, size) for size in SIZES]
            seconds = [best(partial(split, sample), args.repeats) for sample in samples]
            ratio = (seconds[-1] / seconds[-2]) ** (1 / math.log2(SIZES[-1] / SIZES[-2]))
            worst = max(worst, ratio)
            figures = "".join(f"{s:>10.4f}s" for s in seconds)
            print(f"{name:<16} {how:<12}{figures}   {ratio:.2f}")
    print(f"worst ratio per doubling: {worst:.2f} (linear: {LINEAR:.0f}, quadratic: 4)")


if __name__ == "__main__":
    main()
