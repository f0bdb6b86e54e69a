"""The command line over a small corpus with the fast test embedding, for the end-to-end tests."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from tests.fakes import HashEmbedder


def use_fast_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every library the CLI opens (and its reindex) use the fast test embedding."""
    monkeypatch.setattr("assistant.library.make_embedder", lambda _: HashEmbedder())


def ingest_records(
    directory: Path, monkeypatch: pytest.MonkeyPatch, records: Sequence[dict[str, Any]]
) -> None:
    """Make the CLI use the fast test embedding, then `citewise ingest` ``records`` (JSON Lines)."""
    use_fast_library(monkeypatch)
    path = directory / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert cli.main(["ingest", str(path)]) == 0
