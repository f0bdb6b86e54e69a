"""The runner every front end shares: recording, checking, the model holder, and what the
front ends do with a result (exports, results again from the history, edits, evidence)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from assistant.citations.edits import edited
from assistant.citations.export import write_export
from assistant.errors import InputError, LLMError
from assistant.history import History
from assistant.library import Library
from assistant.llm.types import ChatModel
from assistant.results import SHOWN_VERDICTS, CitedSentence, Source, TaskResult
from assistant.tasks.evidence import closest_sentence, render_evidence
from assistant.tasks.models import ModelHolder, ModelOpener
from assistant.tasks.requests import AnswerRequest
from assistant.tasks.runner import Runner
from tests.fakes import FakeChatModel, HashEmbedder
from tests.helpers import CORPUS


@pytest.fixture
def filled(library: Library) -> Library:
    library.ingest([CORPUS])
    return library


async def test_start_records_the_run_and_continues_a_session(
    filled: Library, tmp_path: Path
) -> None:
    model = FakeChatModel()
    model.enqueue("Dense retrieval wins [1].")
    model.enqueue("Still [1].")
    with History(tmp_path / "h.sqlite3") as history:
        runner = Runner(filled.settings, history, lambda: filled, holder(model))
        first = runner.start(AnswerRequest("dense retrieval?"))
        events = [e async for e in first.events]
        assert events and history.entry(first.entry_id).status == "complete"
        again = runner.start(AnswerRequest("and?"), session=first.session)
        [_ async for _ in again.events]
        assert again.session == first.session
        assert len(history.entries(first.session)) == 2
        assert runner.conversation_meter(first.session).total.total == 240


def holder(model: ChatModel | None) -> ModelOpener:
    @asynccontextmanager
    async def opened() -> AsyncIterator[ChatModel | None]:
        yield model

    return opened


async def test_model_holder_opens_once_retries_a_failure_and_closes() -> None:
    opened, closed = [], []
    failures = [LLMError("down")]

    @asynccontextmanager
    async def opener() -> AsyncIterator[ChatModel | None]:
        if failures:
            raise failures.pop()
        opened.append(1)
        try:
            yield None
        finally:
            closed.append(1)

    models = ModelHolder(opener)
    with pytest.raises(LLMError):
        await models.get()
    assert not models.opened
    assert await models.get() is None and await models.get() is None
    async with models.borrow() as model:
        assert model is None
    assert opened == [1] and models.opened and not closed
    await models.aclose()
    await asyncio.sleep(0)
    assert closed == [1]


def result(filled: Library) -> TaskResult:
    hits = filled.search("attention transformers", k=2)
    sources = [Source(i + 1, h.paper, [], h.score) for i, h in enumerate(hits)]
    return TaskResult(
        "answer",
        "q",
        "llm",
        sources,
        text="Attention is enough [1]. Experts route tokens [2].",
        sentences=[
            CitedSentence("Attention is enough.", [1]),
            CitedSentence("Experts route tokens.", [2]),
        ],
        status="complete",
    )


def test_exports_write_markdown_latex_and_text(filled: Library, tmp_path: Path) -> None:
    done = result(filled)
    [md] = write_export(done, tmp_path / "a.md")
    tex, bib = write_export(done, tmp_path / "a.tex")
    [txt] = write_export(done, tmp_path / "plain", "text")
    assert "## References" in md.read_text() and "\\cite{" in tex.read_text()
    assert bib.suffix == ".bib" and bib.read_text().count("@") == 2
    assert txt.name == "plain.txt"
    with pytest.raises(InputError):
        write_export(done, tmp_path / "missing" / "a.md")


def test_result_from_entry_keeps_removed_papers(filled: Library, tmp_path: Path) -> None:
    done = result(filled)
    with History(tmp_path / "h.sqlite3") as history:
        entry_id = history.start(history.new_session("q"), "answer", "q", {})
        history.finish(entry_id, done)
        entry = history.entry(entry_id)
    filled.remove([done.sources[1].paper.id])
    again = entry.result(filled.find)
    assert again.sources[0].paper == done.sources[0].paper
    assert again.sources[1].paper.title == done.sources[1].paper.title
    assert again.sentences == done.sentences and again.status == "complete"


def test_edited_text_is_read_again(filled: Library) -> None:
    done = result(filled)
    revised = edited(
        done, "Attention is enough [1].\n\nMine [2]. Wrong [7].\nlines stay sentences [1]."
    )
    assert [(s.text, s.citations, s.paragraph) for s in revised.sentences] == [
        ("Attention is enough.", [1], 0),
        ("Mine.", [2], 1),
        ("Wrong.", [], 1),
        ("lines stay sentences.", [1], 1),
    ]
    assert revised.invalid_citations == ["[7]"]


def test_edited_evidence_outline_keeps_its_themes(filled: Library) -> None:
    done = result(filled)
    sentences = [CitedSentence("One.", [1], 0), CitedSentence("Two.", [2], 1)]
    outline = TaskResult("draft", "q", "evidence", done.sources, sentences=sentences)
    text = render_evidence(sentences, {0: "attention", 1: "experts"})
    revised = edited(outline, text)
    assert revised.headings == {0: "attention", 1: "experts"}
    assert [(s.text, s.citations, s.paragraph) for s in revised.sentences] == [
        ("One.", [1], 0),
        ("Two.", [2], 1),
    ]


def test_evidence_sentence_is_the_closest_one() -> None:
    abstract = "Cats purr loudly. Dense retrieval beats BM25 on passages. Dogs bark."
    sentences, best = closest_sentence(HashEmbedder(), "dense retrieval beats BM25", abstract)
    assert len(sentences) == 3 and best == 1
    assert closest_sentence(HashEmbedder(), "x", "") == ([], None)


async def test_check_result_marks_each_sentence(filled: Library, tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        report = await Runner(filled.settings, history, lambda: filled).check_result(result(filled))
    checks = report.marks()
    assert set(checks.verdicts) <= {0, 1}
    assert all(v in SHOWN_VERDICTS for v in checks.verdicts.values())
