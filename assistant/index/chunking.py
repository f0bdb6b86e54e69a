"""Sentence-aware chunks of an abstract, with content-derived ids.

A chunk is a window of whole sentences of at most ``max_tokens`` (cl100k) tokens; consecutive
windows share ``overlap`` sentences. Most abstracts fit one window. A paper without an abstract
gets one chunk holding its title, so it can still be found. The id of a chunk is derived from
the paper id and the chunk's text, so re-chunking unchanged text gives the same ids; a window
whose text repeats an earlier one of the same paper (an abstract of repeated text) also gets its
index, since a store refuses two chunks with one id.

A chunk also says what it is (``kind``) and where it is: the section and the pages it spans, with
character offsets into those pages' text. Abstract and title chunks have no place on a page;
body chunks (from a paper's full text) do.
"""

import hashlib
from dataclasses import dataclass
from typing import Literal

from assistant.corpus.paper import Paper
from assistant.index.tokens import count_tokens, encoding
from assistant.sentences import split_sentences

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


def chunk_paper(paper: Paper, max_tokens: int, overlap: int) -> list[Chunk]:
    passages = _windows(paper.abstract, max_tokens, overlap) if paper.has_abstract else []
    kind: ChunkKind = "abstract" if passages else "title"
    passages = passages or [paper.title]
    chunks = []
    seen: set[str] = set()
    for index, passage in enumerate(passages):
        embed_text = passage if passage == paper.title else f"{paper.title}\n\n{passage}"
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
                kind=kind,
            )
        )
    return chunks


def _windows(text: str, max_tokens: int, overlap: int) -> list[str]:
    sentences = [piece for s in split_sentences(text) for piece in _fit(s, max_tokens)]
    sizes = [count_tokens(s) for s in sentences]
    windows: list[str] = []
    start = 0
    while start < len(sentences):
        end, total = start, 0
        while end < len(sentences) and (end == start or total + sizes[end] <= max_tokens):
            total += sizes[end]
            end += 1
        windows.append(" ".join(sentences[start:end]))
        if end >= len(sentences):
            break
        start = max(end - overlap, start + 1)
    return windows


def _fit(sentence: str, max_tokens: int) -> list[str]:
    """A sentence longer than a window is cut at token boundaries."""
    tokens = encoding().encode(sentence, disallowed_special=())
    if len(tokens) <= max_tokens:
        return [sentence]
    return [
        encoding().decode(tokens[i : i + max_tokens]).strip()
        for i in range(0, len(tokens), max_tokens)
    ]
