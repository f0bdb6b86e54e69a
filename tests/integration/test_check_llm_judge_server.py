"""The LLM judge and the 'llm-unsure' judge against the test OpenAI server on 127.0.0.1: batches
of N pairs per request, a cache that makes a second run ask nothing, only the pairs the offline
judge is unsure of sent, and replies the schema does not allow (a verdict it does not know, a
missing item, prose) falling back on the offline judge with a note, never a crash."""

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.citations.check import Document, OfflineJudge, Pair
from assistant.llm.backend import open_model
from assistant.llm.types import ChatModel
from assistant.settings import LLMSettings, Settings
from assistant.tasks.judge_choice import UnsureToModel, make_judge
from assistant.tasks.llm_judge import JudgementCache, LLMJudge
from tests.cli_corpus import use_fast_library
from tests.fakes import HashEmbedder
from tests.openai_server import OpenAIServer, Reply

COFFEE = Document(
    "p1",
    "Coffee and diabetes",
    (
        "We followed 45,000 adults for ten years.",
        "Drinking three cups of coffee a day lowered the risk of type 2 diabetes by 25%.",
        "Coffee was not associated with hypertension.",
    ),
)
CLAIMS = [
    "Drinking three cups of coffee a day lowered the risk of type 2 diabetes by 25%.",
    "Coffee raises the risk of hypertension.",
    "We followed 45,000 adults for ten years.",
    "Tea drinkers sleep better than coffee drinkers.",
    "Coffee protects the liver.",
]
PAIRS = [Pair(claim, (COFFEE,)) for claim in CLAIMS]


def reply(*items: tuple[int, str]) -> Reply:
    rows = [
        {"item": n, "verdict": v, "evidence": ["1.2"], "reason": "r", "confidence": 0.8}
        for n, v in items
    ]
    return Reply(text=json.dumps({"judgements": rows}))


def claims_asked(server: OpenAIServer) -> list[list[str]]:
    """The claims of each chat request, in order."""
    asked = []
    for request in server.chat_requests():
        prompt = request.body["messages"][-1]["content"]
        asked.append(re.findall(r"<claim>(.*?)</claim>", prompt))
    return asked


@pytest.fixture
async def model(openai_server: OpenAIServer) -> AsyncIterator[ChatModel]:
    settings = LLMSettings(base_url=openai_server.base_url, api_key="sk-test", model="test-model")
    async with open_model(settings) as opened:
        assert opened is not None
        yield opened


def llm_judge(model: ChatModel, tmp_path: Path, batch_size: int) -> LLMJudge:
    cache = JudgementCache(tmp_path / "judgements.sqlite")
    offline = OfflineJudge(HashEmbedder())
    return LLMJudge(model, LLMSettings(), offline, cache, batch_size=batch_size)


async def test_pairs_go_n_to_a_request_and_a_second_run_asks_nothing(
    openai_server: OpenAIServer, model: ChatModel, tmp_path: Path
) -> None:
    openai_server.enqueue(
        reply((1, "supported"), (2, "contradicted")),
        reply((1, "supported"), (2, "unsupported")),
        reply((1, "unsupported")),
    )
    first = await llm_judge(model, tmp_path, batch_size=2).judge(PAIRS)

    assert [len(claims) for claims in claims_asked(openai_server)] == [2, 2, 1]
    assert claims_asked(openai_server)[0] == CLAIMS[:2]
    assert [j.verdict for j in first] == [
        "supported",
        "contradicted",
        "supported",
        "unsupported",
        "unsupported",
    ]
    assert all(j.confidence == 0.8 for j in first)

    again = await llm_judge(model, tmp_path, batch_size=2).judge(PAIRS)  # a new run, one cache
    assert again == first
    assert len(openai_server.chat_requests()) == 3


async def test_a_verdict_the_schema_does_not_allow_falls_back_with_a_note(
    openai_server: OpenAIServer, model: ChatModel, tmp_path: Path
) -> None:
    openai_server.enqueue(reply((1, "refuted"), (3, "supported")))  # item 2 missing
    openai_server.enqueue(Reply(text="I would rather not answer in JSON."))
    judged = await llm_judge(model, tmp_path, batch_size=3).judge(PAIRS[:4])

    refuted, missing, fine, prose = judged
    assert fine.verdict == "supported" and fine.note == "r"
    assert "the model answered “refuted”, not a verdict the check allows" in refuted.note
    assert "the model gave no verdict for it" in missing.note
    assert "the model's reply could not be read" in prose.note
    for fallen in (refuted, missing, prose):
        assert fallen.note.endswith("judged by the offline judge")
        assert fallen.verdict in ("supported", "partial", "unsupported", "contradicted")
        assert fallen.confidence is not None
    assert len(openai_server.chat_requests()) == 2


async def test_llm_unsure_sends_only_the_pairs_the_offline_judge_is_unsure_of(
    openai_server: OpenAIServer, model: ChatModel, tmp_path: Path
) -> None:
    offline = OfflineJudge(HashEmbedder())
    below = 0.7
    first = await offline.judge(PAIRS)
    unsure = [p.claim for p, j in zip(PAIRS, first, strict=True) if j.confidence < below]  # type: ignore[operator]
    assert 0 < len(unsure) < len(PAIRS)  # the test needs both kinds
    openai_server.enqueue(reply(*((n, "partial") for n in range(1, len(unsure) + 1))))

    judge = UnsureToModel(offline, llm_judge(model, tmp_path, batch_size=8), below)
    judged = await judge.judge(PAIRS)

    assert claims_asked(openai_server) == [unsure]
    assert judge.asked == len(unsure)
    for pair, offline_judgement, judgement in zip(PAIRS, first, judged, strict=True):
        if pair.claim in unsure:
            assert judgement.verdict == "partial" and judgement.note == "r"
        else:
            assert judgement == offline_judgement


def test_check_command_takes_the_new_judge_values(
    openai_server: OpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_fast_library(monkeypatch)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{coffee, title={Coffee and diabetes}, abstract={"
        + " ".join(COFFEE.sentences)
        + "}}"
    )
    draft = tmp_path / "draft.md"
    draft.write_text(f"{CLAIMS[0][:-1]} [@coffee].\n\n{CLAIMS[1][:-1]} [@coffee].\n")
    for _ in range(4):
        openai_server.enqueue(reply((1, "supported"), (2, "contradicted")))

    status = cli.main(["check", str(draft), "--bib", str(bib), "--judge", "llm", "--json"])
    sentences = json.loads(capsys.readouterr().out)
    assert [s["verdict"] for s in sentences] == ["supported", "contradicted"]
    assert all(s["confidence"] == 0.8 for s in sentences) and status == 1

    status = cli.main(["check", str(draft), "--bib", str(bib), "--judge", "llm-unsure", "--json"])
    sentences = json.loads(capsys.readouterr().out)
    assert len(sentences) == 2 and all(s["confidence"] is not None for s in sentences)


def test_settings_accept_the_new_judges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEWISE_CHECK__JUDGE", "llm-unsure")
    monkeypatch.setenv("CITEWISE_CHECK__UNSURE_BELOW", "0.6")
    settings = Settings()
    assert settings.check.judge == "llm-unsure" and settings.check.unsure_below == 0.6
    judge = make_judge(settings, HashEmbedder(), None, "auto")
    assert isinstance(judge, OfflineJudge)  # no model: auto is offline
