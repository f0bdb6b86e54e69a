"""How a BM25 index (``bm25.py``) lies on disk, so a new process opens a large one at once.

A directory holds ``manifest.json`` (the segments' names, the file of their live flags, and what
the caller keeps with the index), one folder per segment, and the live flags. A segment's folder
is written once and never changed: its arrays as ``.npy`` files, opened memory-mapped (the
postings of a million chunks are ~650 MB; the pages a query touches are read when it touches
them), and its strings one per line. Live flags change with every removal, so each save writes
a new flags file. The manifest is replaced last: a crash leaves the previous index whole.
"""

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.bm25 import Bm25, Labels, Segment

ARRAYS = ("indptr", "docs", "tfs", "lengths", "years")
LISTS = ("terms", "ids", "paper_ids")
LABELS = ("tags", "collections")
"""Per document, an index (``<name>.npy``) into the distinct label sets (``<name>.json``)."""
GRACE_SECONDS = 300.0
"""Files no manifest names are deleted only this long after they were written, so another
process that has just read the previous manifest can still load what it names."""


def save(index: Bm25, directory: Path, extra: dict[str, object]) -> None:
    """Write ``index`` under ``directory``, with ``extra`` kept in the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    for segment in index.segments:
        _save_segment(segment, directory)
    live_name = f"live-{uuid.uuid4().hex}.npz"
    staging = directory / f"{live_name}.tmp.npz"
    flags: dict[str, Any] = {s.name: s.live for s in index.segments}
    np.savez(staging, **flags)
    os.replace(staging, directory / live_name)
    names = [s.name for s in index.segments]
    manifest = {"segments": names, "live": live_name} | extra
    _write_atomic(directory / "manifest.json", json.dumps(manifest))
    _forget_unnamed(directory, {"manifest.json", live_name, *names})


def load(directory: Path) -> tuple[Bm25, dict[str, object]] | None:
    """The saved index and its manifest; None when there is none or it cannot be read (the
    caller rebuilds it)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        with np.load(directory / manifest["live"]) as live:
            segments = [_load_segment(directory / n, live[n]) for n in manifest["segments"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Bm25(segments), manifest


def _save_segment(segment: Segment, directory: Path) -> None:
    folder = directory / segment.name
    if folder.is_dir():
        return
    staging = directory / f"{segment.name}.tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    for name in ARRAYS:
        np.save(staging / f"{name}.npy", getattr(segment, name))
    for name in LISTS:
        _write_lines(staging / f"{name}.txt", map(_clean, getattr(segment, name)))
    for name in LABELS:
        labels: Labels = getattr(segment, name)
        np.save(staging / f"{name}.npy", labels.index)
        (staging / f"{name}.json").write_text(json.dumps(labels.sets))
    (staging / "size.json").write_text(json.dumps([len(segment), len(segment.terms)]))
    os.replace(staging, folder)


def _load_segment(folder: Path, live: np.ndarray) -> Segment:
    documents, vocabulary = json.loads((folder / "size.json").read_text())
    arrays = {name: _mapped(folder / f"{name}.npy") for name in ARRAYS}
    terms = _lines(folder / "terms.txt", vocabulary)
    ids, paper_ids = (_lines(folder / f"{name}.txt", documents) for name in LISTS[1:])
    tags, collections = (
        Labels(json.loads((folder / f"{name}.json").read_text()), _mapped(folder / f"{name}.npy"))
        for name in LABELS
    )
    sizes = {len(live), len(arrays["lengths"]), len(tags.index), len(collections.index)}
    if sizes != {documents}:
        raise ValueError(f"segment {folder.name} is inconsistent")
    return Segment(
        terms, arrays["indptr"], arrays["docs"], arrays["tfs"], arrays["lengths"], ids,
        paper_ids, arrays["years"], tags, collections, live.astype(bool), folder.name,
    )  # fmt: skip


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8", errors="replace", newline="")


def _mapped(path: Path) -> np.ndarray:
    """The array in ``path``, memory-mapped read-only (a plain array view: memmap's own slicing
    is slower)."""
    mapped: np.ndarray = np.load(path, mmap_mode="r").view(np.ndarray)
    return mapped


def _lines(path: Path, expected: int) -> list[str]:
    text = path.read_bytes().decode("utf-8")  # no newline translation
    lines = text.split("\n") if expected else []
    if len(lines) != expected:
        raise ValueError(f"{path} holds {len(lines)} lines, not {expected}")
    return lines


def _clean(value: str) -> str:
    """A string that cannot break the one-per-line files (readers already strip controls)."""
    return value.replace("\n", " ").replace("\r", " ")


def _write_atomic(path: Path, text: str) -> None:
    staging = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    staging.write_text(text)
    os.replace(staging, path)


def _forget_unnamed(directory: Path, named: set[str]) -> None:
    cutoff = time.time() - GRACE_SECONDS
    for path in directory.iterdir():
        if path.name in named:
            continue
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
