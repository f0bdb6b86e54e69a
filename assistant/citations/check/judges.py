"""The judge the settings ask for: offline, the configured chat model, or whichever is there."""

from typing import Literal

from assistant.citations.check.judging import Judge
from assistant.citations.check.llm_judge import JudgementCache, LLMJudge
from assistant.citations.check.offline import Calibration, OfflineJudge, shared_cache
from assistant.errors import ConfigError
from assistant.index.embeddings import Embedder
from assistant.llm.types import ChatModel
from assistant.settings import Settings

JudgeKind = Literal["offline", "llm", "auto"]


def make_judge(
    settings: Settings,
    embedder: Embedder,
    model: ChatModel | None,
    kind: JudgeKind | None = None,
) -> Judge:
    """``kind`` (default ``settings.check.judge``): 'llm' needs ``model``; 'auto' takes it when
    there is one. The LLM judge falls back on the offline one for pairs it leaves unanswered."""
    kind = kind or settings.check.judge
    calibration = Calibration.load(settings.check.thresholds)
    offline = OfflineJudge(embedder, calibration, shared_cache(embedder))
    if kind == "offline" or (kind == "auto" and model is None):
        return offline
    if model is None:
        raise ConfigError(
            "the LLM judge needs a language model, and none is configured",
            hint="set OPENAI_BASE_URL (or OPENAI_API_KEY), or use --judge offline",
        )
    return LLMJudge(
        model,
        settings.llm,
        offline,
        JudgementCache.default(),
        batch_size=settings.check.batch_size,
    )
