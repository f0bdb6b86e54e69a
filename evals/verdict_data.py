"""The verdict sets (evals/data/verdicts/): claims cited to demo-corpus abstracts, with the
verdict a careful reader would give.

    .venv/bin/python -m evals.verdict_data      # (re)draw verbatim.jsonl from the demo corpus

Sets (see evals/data/verdicts/README.md for how each was made): ``verbatim`` (abstract sentences
copied word for word, drawn here with a fixed seed), ``paraphrase`` and ``reversal`` (written by
hand from verbatim sentences), ``ood`` (out-of-domain checks written by hand). Every item cites
one paper by key; a paper is a demo-corpus paper (its key made from its title) or one of the
abstracts in ``own_abstracts.jsonl``, written for the set. Each item belongs to the *tune* or the
*report* part by its paper's key (``split_of``), so no paper's sentences are in both. A set's
``<name>_heldout.jsonl`` holds its *held-out* part: items made later, from sentences no earlier
item was made from, and judged by a judge that was never changed on their account.

    .venv/bin/python -m evals.verdict_data --held-out   # draw verbatim_heldout.jsonl
"""

import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant import paths
from assistant.citations.check import parse_draft
from assistant.corpus.paper import Paper
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.sentences import split_sentences

DATA = Path(__file__).parent / "data" / "verdicts"
SETS = ("verbatim", "paraphrase", "reversal", "ood")
SEED = 13
PER_HALF = 260
"""Verbatim sentences with a negation word, and as many without."""
MIN_WORDS, MAX_WORDS = 6, 60
TUNE_SHARE = 4
"""Papers whose key hashes to 0-3 (of 10) are in the tune part, the rest in the report part."""

Split = Literal["tune", "report", "held-out"]
HELD_OUT_SEED = 14
HELD_OUT_SIZE = 300
"""Held-out verbatim sentences: every candidate with a negation word not drawn before, and
plain ones to make up the number."""

NEGATION_WORDS = re.compile(
    r"\b(?:not|no|never|none|nothing|neither|nor|cannot|fail\w*|lack\w*|without|unable|"
    r"absen\w+|unlike|impossible|insufficient\w*|unnecessar\w+|non-\w+|\w+-free)\b|n't\b",
    re.IGNORECASE,
)
"""What counts as "a sentence with a negation word" for the verbatim draw."""


@dataclass(frozen=True)
class Item:
    id: str
    set: str
    key: str
    claim: str
    expect: str
    """What a careful reader says: 'supported', 'supported-or-partial', 'contradicted',
    'not-supported' (contradicted or unsupported)."""

    kind: str = ""
    """How it was made (a paraphrase's edit, a reversal's kind, an out-of-domain check's kind)."""

    source: str = ""
    """The verbatim item it was written from, if any."""

    held_out: bool = False

    @property
    def split(self) -> Split:
        return "held-out" if self.held_out else split_of(self.key)


def split_of(key: str) -> Split:
    return "tune" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10 < TUNE_SHARE else "report"


def key_of(title: str) -> str:
    """A demo paper's citation key: its title's first word and a hash of the title."""
    word = re.sub(r"[^a-z0-9]", "", title.split()[0].lower())[:12] or "paper"
    return f"{word}{hashlib.sha1(title.encode()).hexdigest()[:6]}"


def demo_papers() -> dict[str, Paper]:
    """The demo corpus's distinct papers (first reading of each title), by key."""
    reader = DailyPapersReader()
    papers: dict[str, Paper] = {}
    for path in sorted(paths.DEMO_CORPUS_DIR.glob("*.txt")):
        for item in reader.read(path):
            if isinstance(item, Paper) and item.has_abstract:
                papers.setdefault(key_of(item.title), item)
    return papers


def own_papers() -> dict[str, Paper]:
    """The abstracts written for the out-of-domain checks."""
    rows = _rows(DATA / "own_abstracts.jsonl")
    return {r["key"]: Paper(title=r["title"], abstract=r["abstract"]) for r in rows}


def papers() -> dict[str, Paper]:
    return {**demo_papers(), **own_papers()}


def load(name: str) -> list[Item]:
    """One set's items (``name`` in ``SETS``), its held-out part last."""
    held_out = DATA / f"{name}_heldout.jsonl"
    parts = [(DATA / f"{name}.jsonl", False)] + ([(held_out, True)] if held_out.exists() else [])
    return [
        Item(
            r["id"],
            name,
            r["key"],
            r["claim"],
            r.get("expect") or EXPECTED[name],
            r.get("kind", ""),
            r.get("source", ""),
            held_out=later,
        )
        for path, later in parts
        for r in _rows(path)
    ]


EXPECTED = {
    "verbatim": "supported",
    "paraphrase": "supported-or-partial",
    "reversal": "not-supported",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# Turning items into what a user gives `citewise check`


def draft_text(items: Sequence[Item]) -> str:
    """A Markdown draft, one paragraph per item: the claim with its citation before the stop."""
    return "\n\n".join(cite(item.claim, item.key) for item in items) + "\n"


def cite(claim: str, key: str) -> str:
    text = claim.rstrip()
    end = text[-1] if text[-1] in ".!?" else ""
    return f"{text[: len(text) - len(end)]} [@{key}]{end or '.'}"


def bib_text(keys: Sequence[str], library: dict[str, Paper]) -> str:
    return "\n".join(_entry(key, library[key]) for key in dict.fromkeys(keys))


def _entry(key: str, paper: Paper) -> str:
    def braced(text: str) -> str:
        return text.replace("\\", " ").replace("{", "(").replace("}", ")")

    return (
        f"@article{{{key},\n  title = {{{braced(paper.title)}}},\n"
        f"  abstract = {{{braced(paper.abstract)}}}\n}}\n"
    )


# Drawing the verbatim set


def survives_markdown(sentence: str, key: str) -> bool:
    """Whether the draft reader gives the sentence back word for word, as one sentence."""
    draft = parse_draft(cite(sentence, key), "markdown")
    return [s.text for s in draft.sentences] == [sentence] and bool(sentence.endswith("."))


def candidates(library: dict[str, Paper]) -> Iterator[tuple[str, str]]:
    for key, paper in library.items():
        for sentence in split_sentences(paper.abstract):
            if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS and survives_markdown(sentence, key):
                yield key, sentence


def draw_verbatim(library: dict[str, Paper]) -> list[dict[str, object]]:
    found = sorted(set(candidates(library)))
    negated = [c for c in found if NEGATION_WORDS.search(c[1])]
    plain = [c for c in found if not NEGATION_WORDS.search(c[1])]
    rng = random.Random(SEED)
    return _rows_of(rng.sample(negated, PER_HALF) + rng.sample(plain, PER_HALF), SEED, "v")


def draw_held_out(library: dict[str, Paper], drawn: set[str]) -> list[dict[str, object]]:
    """Sentences that no item of ``verbatim.jsonl`` (``drawn``) is: every one with a negation
    word, then plain ones up to ``HELD_OUT_SIZE``."""
    found = [c for c in sorted(set(candidates(library))) if c[1] not in drawn]
    negated = [c for c in found if NEGATION_WORDS.search(c[1])]
    plain = [c for c in found if not NEGATION_WORDS.search(c[1])]
    rng = random.Random(HELD_OUT_SEED)
    chosen = negated + rng.sample(plain, max(0, HELD_OUT_SIZE - len(negated)))
    return _rows_of(chosen, HELD_OUT_SEED, "vh")


def _rows_of(chosen: list[tuple[str, str]], seed: int, prefix: str) -> list[dict[str, object]]:
    chosen = sorted(chosen, key=lambda c: hashlib.sha1(f"{seed}{c}".encode()).hexdigest())
    return [
        {
            "id": f"{prefix}{n:03d}",
            "key": key,
            "claim": sentence,
            "kind": "negation" if NEGATION_WORDS.search(sentence) else "plain",
        }
        for n, (key, sentence) in enumerate(chosen, 1)
    ]


def main(argv: Sequence[str] | None = None) -> None:
    held_out = "--held-out" in (sys.argv[1:] if argv is None else argv)
    library = demo_papers()
    if held_out:
        rows = draw_held_out(library, {i.claim for i in load("verbatim") if not i.held_out})
        path = DATA / "verbatim_heldout.jsonl"
    else:
        rows, path = draw_verbatim(library), DATA / "verbatim.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences from {len(library)} papers written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
