"""Checked generation: a task's result checked, and its failing sentences rewritten by the
model or dropped.

``checked(events, checker, model, ...)`` passes a task's events on as they come, then (unless
the task failed or wrote no sentence) checks the finished result, repairs it when given a number
of rounds, and yields ``Checked`` with the result as checked and its report.

Repair, for at most ``max_rounds`` rounds while any cited sentence is unsupported or
contradicted: each such sentence is judged against every given source, and the model is asked
(``prompts/repair.md``, structured output) to rewrite only those sentences, citing only the
sources that hold evidence for them, or to drop them; the rewrites are checked again. What
still fails after the last round is dropped and listed in ``report.dropped``. In evidence mode
(no model) every sentence is a verbatim abstract sentence cited to its paper, so the check only
confirms it (a sentence it does not confirm is reported, never dropped: that is a judge error).
"""

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import replace

from pydantic import BaseModel, ConfigDict

from assistant.citations.check.checker import Checker
from assistant.citations.check.judging import Document
from assistant.citations.check.report import CheckReport, SentenceCheck
from assistant.citations.markers import render, strip_markers, with_marker
from assistant.llm.json_reply import ask_json
from assistant.llm.types import ChatModel, Message
from assistant.prompts import default_prompts
from assistant.results import CitedSentence, TaskResult
from assistant.settings import LLMSettings
from assistant.tasks.events import Checked, Finished, RunEvent
from assistant.tasks.evidence import render_evidence
from assistant.tasks.prompt_data import neutralise, sources_block

REPAIRED = frozenset({"unsupported", "contradicted"})


class RewriteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: int
    text: str
    citations: list[int]


class RewritesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentences: list[RewriteOut]


async def checked(
    events: AsyncGenerator[RunEvent, None],
    checker: Checker,
    model: ChatModel | None,
    settings: LLMSettings,
    max_rounds: int | None,
) -> AsyncGenerator[RunEvent, None]:
    """``events``, then the check of their result, repaired in at most ``max_rounds`` rounds
    (None: checked, not repaired)."""
    result: TaskResult | None = None
    async with aclosing(events) as running:
        async for event in running:
            if isinstance(event, Finished):
                result = event.result
            yield event
    if result is None or not result.sentences:
        return
    if max_rounds is None:
        yield Checked(result, await checker.check_result(result))
    else:
        yield Checked(*await repair(result, checker, model, settings, max_rounds))


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
    documents = [Document.of(s.paper, s.texts) for s in result.sources]
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
    prompt = default_prompts()["repair"].render(
        sources=sources_block(result.sources), sentences="\n".join(lines)
    )
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
