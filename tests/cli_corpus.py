"""The command line over a small corpus with the fast test embedding, for the end-to-end tests."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from assistant.cli import library_commands
from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder


def fast_library(settings: Settings) -> Library:
    return Library(settings, embedder=HashEmbedder())


def use_fast_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI open its library with the fast test embedding."""
    monkeypatch.setattr(library_commands, "Library", fast_library)


def ingest_records(
    directory: Path, monkeypatch: pytest.MonkeyPatch, records: Sequence[dict[str, Any]]
) -> None:
    """Make the CLI use the fast test embedding, then `citewise ingest` ``records`` (JSON Lines)."""
    use_fast_library(monkeypatch)
    path = directory / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert cli.main(["ingest", str(path)]) == 0
