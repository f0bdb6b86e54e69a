"""Token budgets: packing passages into the prompt, and the session meter."""

from pathlib import Path

import pytest

from assistant.errors import ConfigError, TokenBudgetExceeded
from assistant.index.tokens import count_tokens
from assistant.llm.budget import Meter, pack, prompt_budget, truncate
from assistant.llm.types import Usage
from assistant.settings import LLMSettings


def passage(key: str, words: int, score: float) -> tuple[str, str, float]:
    return (key, " ".join(["word"] * words), score)


def test_everything_fits_in_original_order() -> None:
    items = [passage("a", 5, 0.1), passage("b", 5, 0.9), passage("c", 5, 0.5)]
    assert pack(items, 100) == items


def test_the_least_relevant_go_first_and_order_is_kept() -> None:
    items = [passage("a", 40, 0.2), passage("b", 40, 0.9), passage("c", 40, 0.5)]
    kept = pack(items, 85)
    assert [key for key, _, _ in kept] == ["b", "c"]
    assert sum(count_tokens(text) for _, text, _ in kept) <= 85


def test_a_smaller_less_relevant_passage_fills_the_room_left() -> None:
    items = [passage("big", 60, 0.8), passage("top", 50, 0.9), passage("small", 10, 0.1)]
    assert [key for key, _, _ in pack(items, 70)] == ["top", "small"]


def test_the_top_passage_alone_too_long_is_cut_not_dropped() -> None:
    text = "Retrieval-augmented generation grounds answers in sources. " * 40
    kept = pack([("long", text, 0.9), ("short", "tiny", 0.1)], 25)
    assert [key for key, _, _ in kept] == ["long"]
    assert count_tokens(kept[0][1]) <= 25 and text.startswith(kept[0][1])
    assert count_tokens(kept[0][1]) >= 20


def test_per_passage_overhead_counts() -> None:
    items = [passage("a", 10, 0.9), passage("b", 10, 0.5)]
    assert len(pack(items, 24)) == 2
    assert len(pack(items, 24, per_passage=5)) == 1


def test_nothing_to_pack() -> None:
    assert pack([], 100) == []
    assert pack([passage("a", 3, 1.0)], 0) == []


def test_truncate_never_splits_a_character() -> None:
    text = "naïve résumé 日本語のテキスト " * 10
    for tokens in range(1, 30):
        cut = truncate(text, tokens)
        assert text.startswith(cut) and count_tokens(cut) <= tokens
        assert "\ufffd" not in cut


def test_prompt_budget_reserves_the_answer_and_a_margin() -> None:
    settings = LLMSettings(context_window=8192, answer_tokens=1024)
    assert prompt_budget(settings, 200) == 8192 - 1024 - 200 - 819
    local = LLMSettings(gguf_path=Path("m.gguf"), local_ctx=2048, answer_tokens=512)
    assert prompt_budget(local, 100) == 2048 - 512 - 100 - 204


def test_prompt_budget_with_no_room_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="no room for passages"):
        prompt_budget(LLMSettings(context_window=1024, answer_tokens=900), 100)


def test_meter_totals_and_costs() -> None:
    meter = Meter(price_prompt_per_1k=0.5, price_completion_per_1k=1.5)
    meter.record(Usage(1000, 200))
    meter.record(Usage(500, 100))
    assert meter.total == Usage(1500, 300) and len(meter.calls) == 2
    assert meter.cost == pytest.approx(0.75 + 0.45)
    assert meter.cost_of(Usage(1000, 0)) == pytest.approx(0.5)


def test_meter_without_prices_has_no_cost() -> None:
    meter = Meter()
    meter.record(Usage(10, 10))
    assert meter.cost is None and meter.remaining is None
    meter.check(10**9)  # no cap: anything goes


def test_meter_cap() -> None:
    meter = Meter.from_settings(LLMSettings(session_token_cap=1000))
    meter.record(Usage(600, 100))
    assert meter.remaining == 300
    meter.check(300)
    with pytest.raises(TokenBudgetExceeded, match="300 left of its 1000-token cap") as caught:
        meter.check(301)
    assert "SESSION_TOKEN_CAP" in (caught.value.hint or "")
