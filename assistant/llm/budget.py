"""Token budgets, counted offline with cl100k: what fits in the prompt, and what a session spent.

cl100k is OpenAI's tokenizer; other models split text differently (Llama-family tokenizers give
roughly 10-20 % more tokens for English), so the prompt budget keeps a margin.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.errors import ConfigError, TokenBudgetExceeded
from assistant.index.tokens import count_tokens, encoding
from assistant.llm.types import Usage
from assistant.settings import LLMSettings

Passage = tuple[str, str, float]
"""(key, text, score): higher scores are more relevant."""

MARGIN_FRACTION = 0.1
"""Share of the context window kept free for tokenizer differences and the chat template."""
MIN_MARGIN = 32


def pack(passages: Sequence[Passage], budget: int, *, per_passage: int = 0) -> list[Passage]:
    """The most relevant passages whose tokens (plus ``per_passage`` each, for the key and
    separators the prompt adds) fit in ``budget``, in their original order.

    Passages are taken by descending score; one that does not fit is skipped and smaller, less
    relevant ones may still fill the room. The most relevant passage is never dropped for being
    too long alone: it is cut at a token boundary to fit.
    """
    if budget <= 0 or not passages:
        return []
    by_score = sorted(range(len(passages)), key=lambda i: passages[i][2], reverse=True)
    kept: dict[int, Passage] = {}
    left = budget
    for rank, index in enumerate(by_score):
        key, text, score = passages[index]
        cost = count_tokens(text) + per_passage
        if cost <= left:
            kept[index] = passages[index]
            left -= cost
        elif rank == 0 and left > per_passage:
            kept[index] = (key, truncate(text, left - per_passage), score)
            left = 0
    return [kept[index] for index in sorted(kept)]


def truncate(text: str, tokens: int) -> str:
    """The longest prefix of ``text`` within ``tokens`` cl100k tokens, cut between tokens and
    never inside a character."""
    ids = encoding().encode(text, disallowed_special=())
    if len(ids) <= tokens:
        return text
    cut = tokens
    while cut > 0:
        prefix = encoding().decode_bytes(ids[:cut]).decode("utf-8", errors="ignore")
        if count_tokens(prefix) <= tokens:
            return prefix
        cut -= 1
    return ""


def prompt_budget(settings: LLMSettings, fixed_prompt_tokens: int) -> int:
    """Tokens left for passages: the context window less the reply's reserve, the fixed parts of
    the prompt (instructions, question) and a safety margin."""
    window = settings.context_tokens()
    margin = max(MIN_MARGIN, int(window * MARGIN_FRACTION))
    room = window - settings.answer_tokens - fixed_prompt_tokens - margin
    if room <= 0:
        raise ConfigError(
            f"no room for passages: a {window}-token window less {settings.answer_tokens} for "
            f"the answer, {fixed_prompt_tokens} for the prompt and a {margin}-token margin",
            hint="raise CITEWISE_LLM__CONTEXT_WINDOW (if the model allows) "
            "or lower CITEWISE_LLM__ANSWER_TOKENS",
        )
    return room


@dataclass
class Meter:
    """Tokens (and, where prices are set, money) spent by one session, call by call."""

    cap: int | None = None
    price_prompt_per_1k: float | None = None
    price_completion_per_1k: float | None = None
    calls: list[Usage] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> "Meter":
        return cls(
            cap=settings.session_token_cap,
            price_prompt_per_1k=settings.price_prompt_per_1k,
            price_completion_per_1k=settings.price_completion_per_1k,
        )

    def record(self, usage: Usage) -> None:
        self.calls.append(usage)

    @property
    def total(self) -> Usage:
        return sum(self.calls, Usage())

    @property
    def cost(self) -> float | None:
        """Estimated cost of the session, or None when no price is configured."""
        return self.cost_of(self.total)

    def cost_of(self, usage: Usage) -> float | None:
        if self.price_prompt_per_1k is None and self.price_completion_per_1k is None:
            return None
        prompt = usage.prompt_tokens * (self.price_prompt_per_1k or 0.0)
        completion = usage.completion_tokens * (self.price_completion_per_1k or 0.0)
        return (prompt + completion) / 1000

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else max(0, self.cap - self.total.total)

    def check(self, expected_tokens: int) -> None:
        """Raise ``TokenBudgetExceeded`` if a call of about ``expected_tokens`` (prompt plus the
        reply's reserve) would take the session past its cap."""
        remaining = self.remaining
        if remaining is not None and expected_tokens > remaining:
            raise TokenBudgetExceeded(
                f"this call needs about {expected_tokens} tokens, and the session has "
                f"{remaining} left of its {self.cap}-token cap",
                hint="start a new session, or raise CITEWISE_LLM__SESSION_TOKEN_CAP",
            )
