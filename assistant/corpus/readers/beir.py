"""BEIR benchmark corpora: ``corpus.jsonl`` lines of ``{"_id", "title", "text", "metadata"}``.

The document id is kept as the citation key, so evaluations can map BEIR relevance judgements
(``qrels``) back to papers, and it also seeds the paper id: BEIR corpora hold different documents
with the same title (SciFact has three called "Summary").
"""

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.normalize import normalize_doi
from assistant.corpus.paper import Paper, paper_id
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import find_arxiv_id, parse_year, source, text_value
from assistant.corpus.readers.jsondoc import (
    JsonObject,
    first_line,
    has_keys,
    head_object,
    json_lines,
)

TITLE_FROM_TEXT_CHARS = 120
"""A document without a title is named after the start of its text, cut to this length."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class BeirReader:
    """A BEIR ``corpus.jsonl``; every document with a title or text becomes a paper."""

    name = "beir"
    extensions: tuple[str, ...] = (".jsonl",)

    def sniff(self, head: str) -> bool:
        """``_id`` and ``text``, and ``title`` unless the line is cut short: a BEIR queries file
        has ``_id`` and ``text`` too, and is not a corpus."""
        line = first_line(head)
        complete = head_object(head) is not None
        return (
            line.startswith("{")
            and has_keys(line, "_id", "text")
            and (has_keys(line, "title") or not complete)
        )

    def read(self, path: Path) -> Iterator[Item]:
        for numbered in json_lines(path):
            if isinstance(numbered, ReadIssue):
                yield numbered
            else:
                yield self._document(path, *numbered)

    def _document(self, path: Path, line: int, document: JsonObject) -> Item:
        doc_id = text_value(document.get("_id"))
        text = text_value(document.get("text"))
        title = text_value(document.get("title")) or title_from_text(text)
        if not doc_id or not title:
            missing = "_id" if not doc_id else "title and text"
            return ReadIssue(str(path), f"document has no {missing}", line=line)
        metadata = document.get("metadata")
        extra = metadata if isinstance(metadata, dict) else {}
        doi = normalize_doi(text_value(extra.get("doi")))
        return Paper(
            id=paper_id(f"beir:{doc_id}"),
            title=title,
            abstract=text,
            year=parse_year(extra.get("year")),
            doi=doi,
            arxiv_id=find_arxiv_id(extra.get("arxiv_id"), doi, extra.get("url")),
            url=text_value(extra.get("url")) or None,
            citation_key=doc_id,
            sources=[source(path, self.name, line=line)],
        )


def title_from_text(text: str) -> str:
    """The first sentence of ``text``, cut at a word boundary to ``TITLE_FROM_TEXT_CHARS``."""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) <= TITLE_FROM_TEXT_CHARS:
        return sentence
    cut = sentence[:TITLE_FROM_TEXT_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"
