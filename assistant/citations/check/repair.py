"""Checked generation: a task's text is generated, checked, and repaired before it is shown.

``checked(events, library, judge, model, max_rounds)`` wraps a task's events (``answer.run``,
``draft.run``, ``summarize.run``): ``Retrieved`` passes through at once; the text is held back
until it has been checked, then streamed as ``TextDelta``s, then ``Finished`` with the repaired
result. The ``CheckedRun`` it returns holds the ``CheckReport`` (``run.report``) once iterated.

Repair, for at most ``max_rounds`` rounds while any cited sentence is unsupported or
contradicted: each such sentence is judged against every given source, and the model is asked
(``prompts/repair.md``, structured output) to rewrite only those sentences, citing only the
sources that hold evidence for them, or to drop them; the rewrites are checked again. What
still fails after the last round is dropped and listed in ``report.dropped``. In evidence mode
(no model) every sentence is a verbatim abstract sentence cited to its paper, so the check only
confirms it (a sentence it does not confirm is reported, never dropped: that is a judge error).
A failed task's partial result is passed on unchecked.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from pydantic import BaseModel, ConfigDict

from assistant.citations.check.checker import Checker
from assistant.citations.check.judging import Document, Judge
from assistant.citations.check.llm_json import ask_json, template
from assistant.citations.check.report import CheckReport, SentenceCheck
from assistant.citations.markers import render, strip_markers, with_marker
from assistant.library import Library
from assistant.llm.types import ChatModel, Message
from assistant.settings import LLMSettings
from assistant.tasks.context import neutralise, sources_block
from assistant.tasks.evidence import render_evidence
from assistant.tasks.types import CitedSentence, Finished, TaskEvent, TaskResult, TextDelta

REPAIRED = frozenset({"unsupported", "contradicted"})


class RewriteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: int
    text: str
    citations: list[int]


class RewritesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentences: list[RewriteOut]


class CheckedRun:
    """A task's events, checked and repaired; ``report`` is set once they have all been read."""

    def __init__(
        self,
        events: AsyncIterator[TaskEvent],
        checker: Checker,
        model: ChatModel | None,
        settings: LLMSettings,
        max_rounds: int,
    ) -> None:
        self._events = events
        self.checker = checker
        self.model = model
        self.settings = settings
        self.max_rounds = max_rounds
        self.report: CheckReport | None = None

    def __aiter__(self) -> AsyncIterator[TaskEvent]:
        return self._run()

    async def _run(self) -> AsyncIterator[TaskEvent]:
        result: TaskResult | None = None
        try:
            async for event in self._events:
                if isinstance(event, Finished):
                    result = event.result
                elif not isinstance(event, TextDelta):
                    yield event
        except Exception:
            if result is not None:  # a failed task: its partial result, as it is, then the error
                for event in _replay(result):
                    yield event
            raise
        finally:
            close = getattr(self._events, "aclose", None)
            if close is not None:
                await close()
        if result is None:
            return
        if result.status != "failed" and result.sentences:
            result, self.report = await repair(
                result, self.checker, self.model, self.settings, self.max_rounds
            )
        for event in _replay(result):
            yield event


def checked(
    events: AsyncIterator[TaskEvent],
    library: Library,
    judge: Judge,
    model: ChatModel | None,
    max_rounds: int = 2,
    *,
    settings: LLMSettings | None = None,
    suggestions: int = 3,
) -> CheckedRun:
    """``events`` checked against their sources and repaired (see the module docstring)."""
    checker = Checker(judge, library, suggestions)
    return CheckedRun(events, checker, model, settings or library.settings.llm, max_rounds)


async def repair(
    result: TaskResult,
    checker: Checker,
    model: ChatModel | None,
    settings: LLMSettings,
    max_rounds: int,
) -> tuple[TaskResult, CheckReport]:
    """The result with its failing sentences rewritten or dropped, and its final report."""
    report = await checker.check_result(result)
    if result.mode == "evidence" or model is None:
        return result, report
    rounds = 0
    dropped: list[SentenceCheck] = []
    while rounds < max_rounds and _failing(report):
        rounds += 1
        rewritten = await _rewrite(result, report, checker, model, settings)
        if rewritten is None:
            break
        result, removed = rewritten
        dropped += [report.sentences[i] for i in removed]
        report = await checker.check_result(result)
    keep = [i for i, check in enumerate(report.sentences) if not _fails(check)]
    if len(keep) < len(report.sentences):
        dropped += [check for check in report.sentences if _fails(check)]
        result = _with_sentences(result, [result.sentences[i] for i in keep])
        report.sentences = [report.sentences[i] for i in keep]
    report.dropped, report.rounds = dropped, rounds
    return result, report


async def _rewrite(
    result: TaskResult,
    report: CheckReport,
    checker: Checker,
    model: ChatModel,
    settings: LLMSettings,
) -> tuple[TaskResult, list[int]] | None:
    """The result with each failing sentence replaced by the model's rewrite, or removed (the
    indices of those removed come with it); None when the model's reply cannot be read."""
    failing = _failing(report)
    documents = [Document.of(s.paper, s.passages) for s in result.sources]
    numbers = [s.number for s in result.sources]
    texts = [result.sentences[i].text for i in failing]
    judged = await checker.judge_each(texts, documents)
    allowed: dict[int, set[int]] = {}
    lines = []
    for n, (i, judgements) in enumerate(zip(failing, judged, strict=True), 1):
        allowed[n] = {
            number
            for number, judgement in zip(numbers, judgements, strict=True)
            if judgement.verdict in ("supported", "partial")
        }
        support = ", ".join(f"[{number}]" for number in sorted(allowed[n])) or "none"
        written = with_marker(neutralise(texts[n - 1]), result.sentences[i].citations)
        lines.append(f"{n}. {written}\n   Supporting sources: {support}")
    prompt = template("repair", sources=sources_block(result.sources), sentences="\n".join(lines))
    reply, usage = await ask_json(
        model, [Message("user", prompt)], RewritesOut, settings, settings.answer_tokens
    )
    result.usage = result.usage + usage
    if reply is None:
        return None
    rewrites = {r.sentence: r for r in reply.sentences if r.sentence in allowed}
    sentences: list[CitedSentence | None] = list(result.sentences)
    for n, i in enumerate(failing, 1):
        rewrite = rewrites.get(n)
        text, markers = strip_markers(rewrite.text) if rewrite else ("", [])
        cited = sorted({*rewrite.citations, *markers} & allowed[n]) if rewrite else []
        sentences[i] = (
            CitedSentence(text, cited, result.sentences[i].paragraph) if text and cited else None
        )
    removed = [i for i, sentence in enumerate(sentences) if sentence is None]
    return _with_sentences(result, [s for s in sentences if s is not None]), removed


def _failing(report: CheckReport) -> list[int]:
    return [i for i, check in enumerate(report.sentences) if _fails(check)]


def _fails(check: SentenceCheck) -> bool:
    return bool(check.citations) and check.verdict in REPAIRED


def _with_sentences(result: TaskResult, sentences: Sequence[CitedSentence]) -> TaskResult:
    kept = list(sentences)
    text = render_evidence(kept, result.headings) if result.mode == "evidence" else render(kept)
    return replace(result, sentences=kept, text=text)


def _replay(result: TaskResult) -> list[TaskEvent]:
    events: list[TaskEvent] = [TextDelta(line) for line in result.text.splitlines(keepends=True)]
    return [*events, Finished(result)]
