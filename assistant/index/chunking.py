"""Sentence-aware chunks of an abstract and of a paper's full text, with content-derived ids.

A chunk is a window of whole sentences of at most ``max_tokens`` (cl100k) tokens; consecutive
windows share ``overlap`` sentences. Most abstracts fit one window. A paper without an abstract
gets one chunk holding its title, so it can still be found. The id of a chunk is derived from
the paper id and the chunk's text, so re-chunking unchanged text gives the same ids; a window
whose text repeats an earlier one of the same paper (an abstract of repeated text) also gets its
index, since a store refuses two chunks with one id.

A chunk also says what it is (``kind``) and where it is: the section and the pages it spans, with
character offsets into those pages' text. Abstract and title chunks have no place on a page;
body chunks (from a paper's full text, ``Paper.body``) do: the body's sections are windowed the
same way, each window within one section (its sentences may run over a page break), and the
section's heading is embedded with it. The abstract, the title block and acknowledgements are
left out of the body (the abstract has chunks of its own).
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Literal

from assistant.corpus.fulltext import Body
from assistant.corpus.paper import Paper
from assistant.index.tokens import count_tokens, encoding
from assistant.sentences import sentence_spans, split_sentences

ChunkKind = Literal["abstract", "body", "title"]


@dataclass(frozen=True, kw_only=True)
class Placed:
    """What a chunk is and where it is in its paper (shared by chunks written and read back)."""

    kind: ChunkKind = "abstract"
    section: str = ""
    """The heading of the section it is in ("" when unknown or not in the body)."""

    page: int | None = None
    """The page it starts on (1-based), None outside the body."""

    page_end: int | None = None
    """The page it ends on (the same as ``page`` for a chunk within one page)."""

    start: int | None = None
    """Character offset of its start in the text of ``page``."""

    end: int | None = None
    """Character offset of its end in the text of ``page_end``."""


@dataclass(frozen=True)
class Chunk(Placed):
    id: str
    paper_id: str
    index: int
    text: str
    """The passage shown to the user: abstract sentences (or the title, with no abstract)."""

    embed_text: str
    """What is embedded and indexed: the title, then the passage."""


LEFT_OUT = frozenset({"front", "abstract", "acknowledgements"})
"""Kinds of full-text section that get no body chunks."""


@dataclass(frozen=True)
class _Piece:
    """A sentence (or a cut of a long one) and where it stands on its page."""

    text: str
    page: int | None = None
    start: int | None = None
    end: int | None = None


def chunk_paper(
    paper: Paper,
    max_tokens: int,
    overlap: int,
    *,
    body_tokens: int | None = None,
    max_body_chunks: int | None = None,
) -> list[Chunk]:
    """The paper's chunks: its abstract (or title), then its full text when it has one
    (windows of ``body_tokens``, default ``max_tokens``; the first ``max_body_chunks``)."""
    pieces = [_Piece(s) for s in split_sentences(paper.abstract)] if paper.has_abstract else []
    windows = _windows(pieces, max_tokens, overlap)
    placed: list[tuple[list[_Piece], Placed]] = [(w, Placed(kind="abstract")) for w in windows]
    if not placed:
        placed = [([_Piece(paper.title)], Placed(kind="title"))]
    if paper.body is not None:
        body = list(_body(paper.body, body_tokens or max_tokens, overlap))
        placed += body[:max_body_chunks] if max_body_chunks else body
    chunks = []
    seen: set[str] = set()
    for index, (window, place) in enumerate(placed):
        passage = " ".join(piece.text for piece in window)
        head = [paper.title, place.section] if place.kind == "body" else [paper.title]
        parts = [part for part in head if part and part != passage]
        embed_text = "\n\n".join([*parts, passage])
        digest = hashlib.sha1(embed_text.encode()).hexdigest()[:16]
        chunk_id = f"{paper.id}-{digest}" + (f"-{index}" if digest in seen else "")
        seen.add(digest)
        chunks.append(
            Chunk(
                id=chunk_id,
                paper_id=paper.id,
                index=index,
                text=passage,
                embed_text=embed_text,
                kind=place.kind,
                section=place.section,
                page=place.page,
                page_end=place.page_end,
                start=place.start,
                end=place.end,
            )
        )
    return chunks


def _body(body: Body, max_tokens: int, overlap: int) -> Iterator[tuple[list[_Piece], Placed]]:
    """Windows of the body's sections, each placed on its pages."""
    for (section, kind), spans in groupby(body.spans, key=lambda s: (s.section, s.kind)):
        if kind in LEFT_OUT:
            continue
        pieces = [
            _Piece(text[start:end], span.page, span.start + start, span.start + end)
            for span in spans
            for text in [body.text(span)]
            for start, end in sentence_spans(text)
        ]
        for window in _windows(pieces, max_tokens, overlap):
            first, last = window[0], window[-1]
            where = Placed(
                kind="body",
                section=section,
                page=first.page,
                page_end=last.page,
                start=first.start,
                end=last.end,
            )
            yield window, where


def _windows(pieces: list[_Piece], max_tokens: int, overlap: int) -> list[list[_Piece]]:
    cut = [part for piece in pieces for part in _fit(piece, max_tokens)]
    sizes = [count_tokens(piece.text) for piece in cut]
    windows: list[list[_Piece]] = []
    start = 0
    while start < len(cut):
        end, total = start, 0
        while end < len(cut) and (end == start or total + sizes[end] <= max_tokens):
            total += sizes[end]
            end += 1
        windows.append(cut[start:end])
        if end >= len(cut):
            break
        start = max(end - overlap, start + 1)
    return windows


def _fit(piece: _Piece, max_tokens: int) -> list[_Piece]:
    """A sentence longer than a window is cut at token boundaries (each cut keeps the whole
    sentence's place)."""
    tokens = encoding().encode(piece.text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return [piece]
    return [
        replace(piece, text=encoding().decode(tokens[i : i + max_tokens]).strip())
        for i in range(0, len(tokens), max_tokens)
    ]
