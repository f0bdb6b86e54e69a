"""What every evaluation script does with its report: name the command that made it, write it."""

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """The command that reproduces this run, for the report's footer."""
    args = list(sys.argv[1:] if argv is None else argv)
    return shlex.join([".venv/bin/python", "-m", module, *args])


def write_report(path: Path, markdown: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    print(f"report written to {path}", file=sys.stderr)
