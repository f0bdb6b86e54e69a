"""RIS, the tagged format of EndNote, Zotero, Mendeley, Scopus, EBSCO, Ovid and most databases.

Each line is ``XX  - value``; a record runs from ``TY`` to ``ER``. Lines without a tag continue the
previous tag (wrapped abstracts, a second URL). Text between records (Ovid's "1." and "Link to
the Ovid Full Text" lines) is ignored. A record cut off by the end of the file is still read.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.normalize import clean_text, normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import find_arxiv_id, parse_year, source, unique
from assistant.corpus.readers.names import person_name
from assistant.corpus.readers.text import LONG_LINE, bounded_lines, open_text

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_SNIFF = re.compile(r"^\ufeff?TY  - ", re.MULTILINE)
_COPYRIGHT = re.compile(r"^Copyright of .+ is the property of ", re.IGNORECASE)
_KEY = re.compile(r"^(?=.*[A-Za-z])\S+$")

TITLE_TAGS = ("TI", "T1", "CT", "BT", "ST")
"""Title, primary title, caption/title (old), book title; short title only when nothing else."""
ABSTRACT_TAGS = ("AB", "N2")
AUTHOR_TAGS = ("AU", "A1")
"""Primary authors; A2-A4 are editors, series editors and translators."""
YEAR_TAGS = ("PY", "Y1", "DA")
VENUE_TAGS = ("JF", "T2", "JO", "JA", "J2", "PB")
DOI_TAGS = ("DO", "L3", "M3")
"""EBSCO puts the DOI in L3; some exporters in M3 (where others put the type, which is no DOI)."""


@dataclass
class _Record:
    """One record's tags in file order; each value is the tag line plus its continuations."""

    line: int
    tags: dict[str, list[list[str]]] = field(default_factory=dict)
    last: str | None = None

    def add(self, tag: str, value: str) -> None:
        self.tags.setdefault(tag, []).append([value])
        self.last = tag

    def extend(self, text: str) -> None:
        if self.last is not None:
            self.tags[self.last][-1].append(text)

    def values(self, *tags: str) -> list[str]:
        """Every non-empty value of ``tags``, in the order of ``tags``, continuations joined."""
        found = (clean_text(" ".join(v)) for tag in tags for v in self.tags.get(tag, []))
        return [value for value in found if value]

    def first(self, *tags: str) -> str | None:
        values = self.values(*tags)
        return values[0] if values else None


class RisReader:
    """Reads RIS exports, streaming."""

    name = "ris"
    extensions: tuple[str, ...] = (".ris",)

    def sniff(self, head: str) -> bool:
        return bool(_SNIFF.search(head))

    def read(self, path: Path) -> Iterator[Item]:
        record: _Record | None = None
        with open_text(path) as handle:
            for number, raw in enumerate(bounded_lines(handle), start=1):
                if raw is None:
                    yield ReadIssue(str(path), LONG_LINE, line=number)
                    continue
                line = raw.rstrip("\r\n").lstrip("\ufeff")
                match = _TAG_LINE.match(line)
                if match is None:
                    if record is not None and line.strip():
                        record.extend(line)
                    continue
                tag, value = match.group(1), match.group(2) or ""
                if tag == "ER":
                    if record is not None:
                        yield self._item(path, record)
                    record = None
                    continue
                if tag == "TY" and record is not None:
                    # A new record before ER: the previous one ended without it.
                    yield self._item(path, record)
                    record = None
                if record is None:
                    record = _Record(number)
                record.add(tag, value)
        if record is not None:
            yield self._item(path, record)

    def _item(self, path: Path, record: _Record) -> Item:
        title = record.first(*TITLE_TAGS)
        if not title:
            return ReadIssue(str(path), "no title", line=record.line)
        urls = [token for value in record.values("UR") for token in value.split()]
        venue = record.first(*VENUE_TAGS)
        arxiv_candidates = [*urls, record.first("DO")]
        if venue:
            arxiv_candidates += [t for t in venue.split() if t.lower().startswith("arxiv:")]
        return Paper(
            title=title,
            abstract=" ".join(_abstract_parts(record.values(*ABSTRACT_TAGS))),
            authors=unique(_ris_name(name) for name in record.values(*AUTHOR_TAGS)),
            year=next(filter(None, map(parse_year, record.values(*YEAR_TAGS))), None),
            venue=venue,
            doi=next(filter(None, map(normalize_doi, [*record.values(*DOI_TAGS), *urls])), None),
            arxiv_id=find_arxiv_id(*arxiv_candidates),
            url=urls[0] if urls else None,
            citation_key=_citation_key(record.first("ID")),
            tags=unique(tag for value in record.values("KW") for tag in value.split(";")),
            sources=[source(path, self.name, line=record.line)],
        )


def _abstract_parts(values: list[str]) -> list[str]:
    """Distinct abstract paragraphs, less EBSCO's "Copyright of ... is the property of" notice."""
    return unique(value for value in values if not _COPYRIGHT.match(value))


def _ris_name(raw: str) -> str:
    """RIS writes ``Last, First, Suffix``; BibTeX order (``Last, Suffix, First``) is what
    ``person_name`` expects."""
    parts = raw.split(",")
    if len(parts) == 3:
        raw = ",".join((parts[0], parts[2], parts[1]))
    return person_name(raw)


def _citation_key(value: str | None) -> str | None:
    """``ID`` is a citation key in JabRef and BibDesk exports, but a bare record or accession
    number (``243``, ``20203152553``) in EndNote, Dimensions and Ovid ones: keep only keys."""
    return value if value and _KEY.match(value) else None
