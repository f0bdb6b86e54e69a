"""Ask: evidence mode, a scripted model, follow-ups, citations, the question history, copy and
export, and once through a real OpenAI-compatible server."""

from pathlib import Path

from textual.message import Message

from assistant.citations.markers import page_locator
from assistant.history import History
from assistant.library import Library
from assistant.results import EVIDENCE_LABEL
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from assistant.tui.messages import TaskEnded
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.cited_text import MARKS, CitedText
from assistant.tui.widgets.paper_panel import PaperPanel
from assistant.tui.widgets.question_input import QuestionInput
from tests.fakes import FakeChatModel
from tests.helpers import ANSWER, DATA
from tests.openai_server import OpenAIServer, Reply
from tests.ui.pilot import AppFactory, answer_prompt, ask, opened, settle, toasts, unique


def answers(app: CitewiseApp) -> list[AnswerView]:
    return list(app.screen.query(AnswerView))


async def test_evidence_mode_answers_with_extracted_sentences(make_app: AppFactory) -> None:
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await opened(pilot)
        assert app.evidence
        await ask(pilot, "how does dense passage retrieval compare with BM25")
        [view] = answers(app)
        assert view.result is not None and view.result.mode == "evidence"
        assert view.result.sentences and all(s.citations for s in view.result.sentences)
        cited = view.query_one(CitedText)
        assert EVIDENCE_LABEL in str(cited.render())
        assert any(isinstance(m, QuestionInput.Asked) for m in seen)
        assert any(isinstance(m, TaskEnded) for m in seen)


async def test_answer_streams_cites_and_is_recorded(
    make_app: AppFactory, settings: Settings
) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        [view] = answers(app)
        assert view.result is not None and view.result.status == "complete"
        assert [s.citations for s in view.result.sentences] == [[1], [2]]
        assert "[1]" in str(view.query_one(CitedText).render())
        assert app.tokens == 120 and app.model_label == "openai · fake-model"
        assert not app.evidence
    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        [entry] = history.entries(session.id)
    assert entry.query == "how does dense retrieval compare with BM25"
    assert entry.status == "complete" and "[1]" in entry.text


async def test_follow_up_keeps_the_conversation(make_app: AppFactory, settings: Settings) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    model.enqueue("Its limits are the training data it needs [1].")
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        await ask(pilot, "and its limitations?")
        assert len(answers(app)) == 2
        second = model.calls[1].messages[-1].content
        assert "how does dense retrieval compare with BM25" in second  # the conversation block
    with History.for_store(settings.store) as history:
        [session] = history.sessions()
        assert [e.query for e in history.entries(session.id)] == [
            "how does dense retrieval compare with BM25",
            "and its limitations?",
        ]


async def test_citations_open_the_paper_with_the_evidence(make_app: AppFactory) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    app = make_app(model)
    chosen: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=chosen.append) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        [view] = answers(app)
        await pilot.press("tab")  # to the answer: its first citation is chosen
        await settle(pilot)
        panel = app.screen.query_one(PaperPanel)
        assert panel.has_class("-open") and panel.paper == view.sources[1].paper
        evidence = str(panel.query_one(".paper-panel--evidence").render())
        assert evidence and evidence in panel.paper.abstract  # one of its sentences, marked
        await pilot.press("]")
        await settle(pilot)
        assert panel.paper == view.sources[2].paper
        await pilot.press("[")
        await settle(pilot)
        assert panel.paper == view.sources[1].paper
        events = unique(m for m in chosen if isinstance(m, AnswerView.SourceChosen))
        assert [e.number for e in events] == [1, 2, 1]
        assert view.result is not None and events[0].claim == view.result.sentences[0].text
        await pilot.press("escape")
        assert not panel.has_class("-open")


async def test_clicking_a_marker_opens_its_paper(make_app: AppFactory) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        cited = app.screen.query_one(CitedText)
        cited.action_select(1)
        await settle(pilot)
        [view] = answers(app)
        assert app.screen.query_one(PaperPanel).paper == view.sources[2].paper


async def test_up_and_down_walk_the_questions(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "first question")
        await ask(pilot, "second question")
        question = app.screen.query_one(QuestionInput)
        await pilot.press(*"draft")
        await pilot.press("up")
        assert question.value == "second question"
        await pilot.press("up", "up")
        assert question.value == "first question"
        await pilot.press("down", "down")
        assert question.value == "draft"


async def test_copy_and_export(make_app: AppFactory, tmp_path: Path) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        await pilot.press("ctrl+t")
        assert "## References" in app.clipboard and "Dense passage retrieval" in app.clipboard
        for name in ("answer.md", "answer.tex"):
            await pilot.press("ctrl+s")
            await pilot.pause()
            await answer_prompt(pilot, str(tmp_path / name))
    assert "## References" in (tmp_path / "answer.md").read_text()
    assert "\\cite{" in (tmp_path / "answer.tex").read_text()
    assert "@" in (tmp_path / "answer.bib").read_text()


async def test_ask_through_a_real_server(
    ui_library: Library, settings: Settings, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(Reply(text=ANSWER, chunk_delay_s=0.001))
    configured = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"base_url": openai_server.base_url})}
    )
    app = CitewiseApp(configured, lambda: ui_library)
    notes: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=notes.append) as pilot:
        await opened(pilot)
        assert not app.evidence
        await ask(pilot, "how does dense retrieval compare with BM25")
        [view] = answers(app)
        assert view.result is not None and view.result.status == "complete", notes
        assert view.result.model == "test-model"
        assert [s.citations for s in view.result.sentences] == [[1], [2]]
        assert app.model_label == "openai · test-model"
    assert openai_server.chat_requests()
    assert not [n for n in toasts(notes) if n.severity == "error"]


async def test_each_sentence_is_marked_once_checked(make_app: AppFactory) -> None:
    model = FakeChatModel()
    model.enqueue(ANSWER)
    app = make_app(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does dense retrieval compare with BM25")
        [view] = answers(app)
        cited = view.query_one(CitedText)
        assert set(cited.verdicts) == {0, 1}
        assert set(cited.verdicts.values()) <= set(MARKS)
        rendered = str(cited.render())
        assert "supported" in rendered  # the legend
        assert "Citations checked" in str(view.query_one(".answer--note").render())


async def test_a_citation_of_the_full_text_opens_the_passage_on_its_page(
    make_app: AppFactory, library: Library
) -> None:
    library.ingest([DATA / "pdf" / "doc2json_naacl2018-N18-3011_literature-graph_two-column.pdf"])
    app = make_app(None, library)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await ask(pilot, "how does the labeling process for ScienceParse training data work")
        [view] = answers(app)
        assert view.result is not None
        cited = app.screen.query_one(CitedText)
        paged = next(i for i, s in enumerate(view.result.sentences) if s.pages)
        sentence = view.result.sentences[paged]
        ((number, pages),) = sentence.pages.items()
        assert f"[{number}, p" in str(cited.render())  # the marker names the page
        cited.action_select(next(i for i, c in enumerate(cited.citations) if c.sentence == paged))
        await settle(pilot)
        panel = app.screen.query_one(PaperPanel)
        where = str(panel.query_one(".paper-panel--where").render())
        assert where.startswith(f"{page_locator(pages)} · ")  # and its section
        assert str(panel.query_one(".paper-panel--evidence").render()) == sentence.text
