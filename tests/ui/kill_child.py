"""Run by ``test_kill``: the app answering a question slowly, until the test kills the process.

``python -m tests.ui.kill_child STORE QUESTION ANSWER PIECES``: prints ``STREAMING`` once
``PIECES`` pieces of the answer have been shown (and written), then waits to be killed.
"""

import asyncio
import sys
from contextlib import nullcontext
from pathlib import Path

from assistant.library import Library
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from tests.fakes import HashEmbedder
from tests.ui.slow_model import SlowChatModel


async def main(store: Path, question: str, answer: str, pieces: int) -> None:
    settings = Settings(store={"path": store})
    library = Library(settings, embedder=HashEmbedder())
    model = SlowChatModel(delay=0.05, stall_after=pieces)
    model.enqueue(answer, chunk_size=3)
    app = CitewiseApp(settings, lambda: library, model_opener=lambda: nullcontext(model))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.context.ready()
        await pilot.press(*question, "enter")
        while model.sent < pieces:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        print("STREAMING", flush=True)
        await asyncio.sleep(120)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])))
