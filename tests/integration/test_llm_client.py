"""The chat client, with the real ``openai`` client, against a real OpenAI-compatible server."""

import json
import logging
import time
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.errors import LLMError, StreamInterrupted, StructuredOutputUnsupported
from assistant.llm.client import OpenAIChatModel
from assistant.llm.types import Delta, Done, Message, StreamEvent, Usage
from tests.chroma_server import free_port
from tests.openai_server import Cut, OpenAIServer, Reply

KEY = "sk-test-0123456789abcdef"
QUESTION = [Message("system", "Answer briefly."), Message("user", "What is retrieval?")]


def chat(
    server: OpenAIServer | str, *, key: str | None = KEY, model: str = "test-model", **options: Any
) -> OpenAIChatModel:
    base_url = server if isinstance(server, str) else server.base_url
    return OpenAIChatModel(
        base_url=base_url,
        model=model,
        api_key=SecretStr(key) if key else None,
        **{"timeout_s": 5.0, "max_retries": 2, **options},
    )


async def collect(
    stream: AsyncIterator[StreamEvent], into: list[tuple[float, StreamEvent]] | None = None
) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    async for event in stream:
        events.append(event)
        if into is not None:
            into.append((time.monotonic(), event))
    return events


def text_of(events: list[StreamEvent]) -> str:
    return "".join(event.text for event in events if isinstance(event, Delta))


async def test_streams_deltas_as_they_arrive_then_done_with_usage(
    openai_server: OpenAIServer,
) -> None:
    openai_server.enqueue(Reply(text="Retrieval finds passages first.", chunk_delay_s=0.15))
    timed: list[tuple[float, StreamEvent]] = []
    events = await collect(chat(openai_server).stream(QUESTION, max_tokens=64), timed)

    assert text_of(events) == "Retrieval finds passages first."
    assert [type(e) for e in events] == [Delta] * 4 + [Done]
    first_delta_at, done_at = timed[0][0], timed[-1][0]
    assert done_at - first_delta_at >= 0.4  # the first words came while the rest was written
    done = events[-1]
    assert isinstance(done, Done)
    assert done.finish_reason == "stop" and done.model == "test-model"
    assert done.usage == Usage(prompt_tokens=5, completion_tokens=4)  # the server's count
    sent = openai_server.chat_requests()[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 64 and sent["messages"][1]["content"] == "What is retrieval?"


async def test_usage_is_estimated_when_the_server_reports_none(
    openai_server: OpenAIServer,
) -> None:
    openai_server.accepts_stream_options = False
    openai_server.enqueue(Reply(text="Two words", usage=False))
    events = await collect(chat(openai_server).stream(QUESTION, max_tokens=16))

    done = events[-1]
    assert isinstance(done, Done) and done.usage.completion_tokens == 2
    assert done.usage.prompt_tokens > 10  # cl100k counts plus the chat-format overhead
    first, retried = openai_server.chat_requests()
    assert "stream_options" in first.body and "stream_options" not in retried.body


async def test_max_completion_tokens_where_max_tokens_is_refused(
    openai_server: OpenAIServer,
) -> None:
    openai_server.accepts_max_tokens = False
    model = chat(openai_server)
    for _ in range(2):  # learnt once, then asked right away
        assert text_of(await collect(model.stream(QUESTION, max_tokens=12))) != ""
    first, second, third = (request.body for request in openai_server.chat_requests())
    assert first["max_tokens"] == 12 and "max_tokens" not in second
    assert second["max_completion_tokens"] == third["max_completion_tokens"] == 12


async def test_the_key_is_sent_as_a_bearer_token(openai_server: OpenAIServer) -> None:
    await collect(chat(openai_server).stream(QUESTION, max_tokens=8))
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_429_waits_what_retry_after_says(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=429, headers={"Retry-After": "1"}), Reply(text="ok"))
    events = await collect(chat(openai_server).stream(QUESTION, max_tokens=8))

    assert text_of(events) == "ok"
    first, second = openai_server.chat_requests()
    assert 0.95 <= second.at - first.at < 2.0


async def test_429_after_the_retries_says_when_to_retry(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=429, headers={"Retry-After": "30"}))
    with pytest.raises(LLMError, match=r"rate limiting.*retry in 30 s"):
        await collect(chat(openai_server, max_retries=0).stream(QUESTION, max_tokens=8))


async def test_500_is_retried_then_succeeds(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=500), Reply(text="recovered"))
    events = await collect(chat(openai_server).stream(QUESTION, max_tokens=8))
    assert text_of(events) == "recovered" and len(openai_server.chat_requests()) == 2


async def test_max_retries_is_honoured(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(*[Reply(status=503, headers={"retry-after-ms": "10"})] * 4)
    with pytest.raises(LLMError, match=r"failed \(HTTP 503\)"):
        await collect(chat(openai_server, max_retries=1).stream(QUESTION, max_tokens=8))
    assert len(openai_server.chat_requests()) == 2


@pytest.mark.parametrize("cut", ["close", "error", "end"])
async def test_a_stream_cut_midway_keeps_the_partial_text(
    openai_server: OpenAIServer, cut: Cut
) -> None:
    openai_server.enqueue(Reply(text="one two three four five", stream_cut_after=2, cut=cut))
    received: list[StreamEvent] = []
    with pytest.raises(StreamInterrupted, match="stopped after 7 characters") as caught:
        async for event in chat(openai_server).stream(QUESTION, max_tokens=32):
            received.append(event)
    assert text_of(received) == "one two"
    assert "kept" in (caught.value.hint or "")


async def test_a_server_that_does_not_answer_in_time(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(delay_s=3))
    model = chat(openai_server, timeout_s=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"did not answer within 0.5 s") as caught:
        await collect(model.stream(QUESTION, max_tokens=8))
    assert time.monotonic() - started < 2.5
    assert "TIMEOUT_S" in (caught.value.hint or "")


async def test_a_wrong_key_says_check_the_key_and_never_shows_it(
    openai_server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.api_key = "sk-the-right-one"
    caplog.set_level(logging.DEBUG)
    model = chat(openai_server)
    with pytest.raises(LLMError) as caught:
        await collect(model.stream(QUESTION, max_tokens=8))

    error = caught.value
    assert "401" in error.message and "check the key" in (error.hint or "")
    shown = " ".join([str(error), repr(error), repr(model), caplog.text, *map(str, caplog.records)])
    assert KEY not in shown
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_no_key_where_one_is_needed(openai_server: OpenAIServer) -> None:
    openai_server.api_key = "sk-needed"
    with pytest.raises(LLMError, match="requires an API key") as caught:
        await collect(chat(openai_server, key=None).stream(QUESTION, max_tokens=8))
    assert "OPENAI_API_KEY" in (caught.value.hint or "")


async def test_an_unknown_model_lists_the_models_offered(openai_server: OpenAIServer) -> None:
    with pytest.raises(LLMError, match="has no model 'gpt-9'") as caught:
        await collect(chat(openai_server, model="gpt-9").stream(QUESTION, max_tokens=8))
    assert "test-model, other-model" in (caught.value.hint or "")
    assert "CITEWISE_LLM__MODEL" in (caught.value.hint or "")


async def test_a_closed_port_says_nothing_listens_there() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMError, match=f"nothing is listening at {url}") as caught:
        await collect(chat(url, max_retries=0).stream(QUESTION, max_tokens=8))
    assert "OPENAI_BASE_URL" in (caught.value.hint or "")


async def test_an_unknown_host_says_the_lookup_failed() -> None:
    model = chat("http://citewise-no-such-host.invalid/v1", max_retries=0, timeout_s=3.0)
    with pytest.raises(LLMError, match="cannot be found") as caught:
        await collect(model.stream(QUESTION, max_tokens=8))
    assert "citewise-no-such-host.invalid" in caught.value.message


async def test_json_schema_is_sent_as_a_strict_response_format(
    openai_server: OpenAIServer,
) -> None:
    schema = {"title": "Cited answer", "type": "object", "properties": {}}
    openai_server.enqueue(Reply(text="{}"))
    await collect(chat(openai_server).stream(QUESTION, max_tokens=8, json_schema=schema))
    sent = openai_server.chat_requests()[0].body["response_format"]
    assert sent == {
        "type": "json_schema",
        "json_schema": {"name": "Cited_answer", "schema": schema, "strict": True},
    }


async def test_a_server_without_json_schema_says_so(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(json_schema_supported=False))
    with pytest.raises(StructuredOutputUnsupported):
        await collect(
            chat(openai_server).stream(QUESTION, max_tokens=8, json_schema={"type": "object"})
        )


async def test_list_models_and_ping(openai_server: OpenAIServer) -> None:
    model = chat(openai_server)
    assert await model.list_models() == ["test-model", "other-model"]
    assert await model.ping() == ["test-model", "other-model"]
    await model.aclose()


def test_the_test_server_also_serves_embeddings(openai_server: OpenAIServer) -> None:
    request = urllib.request.Request(
        f"{openai_server.base_url}/embeddings",
        data=json.dumps({"model": "m", "input": ["a", "b"]}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        data = json.load(response)["data"]
    assert [len(item["embedding"]) for item in data] == [8, 8]
