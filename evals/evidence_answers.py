"""Evidence-mode answers on the demo corpus: do the extracted sentences answer the question?

    .venv/bin/python -m evals.evidence_answers run test_questions.txt OUT.jsonl
    .venv/bin/python -m evals.evidence_answers report BEFORE.jsonl AFTER.jsonl

``run`` ingests the demo corpus into a temporary store (the real MiniLM model), asks each
question with no language model, and writes one JSON line per extracted sentence with an empty
``answers`` label. A person then labels each sentence, reading it alone against its question:
``yes`` (it answers), ``partly`` (it bears on the question: background, a part of the answer),
``no``. ``report`` counts the labels of two labelled files (before and after a change) and two
things read off the text: sentences in the first person, and sentences that open by leaning on
the one before (a connective or a pronoun, the list below), and writes
evals/reports/evidence_answers.md. The labelled sets are in evals/data/evidence_answers/ (see
the README there); the questions of ``dev_questions.txt`` were used to tune, ``test_questions.txt``
is reported.
"""

import argparse
import asyncio
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from evals.reporting import command_line, write_report

DATA = Path(__file__).parent / "data" / "evidence_answers"
REPORT = Path(__file__).parent / "reports" / "evidence_answers.md"
FIRST_PERSON = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
LEANING = re.compile(
    r"^(?:as a result|to (?:address|tackle|this end|further)|in addition|additionally|moreover|"
    r"furthermore|however|hence|thus|therefore|but|next|second|in practice|this|these|it|they)\b",
    re.IGNORECASE,
)


def run(questions: Path, out: Path) -> None:
    from assistant.library import Library
    from assistant.paths import DEMO_CORPUS_DIR
    from assistant.settings import Settings
    from assistant.tasks import answer
    from assistant.tasks.events import Finished
    from assistant.tasks.requests import AnswerRequest

    asked = [line.strip() for line in questions.read_text().splitlines() if line.strip()]
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="citewise-evidence-") as store:
        settings = Settings(store={"path": Path(store)})
        library = Library(settings)
        library.ingest([DEMO_CORPUS_DIR])

        async def ask(question: str) -> None:
            async for event in answer.run(library, AnswerRequest(question), None, settings):
                if isinstance(event, Finished):
                    result = event.result
                    for sentence in result.sentences:
                        source = result.sources[sentence.citations[0] - 1]
                        rows.append(
                            {
                                "question": question,
                                "source": source.number,
                                "title": source.paper.title,
                                "sentence": sentence.text,
                                "answers": "",
                            }
                        )

        for question in asked:
            asyncio.run(ask(question))
    out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"{len(rows)} sentences written to {out}; label each one's 'answers'", file=sys.stderr)


def counts(path: Path) -> dict[str, int]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    found = Counter(str(row["answers"]) for row in rows)
    return {
        "sentences": len(rows),
        "yes": found["yes"],
        "partly": found["partly"],
        "no": found["no"],
        "first person": sum(bool(FIRST_PERSON.search(str(r["sentence"]))) for r in rows),
        "leaning on the sentence before": sum(
            bool(LEANING.match(str(r["sentence"]))) for r in rows
        ),
    }


def report(before: Path, after: Path, argv: Sequence[str] | None) -> None:
    old, new = counts(before), counts(after)
    lines = [
        "# Evidence-mode answers on the demo corpus",
        "",
        "Eight test questions (`evals/data/evidence_answers/test_questions.txt`, not used for",
        "tuning), five extracted sentences each, labelled by reading each sentence alone against",
        "its question (`yes` answers it, `partly` bears on it, `no`). Before: the extraction as it",
        "was (relevance from cosine, word overlap and rank); after: with what a sentence does read",
        "alone weighed in (`assistant/tasks/quotes.py`). First person and leaning on the sentence",
        "before are read off the text (`evals/evidence_answers.py`). Since the change every",
        "sentence is shown as a quotation after who wrote it, so the first person reads as theirs.",
        "",
        "| | before | after |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {old[name]} | {new[name]} |" for name in old]
    lines += ["", f"Made with `{command_line('evals.evidence_answers', argv)}`.", ""]
    write_report(REPORT, "\n".join(lines))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.evidence_answers")
    commands = parser.add_subparsers(dest="command", required=True)
    running = commands.add_parser("run")
    running.add_argument("questions", type=Path)
    running.add_argument("out", type=Path)
    reporting = commands.add_parser("report")
    reporting.add_argument("before", type=Path, nargs="?", default=DATA / "test_before.jsonl")
    reporting.add_argument("after", type=Path, nargs="?", default=DATA / "test_after.jsonl")
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.questions, args.out)
    else:
        report(args.before, args.after, argv)


if __name__ == "__main__":
    main()
