"""From search hits to the prompt's data: numbered sources, packed, inside delimited blocks.

Papers reach the model only as data: each one a ``<source id="N">`` element inside one
``<sources>`` … ``</sources>`` block. Every untrusted string (titles, names, venues, abstract
passages, and the user's own abstract or earlier turns) goes through ``neutralise`` first: line
breaks collapse to spaces, so no text can start a line of its own ("system: …"); ``<`` and ``>``
become ``‹`` and ``›``, so no text can close or open a block or look like a special token; and
every run of citation-marker look-alikes (``[7]``, ``[[12]]``, ``[1][2][3]…``, ``[@key]``)
becomes ``(ref.)``, so no abstract can put a source number in front of the model.
"""

import re
from collections.abc import Iterable, Sequence

from assistant.citations.markers import page_locator, unmark
from assistant.corpus.paper import Paper
from assistant.library import Library
from assistant.llm.budget import pack
from assistant.results import Location, Passage, Source
from assistant.retrieval import PaperHit
from assistant.retrieval import Passage as RetrievedPassage

MAX_AUTHORS = 6
"""Authors named in a source's header; more become "et al."."""

PER_PASSAGE = 4
"""Tokens of the markup around each passage (``</source>``, line breaks)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_ANGLES = str.maketrans({"<": "‹", ">": "›"})


def neutralise(text: str) -> str:
    """Untrusted text made inert for a data block (see the module docstring)."""
    return " ".join(unmark(_CONTROL.sub(" ", text).translate(_ANGLES)).split())


# Retrieval


def hits_for(library: Library, references: Sequence[str]) -> list[PaperHit]:
    """Papers named by id, key, DOI or arXiv id, in the order given, each with its passages."""
    hits: dict[str, PaperHit] = {}
    for reference in references:
        paper = library.find(reference)
        if paper.id not in hits:
            texts = library.chunk_texts(paper) or [paper.abstract or paper.title]
            passages = [RetrievedPassage(f"{paper.id}#{i}", t, 1.0) for i, t in enumerate(texts)]
            hits[paper.id] = PaperHit(paper, 1.0, passages)
    return list(hits.values())


# Sources


def all_sources(hits: Iterable[PaperHit]) -> list[Source]:
    """Every hit as a source with all its passages (evidence mode: nothing to pack)."""
    return [
        Source(n, hit.paper, [_passage(p) for p in hit.passages], hit.score)
        for n, hit in enumerate(hits, 1)
    ]


def _passage(found: RetrievedPassage, text: str | None = None) -> Passage:
    return Passage(found.text if text is None else text, found.location, found.chunk_id)


def packed_sources(hits: Sequence[PaperHit], budget: int) -> list[Source]:
    """The best passages that fit in ``budget`` tokens (each counted with its source's header,
    so a paper with several passages is counted generously), grouped by paper in the order of
    the hits, numbered from 1 with no gaps."""
    heads = [f"{header(hit.paper, len(hits))}\ntext: " for hit in hits]
    items = [
        (f"{h}:{p}", heads[h] + passage.text, passage.score)
        for h, hit in enumerate(hits)
        for p, passage in enumerate(hit.passages)
    ]
    kept: dict[int, list[Passage]] = {}
    for key, text, _ in pack(items, budget, per_passage=PER_PASSAGE):
        h, p = map(int, key.split(":"))
        passage = text.removeprefix(heads[h])  # the best passage may come back cut short
        if passage.strip() and passage != text:
            kept.setdefault(h, []).append(_passage(hits[h].passages[p], passage))
    chosen = [(hits[h], kept[h]) for h in sorted(kept)]
    return [
        Source(n, hit.paper, passages, hit.score) for n, (hit, passages) in enumerate(chosen, 1)
    ]


# Blocks


def header(paper: Paper, number: int) -> str:
    names = [neutralise(a) for a in paper.authors[:MAX_AUTHORS]]
    if len(paper.authors) > MAX_AUTHORS:
        names.append("et al.")
    lines = [f'<source id="{number}">', f"title: {neutralise(paper.title)}"]
    if names:
        lines.append(f"authors: {', '.join(names)}")
    if paper.year:
        lines.append(f"year: {paper.year}")
    if paper.venue:
        lines.append(f"venue: {neutralise(paper.venue)}")
    return "\n".join(lines)


def sources_block(sources: Sequence[Source]) -> str:
    """The data block the prompt templates receive as ``{sources}``."""
    parts = ["<sources>"]
    for source in sources:
        parts.append(header(source.paper, source.number))
        parts.extend(f"{_label(p.location)}: {neutralise(p.text)}" for p in source.passages)
        parts.append("</source>")
    parts.append("</sources>")
    return "\n".join(parts)


def _label(location: Location) -> str:
    """``text``; a full-text passage says where it stands: ``text (p. 6, 3 Method)``."""
    where = [page_locator(location.pages), neutralise(location.section)]
    shown = ", ".join(part for part in where if part)
    return f"text ({shown})" if shown else "text"


def data_block(tag: str, text: str, **attributes: str) -> str:
    """``<tag a="v">neutralised text</tag>``: any other untrusted input, e.g. a user abstract."""
    attrs = "".join(f' {name}="{neutralise(v)}"' for name, v in attributes.items() if v)
    return f"<{tag}{attrs}>{neutralise(text)}</{tag}>"


def conversation_block(history: Sequence[tuple[str, str]], limit: int = 3) -> str:
    """Earlier turns (their markers stripped, since the numbering has changed), or nothing."""
    if not history:
        return ""
    turns = [f"{data_block('question', q)}\n{data_block('answer', a)}" for q, a in history[-limit:]]
    return "<conversation>\n" + "\n".join(turns) + "\n</conversation>\n\n"
