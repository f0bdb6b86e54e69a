"""The judge the settings ask for: offline, the configured chat model, or the model for the pairs
the offline judge is unsure of.

- ``offline``: the offline judge alone;
- ``llm-unsure``: the offline judge for every pair, the model for those whose offline
  confidence is below ``check.unsure_below`` (``UnsureToModel``): few requests, better verdicts
  where the offline judge cannot tell;
- ``llm``: the model for every pair;
- ``auto``: ``llm-unsure`` when a model is configured, else ``offline``.

The model falls back on the offline judge for pairs it leaves unanswered.
"""

from collections.abc import Sequence
from typing import Literal

from assistant.citations.check.judging import Judge, Judgement, Pair
from assistant.citations.check.offline import Calibration, OfflineJudge, shared_cache
from assistant.errors import ConfigError
from assistant.index.embeddings import Embedder
from assistant.llm.types import ChatModel
from assistant.settings import Settings
from assistant.tasks.llm_judge import JudgementCache, LLMJudge

JudgeKind = Literal["offline", "llm-unsure", "llm", "auto"]
JUDGE_KINDS: tuple[JudgeKind, ...] = ("offline", "llm-unsure", "llm", "auto")


class UnsureToModel:
    """The offline judge for every pair; the model for the pairs it is unsure of (confidence
    below ``below``), whose verdicts replace the offline ones."""

    def __init__(self, offline: Judge, model: Judge, below: float) -> None:
        self.offline = offline
        self.model = model
        self.below = below
        self.name = f"offline, {model.name} for the unsure"
        self.asked = 0
        """Pairs sent to the model so far."""

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        judged = await self.offline.judge(pairs)
        unsure = [i for i, j in enumerate(judged) if unsure_of(j, self.below)]
        if unsure:
            self.asked += len(unsure)
            again = await self.model.judge([pairs[i] for i in unsure])
            for i, judgement in zip(unsure, again, strict=True):
                judged[i] = judgement
        return judged


def unsure_of(judgement: Judgement, below: float) -> bool:
    return judgement.confidence is None or judgement.confidence < below


def make_judge(
    settings: Settings,
    embedder: Embedder,
    model: ChatModel | None,
    kind: JudgeKind | None = None,
) -> Judge:
    """``kind`` (default ``settings.check.judge``): 'llm' and 'llm-unsure' need ``model``;
    'auto' is 'llm-unsure' when there is one, else 'offline'."""
    kind = kind or settings.check.judge
    calibration = Calibration.load(settings.check.thresholds)
    offline = OfflineJudge(embedder, calibration, shared_cache(embedder))
    if kind == "offline" or (kind == "auto" and model is None):
        return offline
    if model is None:
        raise ConfigError(
            f"the {'LLM' if kind == 'llm' else kind} judge needs a language model, and none "
            "is configured",
            hint="set OPENAI_BASE_URL (or OPENAI_API_KEY), or use --judge offline",
        )
    llm = LLMJudge(
        model,
        settings.llm,
        offline,
        JudgementCache.default(),
        batch_size=settings.check.batch_size,
    )
    if kind == "llm":
        return llm
    return UnsureToModel(offline, llm, settings.check.unsure_below)
