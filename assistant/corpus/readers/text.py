"""Opening files as text whatever their encoding, and telling text from binary."""

import codecs
import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TextIO

HEAD_BYTES = 8192
MAX_LINE_CHARS = 16 * 1024 * 1024
"""A longer line (a 50 MB file with no line break) is no record of any line-based format."""
LONG_LINE = f"line over {MAX_LINE_CHARS:,} characters; skipped"
_SKIP_CHARS = 1024 * 1024


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def looks_binary(head: bytes) -> bool:
    """NUL bytes outside a UTF-16 BOM, or mostly non-text bytes, mean a binary file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    if not head:
        return False
    texty = sum(b >= 0x20 or b in b"\t\n\r\f" for b in head)
    return texty / len(head) < 0.85


def detect_encoding(head: bytes) -> str:
    """A BOM wins; valid UTF-8 is UTF-8; anything else is cp1252 (read with errors replaced)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the head is still UTF-8.
        if error.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def open_text(path: Path) -> TextIO:
    """Open ``path`` for streaming text reads; undecodable bytes become U+FFFD, never an error."""
    encoding = detect_encoding(read_head(path))
    return io.open(path, encoding=encoding, errors="replace", newline="")  # noqa: UP020


def head_text(path: Path) -> str:
    """The first few KiB of ``path`` as text, for sniffing."""
    head = read_head(path)
    encoding = detect_encoding(head)
    return head.decode(encoding, errors="replace")


def bounded_lines(handle: TextIO) -> Iterator[str | None]:
    """The lines of ``handle``, as iterating over it gives them, but None for a line longer
    than ``MAX_LINE_CHARS``: it is read in pieces and dropped, never held whole."""
    for line in iter(partial(handle.readline, MAX_LINE_CHARS), ""):
        if len(line) < MAX_LINE_CHARS or line.endswith(("\n", "\r")):
            yield line
            continue
        while line and not line.endswith(("\n", "\r")):
            line = handle.readline(_SKIP_CHARS)
        yield None
