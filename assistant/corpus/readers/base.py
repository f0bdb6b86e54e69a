"""What every reader provides, and what it yields.

A reader turns one file into a stream of ``Paper`` records and ``ReadIssue`` reports. A bad record
yields a ``ReadIssue`` (with its line or record number) and reading goes on; a file the reader
cannot read at all raises ``InputError``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.corpus.paper import Paper


@dataclass(frozen=True)
class ReadIssue:
    """One record that could not be read, or was read with a caveat."""

    path: str
    reason: str
    line: int | None = None
    record: int | None = None
    caveat: bool = False
    """The record was read, with this caveat (a PDF page that could not be read, an
    attachment missing): not a failure."""

    def __str__(self) -> str:
        where = f":{self.line}" if self.line else f" record {self.record}" if self.record else ""
        return f"{self.path}{where}: {self.reason}"


Item = Paper | ReadIssue


class Reader(Protocol):
    """One input format."""

    name: str
    """Short format name stored in ``Source.format``, e.g. ``"bibtex"``."""

    extensions: tuple[str, ...]
    """Lower-case file suffixes this reader claims, e.g. ``(".bib",)``."""

    def sniff(self, head: str) -> bool:
        """True when the first few KiB of a file (decoded leniently) look like this format."""
        ...

    def read(self, path: Path) -> Iterator[Item]:
        """Yield the papers in ``path`` and an issue for each failed record; stream big files."""
        ...
