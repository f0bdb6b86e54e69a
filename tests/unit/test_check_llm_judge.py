"""The LLM judge: batched structured requests, the prose fallback, the cache, unanswered pairs."""

import json
from collections.abc import Sequence
from pathlib import Path

from assistant.citations.check import Document, Judgement, Pair
from assistant.citations.check.judging import EvidenceRef
from assistant.settings import LLMSettings
from assistant.tasks.llm_judge import JudgementCache, LLMJudge
from tests.fakes import FakeChatModel

COFFEE = Document(
    "p1",
    "Coffee and diabetes",
    (
        "We followed 45,000 adults for ten years.",
        "Drinking three cups of coffee a day lowered the risk of type 2 diabetes by 25%.",
    ),
)
SLEEP = Document("p2", "Sleep", ("Sleep deprivation did not affect reaction times.",))


class StubJudge:
    """Stands in as the fallback: says "partial" to everything, and counts what it was asked."""

    name = "stub"

    def __init__(self) -> None:
        self.asked: list[Pair] = []

    async def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        self.asked.extend(pairs)
        return [Judgement("partial", 0.5) for _ in pairs]


def reply(*judgements: tuple[int, str, list[str]]) -> str:
    rows = [
        {"item": item, "verdict": verdict, "evidence": evidence, "reason": "because"}
        for item, verdict, evidence in judgements
    ]
    return json.dumps({"judgements": rows})


def make(model: FakeChatModel, tmp_path: Path, batch_size: int = 8) -> tuple[LLMJudge, StubJudge]:
    fallback = StubJudge()
    cache = JudgementCache(tmp_path / "judgements.sqlite")
    return LLMJudge(model, LLMSettings(), fallback, cache, batch_size=batch_size), fallback


PAIRS = [
    Pair("Coffee lowers the risk of type 2 diabetes.", (COFFEE,)),
    Pair("Sleep loss slows reaction times.", (SLEEP,)),
    Pair("Coffee and sleep both matter.", (COFFEE, SLEEP)),
]


async def test_batches_with_schema_and_reads_evidence_labels(tmp_path: Path) -> None:
    model = FakeChatModel()
    model.enqueue(reply((1, "supported", ["1.2"]), (2, "contradicted", ["[1.1]", "9.9"])))
    model.enqueue(reply((1, "partial", ["2.1", "1.1"])))
    judge, fallback = make(model, tmp_path, batch_size=2)

    judged = await judge.judge(PAIRS)

    assert [j.verdict for j in judged] == ["supported", "contradicted", "partial"]
    assert judged[0].evidence == (EvidenceRef(0, 1),)
    assert judged[1].evidence == (EvidenceRef(0, 0),)  # 9.9 names no sentence: ignored
    assert judged[2].evidence == (EvidenceRef(1, 0), EvidenceRef(0, 0))
    assert len(model.calls) == 2 and all(c.json_schema for c in model.calls)
    prompt = model.calls[0].messages[0].content
    assert '<item id="2">' in prompt and "[1.2] Drinking three cups" in prompt
    assert '<item id="3">' not in prompt
    assert fallback.asked == []


async def test_cached_pairs_are_never_asked_again(tmp_path: Path) -> None:
    model = FakeChatModel()
    model.enqueue(reply((1, "supported", ["1.2"]), (2, "unsupported", [])))
    judge, _ = make(model, tmp_path)
    first = await judge.judge(PAIRS[:2])

    again, _ = make(model, tmp_path)  # a new run, the same cache file
    second = await again.judge(PAIRS[:2])

    assert second == first
    assert len(model.calls) == 1


async def test_server_without_structured_output_gets_the_json_in_prose(tmp_path: Path) -> None:
    model = FakeChatModel(refuse_schema=True)
    model.enqueue("Here you are:\n```json\n" + reply((1, "supported", ["1.2"])) + "\n```")
    judge, _ = make(model, tmp_path)

    (judged,) = await judge.judge(PAIRS[:1])

    assert judged.verdict == "supported"
    assert model.calls[-1].json_schema is None


async def test_unanswered_pairs_go_to_the_fallback_judge(tmp_path: Path) -> None:
    model = FakeChatModel()
    model.enqueue(reply((2, "unsupported", [])))  # item 1 missing
    model.enqueue("I cannot do that.")  # not JSON at all
    judge, fallback = make(model, tmp_path, batch_size=2)

    judged = await judge.judge(PAIRS)

    assert [j.verdict for j in judged] == ["partial", "unsupported", "partial"]
    assert "judged by the stub judge" in judged[0].note
    assert [p.claim for p in fallback.asked] == [PAIRS[0].claim, PAIRS[2].claim]
