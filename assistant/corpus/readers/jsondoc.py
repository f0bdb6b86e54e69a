"""JSON input shared by the readers: whole documents (size-capped), JSON Lines (streamed), sniffing.

A whole document is loaded with ``json.load`` after a size check, since a 500 MB array cannot be
streamed by the standard library; JSON Lines are read one line at a time.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.corpus.readers.base import ReadIssue
from assistant.corpus.readers.text import LONG_LINE, MAX_LINE_CHARS, bounded_lines, open_text
from assistant.errors import InputError

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
"""Largest JSON document loaded whole; bigger files must be JSON Lines."""

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")

JsonObject = dict[str, Any]
Numbered = tuple[int, JsonObject]
"""A record and its 1-based line (JSON Lines) or record number (documents)."""


def load_document(path: Path) -> object:
    """The parsed JSON document in ``path``; InputError when too big or not valid JSON."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"{path}: {size // 1_000_000} MB is too large to load as one JSON document "
            f"(limit {MAX_DOCUMENT_BYTES // 1_000_000} MB)",
            hint="save it as JSON Lines, one record per line, e.g. jq -c '.[]' in.json > out.jsonl",
        )
    with open_text(path) as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as error:
            raise InputError(
                f"{path}:{error.lineno}:{error.colno}: invalid JSON ({error.msg})"
            ) from error
        except RecursionError as error:
            raise InputError(f"{path}: JSON nested too deeply to read") from error
        except ValueError as error:  # a number of over 4300 digits
            raise InputError(f"{path}: invalid JSON (a number with too many digits)") from error


def numbered_records(path: Path, records: list[object]) -> Iterator[Numbered | ReadIssue]:
    """Each object with its 1-based record number; an issue for anything that is not an object."""
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            yield number, record
        else:
            yield ReadIssue(str(path), f"{_kind(record)} instead of an object", record=number)


def json_lines(path: Path) -> Iterator[Numbered | ReadIssue]:
    """Each object in a JSON Lines file with its line number; an issue for each bad line."""
    with open_text(path) as handle:
        for number, line in enumerate(bounded_lines(handle), start=1):
            if line is None:
                yield ReadIssue(str(path), LONG_LINE, line=number)
                continue
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                reason = f"invalid JSON at column {error.pos + 1}: {error.msg.removesuffix(' at')}"
                yield ReadIssue(str(path), reason, line=number)
                continue
            except RecursionError:
                yield ReadIssue(str(path), "JSON nested too deeply", line=number)
                continue
            except ValueError:  # a number of over 4300 digits
                yield ReadIssue(
                    str(path), "invalid JSON: a number with too many digits", line=number
                )
                continue
            if isinstance(value, dict):
                yield number, value
            else:
                yield ReadIssue(str(path), f"{_kind(value)} instead of an object", line=number)


def is_json_lines(path: Path) -> bool:
    """True when the first line holds a whole JSON object (one line or many of them), or, for a
    ``.jsonl``/``.ndjson`` file, at least starts like one (a broken first line)."""
    with open_text(path) as handle:
        first = ""
        while not first.strip():
            first = handle.readline(MAX_LINE_CHARS)
            if not first:
                return False
    try:
        if isinstance(json.loads(first), dict):
            return True
    except (ValueError, RecursionError):  # ValueError: JSONDecodeError, or a 4300-digit number
        pass
    return path.suffix.lower() in JSON_LINES_SUFFIXES and first.lstrip().startswith('{"')


def first_line(head: str) -> str:
    """The first non-blank line of a file's head (possibly cut short by the head's end)."""
    for line in head.lstrip("\ufeff").splitlines():
        if line.strip():
            return line.strip()
    return ""


def head_object(head: str) -> JsonObject | None:
    """The first line of ``head`` parsed, when it is a complete JSON object."""
    try:
        value = json.loads(first_line(head))
    except (ValueError, RecursionError):  # ValueError: JSONDecodeError, or a 4300-digit number
        return None
    return value if isinstance(value, dict) else None


def has_keys(text: str, *keys: str) -> bool:
    """True when every key appears in ``text`` as a JSON object key."""
    return all(re.search(rf'"{re.escape(key)}"\s*:', text) for key in keys)


def _kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
