"""Checked generation: generate, check, repair (or drop) what is unsupported, report."""

import json
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path

import pytest

from assistant.citations.check import Checker, CheckReport, Judge, Judgement, Pair, read_bib
from assistant.library import Library
from assistant.llm.types import ChatModel
from assistant.results import EVIDENCE_LABEL, TaskResult
from assistant.settings import Settings
from assistant.tasks import answer, summarize
from assistant.tasks.events import Checked, Finished, Retrieved, RunEvent, TaskEvent, TextDelta
from assistant.tasks.judge_choice import make_judge
from assistant.tasks.repair import checked
from assistant.tasks.requests import AnswerRequest, SummaryRequest
from tests.fakes import FakeChatModel
from tests.helpers import DATA

DRAFTS = DATA / "drafts"
QUESTION = "What lowers the risk of type 2 diabetes, and how do transformers read long texts?"


def papers() -> list[object]:
    return [
        *read_bib([DRAFTS / "refs.bib"]).entries.values(),
        *read_bib([DRAFTS / "library.bib"]).entries.values(),
    ]


def cited_json(*sentences: tuple[str, list[int]]) -> str:
    rows = [{"text": text, "citations": cites} for text, cites in sentences]
    return json.dumps({"paragraphs": [{"sentences": rows}]})


def rewrites(*rows: tuple[int, str, list[int]]) -> str:
    return json.dumps(
        {"sentences": [{"sentence": n, "text": t, "citations": c} for n, t, c in rows]}
    )


class ScriptedRun:
    """Runs a checked answer; the model's replies are written once the sources are numbered."""

    def __init__(self, run: AsyncGenerator[RunEvent, None], model: FakeChatModel) -> None:
        self.run, self.model = run, model
        self.events: list[RunEvent] = []
        self.report: CheckReport | None = None

    async def collect(self, *replies: object) -> TaskResult:
        async for event in self.run:
            self.events.append(event)
            if isinstance(event, Retrieved):
                number = {s.paper.citation_key: s.number for s in event.sources}
                for reply in replies:
                    text = reply(number) if callable(reply) else str(reply)
                    self.model.enqueue(text)
        finished = next(e for e in self.events if isinstance(e, Finished))
        shown = "".join(e.text for e in self.events if isinstance(e, TextDelta))
        assert shown == finished.result.text  # the text streams as written, then is checked
        final = self.events[-1]
        assert isinstance(final, Checked)
        self.report = final.report
        return final.result


def checked_run(
    library: Library,
    events: AsyncGenerator[TaskEvent, None],
    judge: Judge,
    model: ChatModel | None,
    rounds: int = 2,
) -> AsyncGenerator[RunEvent, None]:
    return checked(events, Checker(judge, library), model, library.settings.llm, rounds)


# With the real embedding model and the offline judge


@pytest.fixture(scope="module")
def real_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    settings = Settings(store={"path": tmp_path_factory.mktemp("repair") / "store"})
    library = Library(settings)
    library.add_papers(papers())  # type: ignore[arg-type]
    return library


def checked_answer(library: Library, model: FakeChatModel, rounds: int = 2) -> ScriptedRun:
    judge = make_judge(library.settings, library.embedder, model, "offline")
    events = answer.run(library, AnswerRequest(QUESTION), model, library.settings)
    return ScriptedRun(checked_run(library, events, judge, model, rounds), model)


@pytest.mark.slow
async def test_repaired_answer_has_no_unsupported_sentence(real_library: Library) -> None:
    model = FakeChatModel()
    run = checked_answer(real_library, model)

    def first(n: dict[str | None, int]) -> str:
        return cited_json(
            (
                "Drinking three or more cups of coffee a day lowers the risk of type 2 diabetes.",
                [n["lopez2019coffee"]],
            ),
            (
                "Sparse attention lets transformers read long texts with linear memory.",
                [n["chen2021sleep"]],
            ),
        )

    def repair(n: dict[str | None, int]) -> str:
        return rewrites(
            (
                1,
                "Windowed attention lets transformers process long sequences with linear memory.",
                [n["kim2020window"]],
            )
        )

    result = await run.collect(first, repair)
    report = run.report

    assert report is not None and report.rounds == 1 and report.dropped == []
    assert [s.verdict for s in report.sentences] == ["supported", "supported"]
    assert result.sentences[1].text.startswith("Windowed attention lets transformers")
    assert "Windowed attention" in result.text and "Sparse attention" not in result.text
    repair_prompt = model.calls[1].messages[0].content
    assert "1. Sparse attention lets transformers" in repair_prompt
    assert f"Supporting sources: [{result.sentences[1].citations[0]}]" in repair_prompt


@pytest.mark.slow
async def test_what_no_round_repairs_is_dropped(real_library: Library) -> None:
    model = FakeChatModel()
    run = checked_answer(real_library, model, rounds=1)

    def first(n: dict[str | None, int]) -> str:
        return cited_json(
            (
                "Drinking three or more cups of coffee a day lowers the risk of type 2 diabetes.",
                [n["lopez2019coffee"]],
            ),
            ("Coffee cures insomnia in teenagers.", [n["lopez2019coffee"]]),
        )

    result = await run.collect(first, rewrites((1, "Coffee cures insomnia.", [1])))
    report = run.report

    assert report is not None and report.rounds == 1
    assert [s.text for s in report.dropped] == ["Coffee cures insomnia in teenagers."]
    assert report.dropped[0].verdict == "unsupported"
    assert [s.verdict for s in report.sentences] == ["supported"]
    assert len(result.sentences) == 1 and "insomnia" not in result.text


@pytest.mark.slow
async def test_evidence_mode_quotes_are_confirmed_word_for_word(real_library: Library) -> None:
    """Evidence-mode sentences are quotations of their sources: the check finds each word for
    word (its evidence is itself) and marks it quoted; none is judged as a claim."""
    judge = make_judge(real_library.settings, real_library.embedder, None, "offline")
    request = SummaryRequest(paper_ids=["lopez2019coffee", "chen2021sleep"])
    events = summarize.run(real_library, request, None, real_library.settings)
    run = ScriptedRun(checked_run(real_library, events, judge, None), FakeChatModel())

    result = await run.collect()

    report = run.report
    assert report is not None and result.mode == "evidence" and result.sentences
    assert {s.verdict for s in report.sentences} == {"quoted"}
    assert all(s.evidence and s.evidence[0].sentence == s.text for s in report.sentences)
    assert result.text.startswith(EVIDENCE_LABEL)


# The repair loop's mechanics, with a stand-in judge


class KeywordJudge:
    """Supported when the claim's first word is in the abstract's title, else unsupported."""

    name = "keyword"

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        return [
            Judgement("supported", 1.0)
            if any(p.claim.split()[0].lower() in d.title.lower() for d in p.documents)
            else Judgement("unsupported", 0.0)
            for p in pairs
        ]


async def test_unreadable_repair_reply_drops_the_failing_sentence(library: Library) -> None:
    library.add_papers(papers())  # type: ignore[arg-type]
    model = FakeChatModel()
    events = answer.run(library, AnswerRequest(QUESTION), model, library.settings)
    run = ScriptedRun(checked_run(library, events, KeywordJudge(), model, 2), model)

    def first(n: dict[str | None, int]) -> str:
        return cited_json(
            ("Coffee lowers the risk of type 2 diabetes.", [n["lopez2019coffee"]]),
            ("Sleep helps transformers.", [n["lopez2019coffee"]]),
        )

    result = await run.collect(first, "not JSON")

    assert run.report is not None and run.report.rounds == 1
    assert [s.text for s in result.sentences] == ["Coffee lowers the risk of type 2 diabetes."]
    assert [s.text for s in run.report.dropped] == ["Sleep helps transformers."]
    assert len(model.calls) == 2


async def test_failed_task_passes_through_unchecked(library: Library, tmp_path: Path) -> None:
    from assistant.errors import LLMError

    library.add_papers(papers())  # type: ignore[arg-type]
    model = FakeChatModel()
    model.enqueue("", error=LLMError("the server said no"))
    events = answer.run(library, AnswerRequest(QUESTION), model, library.settings)
    seen: list[RunEvent] = []
    with pytest.raises(LLMError):
        async for event in checked_run(library, events, KeywordJudge(), model):
            seen.append(event)
    assert isinstance(seen[-1], Finished) and seen[-1].result.status == "failed"
    assert not any(isinstance(e, Checked) for e in seen)
