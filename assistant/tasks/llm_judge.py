"""The LLM judge: the configured chat model reads each claim against its abstracts.

Pairs go ``batch_size`` to a request (``prompts/judge.md``), asked for structured output
(``JudgementsOut`` as JSON schema; a server without it is asked for the JSON in prose). The reply
is read item by item (``Reply``), so one bad item costs only itself. Every answer is cached in
SQLite (``JudgementCache``) under a hash of the model, the prompt and the pair's content, so a
pair is never asked twice, across runs too. A pair the reply leaves out, gives a verdict the
schema does not allow ("refuted"), or a reply that cannot be read at all, is judged by the
``fallback`` judge, with a note saying which. A verdict's confidence is the model's own estimate
(not calibrated: no model was measured here), clipped to 0-1.
"""

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant import paths
from assistant.citations.check.judging import (
    PAIR_VERDICTS,
    EvidenceRef,
    Judge,
    Judgement,
    Pair,
    PairVerdict,
)
from assistant.llm.json_reply import ask_json
from assistant.llm.types import ChatModel, Message, Usage
from assistant.prompts import default_prompts
from assistant.settings import LLMSettings
from assistant.tasks.prompt_data import neutralise

SCORES: dict[PairVerdict, float] = {
    "supported": 1.0,
    "partial": 0.6,
    "contradicted": 0.5,
    "unsupported": 0.0,
}
"""What a verdict means on the judges' common 0-1 evidence scale."""


class JudgementOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: int = Field(description="The item's number.")
    verdict: Literal["supported", "partial", "unsupported", "contradicted"]
    evidence: list[str] = Field(description='Sentence labels, e.g. ["1.3"].')
    reason: str
    confidence: float = Field(description="How likely the verdict is right, from 0 to 1.")


class JudgementsOut(BaseModel):
    """What the model is asked for (its JSON schema)."""

    model_config = ConfigDict(extra="forbid")

    judgements: list[JudgementOut]


class ItemRead(BaseModel):
    """One judgement as read: any verdict string, so that one the schema does not allow is
    reported for its item alone."""

    item: int
    verdict: str
    evidence: list[str] = Field(default_factory=list)
    reason: str = ""
    confidence: float | None = None


class Reply(BaseModel):
    """The reply as read (leniently, item by item); its JSON schema is ``JudgementsOut``'s."""

    judgements: list[ItemRead]

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return JudgementsOut.model_json_schema(*args, **kwargs)


class JudgementCache:
    """Judgements by content hash, in one SQLite file (rebuildable data: the cache dir)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS judgements (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )

    @classmethod
    def default(cls) -> "JudgementCache":
        return cls(paths.cache_dir() / "check" / "judgements.sqlite")

    def get(self, key: str) -> Judgement | None:
        row = self._db.execute("SELECT value FROM judgements WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        raw = json.loads(row[0])
        refs = tuple(EvidenceRef(d, s) for d, s in raw["evidence"])
        return Judgement(raw["verdict"], raw["score"], refs, raw["note"], raw.get("confidence"))

    def put(self, key: str, judgement: Judgement) -> None:
        value = {
            "verdict": judgement.verdict,
            "score": judgement.score,
            "evidence": [(r.document, r.sentence) for r in judgement.evidence],
            "note": judgement.note,
            "confidence": judgement.confidence,
        }
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO judgements (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )

    def close(self) -> None:
        self._db.close()


class LLMJudge:
    def __init__(
        self,
        model: ChatModel,
        settings: LLMSettings,
        fallback: Judge,
        cache: JudgementCache | None = None,
        batch_size: int = 8,
    ) -> None:
        self.model = model
        self.settings = settings
        self.fallback = fallback
        self.cache = cache
        self.batch_size = batch_size
        self.name = f"llm ({model.info.model})"
        self.usage = Usage()
        self._prompt = default_prompts()["judge"]

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        keys = [self._key(pair) for pair in pairs]
        found: dict[int, Judgement] = {}
        for i, key in enumerate(keys):
            cached = self.cache.get(key) if self.cache is not None else None
            if cached is not None:
                found[i] = cached
        todo = [i for i in range(len(pairs)) if i not in found]
        problems: dict[int, str] = {}
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            answers = await self._ask([pairs[i] for i in batch])
            for i, answer in zip(batch, answers, strict=True):
                if isinstance(answer, Judgement):
                    found[i] = answer
                    if self.cache is not None:
                        self.cache.put(keys[i], answer)
                else:
                    problems[i] = answer
        unanswered = [i for i in range(len(pairs)) if i not in found]
        if unanswered:
            stand_ins = await self.fallback.judge([pairs[i] for i in unanswered])
            for i, judgement in zip(unanswered, stand_ins, strict=True):
                note = f"{problems[i]}; judged by the {self.fallback.name} judge"
                found[i] = Judgement(
                    judgement.verdict,
                    judgement.score,
                    judgement.evidence,
                    note,
                    judgement.confidence,
                )
        return [found[i] for i in range(len(pairs))]

    async def _ask(self, pairs: Sequence[Pair]) -> list[Judgement | str]:
        """Each pair's judgement, or why the reply gives none."""
        items = "\n\n".join(_item(n, pair) for n, pair in enumerate(pairs, 1))
        messages = [Message("user", self._prompt.render(items=items))]
        tokens = min(self.settings.answer_tokens, 120 + 180 * len(pairs))
        reply, usage = await ask_json(self.model, messages, Reply, self.settings, tokens)
        self.usage = self.usage + usage
        if reply is None:
            return ["the model's reply could not be read"] * len(pairs)
        answers: list[Judgement | str] = ["the model gave no verdict for it"] * len(pairs)
        for out in reply.judgements:
            if not 1 <= out.item <= len(pairs) or isinstance(answers[out.item - 1], Judgement):
                continue
            if out.verdict not in PAIR_VERDICTS:
                answers[out.item - 1] = (
                    f"the model answered “{out.verdict[:40]}”, not a verdict the check allows"
                )
                continue
            answers[out.item - 1] = _judgement(out, pairs[out.item - 1])
        return answers

    def _key(self, pair: Pair) -> str:
        content = [
            self.model.info.backend,
            self.model.info.base_url,
            self.model.info.model,
            self._prompt.version,
            pair.claim,
            [[d.title, list(d.sentences)] for d in pair.documents],
        ]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _item(number: int, pair: Pair) -> str:
    lines = [f'<item id="{number}">', f"<claim>{neutralise(pair.claim)}</claim>"]
    for a, document in enumerate(pair.documents, 1):
        lines.append(f'<abstract id="{a}" title="{neutralise(document.title)}">')
        lines.extend(
            f"[{a}.{s}] {neutralise(text)}" for s, text in enumerate(document.sentences, 1)
        )
        lines.append("</abstract>")
    lines.append("</item>")
    return "\n".join(lines)


def _judgement(out: ItemRead, pair: Pair) -> Judgement:
    refs: list[EvidenceRef] = []
    for label in out.evidence:
        document, _, sentence = label.strip("[] ").partition(".")
        if document.isdigit() and sentence.isdigit():
            ref = EvidenceRef(int(document) - 1, int(sentence) - 1)
            if 0 <= ref.document < len(pair.documents) and 0 <= ref.sentence < len(
                pair.documents[ref.document].sentences
            ):
                refs.append(ref)
    verdict: PairVerdict = next(v for v in PAIR_VERDICTS if v == out.verdict)
    evidence = tuple(dict.fromkeys(refs)) if verdict != "unsupported" else ()
    confidence = None if out.confidence is None else min(max(out.confidence, 0.0), 1.0)
    return Judgement(verdict, SCORES[verdict], evidence, out.reason, confidence)
