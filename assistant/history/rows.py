"""The history's rows as Python sees them, and how they are stored as JSON columns."""

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from assistant.corpus.paper import Paper
from assistant.errors import InputError
from assistant.results import (
    CitedSentence,
    Kind,
    Marks,
    Source,
    Status,
    TaskResult,
)


@dataclass(frozen=True)
class SourceRecord:
    """A source as the history keeps it: enough to list it again."""

    number: int
    paper_id: str
    title: str
    score: float
    year: int | None = None
    retracted: bool = False


@dataclass(frozen=True)
class SessionRow:
    id: int
    title: str
    created: str
    updated: str
    """ISO 8601, UTC."""

    entries: int


@dataclass(frozen=True)
class EntryRow:
    id: int
    session_id: int
    kind: Kind
    query: str
    options: dict[str, Any]
    mode: str
    """'llm', 'evidence', or '' before the sources were chosen."""

    sources: list[SourceRecord]
    prompt_version: str
    backend: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    text: str
    sentences: list[CitedSentence]
    headings: dict[int, str]
    invalid_citations: list[str]
    status: Status
    error: str | None
    created: str
    updated: str
    checks: dict[str, Any]
    """The citation check (``CheckReport.to_json``), or {} when it was not checked."""

    @property
    def cited(self) -> set[int]:
        """Numbers of the sources its sentences cite."""
        return {number for sentence in self.sentences for number in sentence.citations}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def result(self, find: Callable[[str], Paper]) -> TaskResult:
        """The entry as a task result (to show or export it again): its sources' papers are
        looked up with ``find``; a paper no longer in the library keeps the title and year
        recorded."""
        sources = []
        for recorded in self.sources:
            try:
                paper = find(recorded.paper_id)
            except InputError:
                paper = Paper(id=recorded.paper_id, title=recorded.title, year=recorded.year)
            sources.append(Source(recorded.number, paper, [], recorded.score))
        return TaskResult(
            self.kind,
            self.query,
            "evidence" if self.mode == "evidence" else "llm",
            sources,
            text=self.text,
            sentences=list(self.sentences),
            invalid_citations=list(self.invalid_citations),
            headings=dict(self.headings),
            model=self.model,
            backend=self.backend,
            prompt_version=self.prompt_version,
            status=self.status,
            error=self.error,
        )

    def marks(self) -> Marks:
        """The verdicts its check left on its sentences (none when it was not checked)."""
        return Marks.of_check(self.checks)


def source_records(sources: Sequence[Source]) -> list[SourceRecord]:
    return [
        SourceRecord(
            s.number, s.paper.id, s.paper.title, round(s.score, 6), s.paper.year, s.paper.retracted
        )
        for s in sources
    ]


ENTRY_COLUMNS = tuple(field.name for field in fields(EntryRow))
"""The columns read back for an entry (the table also has ``writer``)."""

JSON_COLUMNS = ("options", "sources", "sentences", "headings", "invalid_citations", "checks")


def decode_entry(row: dict[str, Any]) -> EntryRow:
    for column in JSON_COLUMNS:
        row[column] = json.loads(row[column])
    row["sources"] = [SourceRecord(**source) for source in row["sources"]]
    row["sentences"] = [_sentence(sentence) for sentence in row["sentences"]]
    row["headings"] = {int(paragraph): title for paragraph, title in row["headings"].items()}
    return EntryRow(**row)


def _sentence(stored: dict[str, Any]) -> CitedSentence:
    """A cited sentence as stored (JSON turns its pages' source numbers into strings)."""
    pages = {int(number): page for number, page in stored.pop("pages", {}).items()}
    return CitedSentence(**stored, pages=pages)


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def encode_sources(sources: Sequence[Source]) -> str:
    return dump_json([asdict(record) for record in source_records(sources)])
