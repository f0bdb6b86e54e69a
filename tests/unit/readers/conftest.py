"""Fixtures for reader tests: where the samples are, and reading a file into papers and issues."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import Reader, ReadIssue

DATA = Path(__file__).parents[2] / "data"


@dataclass
class Result:
    """What a reader yielded for one file, split by kind."""

    papers: list[Paper]
    issues: list[ReadIssue]

    def titled(self, title: str) -> Paper:
        return next(paper for paper in self.papers if paper.title == title)


Read = Callable[[Reader, Path], Result]


@pytest.fixture
def samples() -> Path:
    """Hand-written sample files."""
    return DATA / "samples"


@pytest.fixture
def fixtures() -> Path:
    """Real files vendored from other projects (see PROVENANCE.md there)."""
    return DATA / "fixtures"


@pytest.fixture
def read() -> Read:
    def read_all(reader: Reader, path: Path) -> Result:
        items = list(reader.read(path))
        return Result(
            papers=[item for item in items if isinstance(item, Paper)],
            issues=[item for item in items if isinstance(item, ReadIssue)],
        )

    return read_all
