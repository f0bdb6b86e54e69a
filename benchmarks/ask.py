"""Time from pressing enter to the request leaving for the LLM, and evidence-mode answers.

    .venv/bin/python -m benchmarks.ask

On the demo corpus with the real embedding model, warm (the library, the model client and the
prompts loaded once, as in the TUI). "Enter to request" runs ``answer.run`` against the
OpenAI-protocol test server on 127.0.0.1 (tests/openai_server.py) through the real ``openai``
client, and stops the clock when the server has the request: retrieval, packing, prompt building
and the HTTP send are all inside. Evidence mode runs with no model, to the final event.
"""

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from assistant import paths
from assistant.library import Library
from assistant.llm.backend import connect
from assistant.prompts import default_prompts
from assistant.settings import Settings
from assistant.tasks import answer
from assistant.tasks.events import Finished
from assistant.tasks.requests import AnswerRequest
from tests.openai_server import OpenAIServer

QUESTIONS = [
    "how do mixture-of-experts models route tokens to experts?",
    "which methods make attention cheaper for long sequences?",
    "do state space models match transformers on language modelling?",
    "how can large models be fine-tuned with few parameters?",
    "why does in-context learning work?",
]


def summary(label: str, values: list[float]) -> None:
    p50 = statistics.median(values)
    p95 = statistics.quantiles(values, n=20)[-1]
    print(f"  {label:<38} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} runs)")


async def to_request(library: Library, settings: Settings, server: OpenAIServer) -> list[float]:
    model = await connect(settings.llm)
    timings = []
    for round_ in range(4):
        for question in QUESTIONS:
            seen = len(server.chat_requests())
            started = time.monotonic()
            async for event in answer.run(library, AnswerRequest(question), model, settings):
                if isinstance(event, Finished):
                    break
            request = server.chat_requests()[seen]
            if round_:  # the first round warms caches
                timings.append((request.at - started) * 1000)
    await model.aclose()
    return timings


async def evidence(library: Library, settings: Settings) -> list[float]:
    timings = []
    for round_ in range(4):
        for question in QUESTIONS:
            started = time.perf_counter()
            async for _ in answer.run(library, AnswerRequest(question), None, settings):
                pass
            if round_:
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    default_prompts()
    with tempfile.TemporaryDirectory() as tmp, OpenAIServer() as server:
        settings = Settings(
            store={"path": Path(tmp)},
            llm={"base_url": server.base_url, "api_key": "sk-bench", "model": "bench"},
        )
        library = Library(settings)
        library.ingest([paths.DEMO_CORPUS_DIR])
        print(f"demo corpus: {len(library.papers())} papers, {library.count_chunks()} chunks")
        summary(
            "enter -> request at the LLM server", asyncio.run(to_request(library, settings, server))
        )
        summary("evidence-mode answer, complete", asyncio.run(evidence(library, settings)))


if __name__ == "__main__":
    main()
