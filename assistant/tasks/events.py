"""What a task run yields as it happens: the same events for every front end."""

from dataclasses import dataclass

from assistant.citations.check.report import CheckReport
from assistant.results import Source, TaskResult


@dataclass(frozen=True)
class Retrieved:
    """Sources are chosen; generation starts next."""

    sources: list[Source]


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Finished:
    result: TaskResult


TaskEvent = Retrieved | TextDelta | Finished


@dataclass(frozen=True)
class Checked:
    """The citation check of the finished result: its report, and the result as checked (when
    a model repaired it, what the user sees from now on; else the same result)."""

    result: TaskResult
    report: CheckReport


RunEvent = TaskEvent | Checked
"""What a run yields: the task's events, then (when it is checked) ``Checked``."""
