"""A retracted paper is flagged wherever it shows as a source: the history keeps the flag (and
reads entries written before it existed), the command line and the TUI print it."""

from rich.console import Console

from assistant.cli.output import print_sources
from assistant.corpus.paper import Paper
from assistant.history.rows import SourceRecord, source_records
from assistant.results import Source
from assistant.tui.widgets.answer_view import AnswerView

GONE = Paper(title="A study later retracted", year=2021, retracted=True)
FINE = Paper(title="A sound study", year=2020)


def test_the_history_keeps_the_flag_and_reads_older_entries() -> None:
    records = source_records([Source(1, GONE, [], 0.9), Source(2, FINE, [], 0.5)])
    assert [r.retracted for r in records] == [True, False]
    older = {"number": 1, "paper_id": "abc", "title": "t", "score": 0.1, "year": None}
    assert SourceRecord(**older).retracted is False


def test_the_sources_printed_after_an_answer_say_retracted() -> None:
    console = Console(record=True, width=120)
    print_sources(
        console, source_records([Source(1, GONE, [], 0.9), Source(2, FINE, [], 0.5)]), {1, 2}
    )
    lines = console.export_text().splitlines()
    assert "retracted" in lines[2] and "retracted" not in lines[3]


def test_the_tui_source_line_says_retracted() -> None:
    view = AnswerView("a question")
    assert str(view._source_line(Source(1, GONE, [], 0.9))).endswith("(2021) retracted")
    assert "retracted" not in str(view._source_line(Source(2, FINE, [], 0.5)))
