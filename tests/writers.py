"""Writers in their own processes (``tests/integration/ingest_child.py``), driven from a test:
start one, wait until it has written a batch, wait for it to succeed; and what a store holds."""

import subprocess
import sys
from pathlib import Path

from assistant import paths
from assistant.library import Library

DUMPS = sorted(paths.DEMO_CORPUS_DIR.glob("*.txt"))


def spawn(
    store: str, files: list[Path], pause: float, hold: Path | None = None
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.ingest_child", store, *map(str, files)]
    command += ["--pause", str(pause), *(["--hold", str(hold)] if hold else [])]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> None:
    """Wait for a child that must succeed."""
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err


def wait_for_a_write(process: subprocess.Popen[str]) -> None:
    """Read the child's output until it has written its first batch."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("wrote"):
            return
    _, err = process.communicate(timeout=60)
    raise AssertionError(f"the child ended before writing: {err}")


def snapshot(library: Library) -> dict[str, tuple[list[str], set[tuple[str, int | None]]]]:
    """Each paper's chunk texts and sources, by paper id."""
    texts: dict[str, list[str]] = {}
    for chunk in library.store.chunks():
        texts.setdefault(chunk.paper.id, []).append(chunk.text)
    return {
        entry.paper.id: (
            sorted(texts[entry.paper.id]),
            {(s.path, s.line) for s in entry.paper.sources},
        )
        for entry in library.store.papers()
    }
