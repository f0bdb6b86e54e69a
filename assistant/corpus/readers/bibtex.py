"""BibTeX and BibLaTeX, as JabRef, Better BibTeX, Mendeley, Google Scholar and people write it.

The file is streamed in pieces that start at lines beginning with ``@type{`` (or ``@type(``), so a
broken entry costs only itself: it becomes a ``ReadIssue`` with its line, and the next entry is read
as usual. Within a piece a small tokenizer reads ``@string`` macros (undefined ones are kept as
their name), ``#`` concatenation, braced and quoted values, and skips ``@comment``/``@preamble``.
``crossref`` and ``xdata`` parents lend their missing fields to children, whichever comes first.
"""

import calendar
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from assistant.corpus.normalize import clean_text, normalize_doi
from assistant.corpus.paper import Paper
from assistant.corpus.readers.attachments import bibtex_pdfs, with_full_text
from assistant.corpus.readers.base import Item, ReadIssue
from assistant.corpus.readers.fields import find_arxiv_id, parse_year, source, split_list, unique
from assistant.corpus.readers.names import person_name, split_authors
from assistant.corpus.readers.pdf import PdfParser
from assistant.corpus.readers.text import open_text

MAX_ENTRY_CHARS = 4_000_000
"""A piece of the file longer than this (a runaway entry, or not BibTeX at all) is skipped."""
_LINE_LIMIT = 1_000_000

_HEADER = re.compile(r"[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]")
_ENTRY = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])")
_SNIFF = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)
_REFERENCE = re.compile(r"\b(?:crossref|xdata)\s*=\s*[{\"]?([^\"{}\n]+)", re.IGNORECASE)
_KEY = re.compile(r"[^\s,=]*")
_NAME = re.compile(r"[^\s=,{}()\"#%]+")
# Field names; Scopus writes some with a (non-breaking) space: "funding_text 1".
_FIELD = re.compile(r"[^\s=,{}()\"#%]+(?:[^\S\r\n]+[^\s=,{}()\"#%]+)*(?=\s*=)")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_NEWLINE = re.compile(r"\r\n?|\n")
_BRACE = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'[{}"]')
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&])")
_ESCAPED = re.compile(r"\\([_&%#$~])")
_PLAIN = (("---", "—"), ("--", "–"), ("~", " "), ("``", "“"), ("''", "”"), ("{", ""), ("}", ""))

_MONTHS = {month[:3].lower(): month for month in calendar.month_name if month}
_SKIPPED = frozenset({"comment", "preamble"})
_NOT_EMITTED = frozenset({"xdata", "set"})
"""Containers: xdata only lends fields, set only groups other entries."""
_NOT_INHERITED = frozenset(
    {"title", "subtitle", "abstract", "doi", "url", "eprint", "eprinttype", "archiveprefix"}
    | {"arxivid", "keywords", "crossref", "xdata", "ids", "file", "note", "annotation"}
)
_NEVER_INHERITED = frozenset({"crossref", "xdata", "ids"})
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "venue", "publisher")
_TAG_FIELDS = ("keywords", "author_keywords", "mendeley-tags", "groups")
_ARXIV_TEXT_FIELDS = ("journal", "journaltitle", "note", "howpublished")


def _decoder() -> LatexNodes2Text:
    """pylatexenc's LaTeX-to-text, taught the logos and macros it drops or mangles."""
    context = get_default_latex_context_db()
    logos = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX"}
    macros = [MacroTextSpec(name, simplify_repl=text) for name, text in logos.items()]
    macros += [
        MacroTextSpec("hyphen", simplify_repl="-"),
        MacroTextSpec("slash", simplify_repl="/"),
    ]
    macros += [MacroTextSpec(name, discard=False) for name in ("texttt", "textsf")]  # else emptied
    context.add_context_category("citewise", prepend=True, macros=macros)
    return LatexNodes2Text(latex_context=context)


_DECODER = _decoder()
# pylatexenc logs a warning for every odd construct it tolerates; the text it returns is enough.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)


@dataclass
class _Entry:
    kind: str
    key: str | None
    fields: dict[str, str]
    line: int


class _Syntax(Exception):
    """A malformed entry; ``offset`` is where in the piece the tokenizer gave up."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class BibtexReader:
    """Reads .bib files, streaming, with every broken entry reported and skipped. Given a
    ``pdf`` parser, an entry whose ``file`` field names a PDF gets that PDF's full text."""

    name = "bibtex"
    extensions: tuple[str, ...] = (".bib", ".bibtex", ".biblatex")

    def __init__(self, pdf: PdfParser | None = None) -> None:
        self.pdf = pdf

    def sniff(self, head: str) -> bool:
        return bool(_SNIFF.search(head))

    def read(self, path: Path) -> Iterator[Item]:
        targets = _reference_targets(path)
        parents: dict[str, _Entry] = {}
        waiting: list[_Entry] = []
        macros = dict(_MONTHS)
        with open_text(path) as handle:
            for line, text in _pieces(handle):
                if text is None:
                    reason = f"over {MAX_ENTRY_CHARS} characters before the next entry; skipped"
                    yield ReadIssue(str(path), reason, line=line)
                    continue
                for item in _Piece(str(path), text, line, macros).items():
                    if isinstance(item, ReadIssue):
                        yield item
                        continue
                    if item.key and item.key.lower() in targets:
                        parents[item.key.lower()] = _inherit(item, parents)
                    if any(ref not in parents for ref in _references(item.fields)):
                        waiting.append(item)  # its parent may come later in the file
                    elif item.kind not in _NOT_EMITTED:
                        yield from self._items(path, _inherit(item, parents))
        for item in waiting:
            if item.kind not in _NOT_EMITTED:
                yield from self._items(path, _inherit(item, parents))

    def _items(self, path: Path, entry: _Entry) -> Iterator[Item]:
        item = self._item(path, entry)
        pdfs = bibtex_pdfs(entry.fields.get("file", ""), path.parent) if self.pdf else []
        if self.pdf and pdfs and isinstance(item, Paper):
            yield from with_full_text(item, pdfs[0], self.pdf, ReadIssue(str(path), "", entry.line))
        else:
            yield item

    def _item(self, path: Path, entry: _Entry) -> Item:
        fields = entry.fields
        title = ": ".join(filter(None, (latex(fields.get("title")), latex(fields.get("subtitle")))))
        if not title:
            named = f" '{entry.key}'" if entry.key else ""
            return ReadIssue(str(path), f"no title in @{entry.kind}{named}", line=entry.line)
        urls = [*verbatim(fields.get("url")).split(), *verbatim(fields.get("ee")).split()]
        author = fields.get("author", "")
        doi = next(filter(None, map(normalize_doi, [verbatim(fields.get("doi")), *urls])), None)
        return Paper(
            title=title,
            abstract=latex(fields.get("abstract")),
            authors=unique(latex(person_name(name)) for name in split_authors(author)),
            year=parse_year(latex(fields.get("year"))) or parse_year(latex(fields.get("date"))),
            venue=next(filter(None, (latex(fields.get(name)) for name in _VENUE_FIELDS)), None),
            doi=doi,
            arxiv_id=_arxiv_id(fields, urls, doi),
            url=urls[0] if urls else None,
            citation_key=clean_text(entry.key) or None,
            tags=unique(tag for name in _TAG_FIELDS for tag in split_list(latex(fields.get(name)))),
            sources=[source(path, self.name, line=entry.line)],
        )


def latex(value: str | None) -> str:
    """BibTeX field text as plain Unicode: accents decoded, protective braces and markup dropped,
    math kept readable (``$\\alpha$`` -> ``α``). Never raises."""
    if not value:
        return ""
    if "\\" not in value and "$" not in value:
        return _plain(value)
    # A bare % or & is a comment or an alignment tab to LaTeX, but plain text in exported abstracts.
    escaped = _BARE_SPECIAL.sub(r"\\\1", value)
    try:
        return clean_text(str(_DECODER.latex_to_text(escaped)))
    except Exception:  # pylatexenc on garbage: fall back rather than lose the record
        return _plain(_ESCAPED.sub(r"\1", value))


def verbatim(value: str | None) -> str:
    """A URL, DOI or identifier: braces dropped, ``\\_``-style escapes undone, nothing decoded."""
    return clean_text(_ESCAPED.sub(r"\1", (value or "").replace("{", "").replace("}", "")))


def _plain(text: str) -> str:
    for old, new in _PLAIN:
        text = text.replace(old, new)
    return clean_text(text)


def _arxiv_id(fields: dict[str, str], urls: list[str], doi: str | None) -> str | None:
    """From ``eprint`` (unless its type is not arXiv), ``arxivid``, URLs, an arXiv DOI, or an
    ``arXiv:`` id in the journal or note (Google Scholar's "arXiv preprint arXiv:2101.00001")."""
    kind = verbatim(fields.get("eprinttype") or fields.get("archiveprefix")).lower()
    eprint = verbatim(fields.get("eprint")) if kind in ("", "arxiv") else None
    in_text = [
        token
        for name in _ARXIV_TEXT_FIELDS
        for token in verbatim(fields.get(name)).split()
        if token.lower().startswith("arxiv:")
    ]
    return find_arxiv_id(eprint, verbatim(fields.get("arxivid")), *urls, doi, *in_text)


def _references(fields: dict[str, str]) -> list[str]:
    """Lower-cased keys this entry inherits from: its ``crossref`` and its ``xdata`` list."""
    keys = [verbatim(fields.get("crossref")), *verbatim(fields.get("xdata")).split(",")]
    return [key.strip().lower() for key in keys if key.strip()]


def _inherit(entry: _Entry, parents: dict[str, _Entry]) -> _Entry:
    """The entry with the missing fields its parents have. A parent of another type is a
    container (proceedings, book): its title becomes the child's booktitle, and its own
    identifiers and abstract stay its own. A parent of the same type, or @xdata, lends all."""
    merged = dict(entry.fields)
    for ref in _references(entry.fields):
        parent = parents.get(ref)
        if parent is None:
            continue
        container = parent.kind not in (entry.kind, "xdata")
        if container and "title" in parent.fields:
            merged.setdefault("booktitle", parent.fields["title"])
        for name, value in parent.fields.items():
            if name not in (_NOT_INHERITED if container else _NEVER_INHERITED):
                merged.setdefault(name, value)
    return _Entry(entry.kind, entry.key, merged, entry.line)


def _reference_targets(path: Path) -> set[str]:
    """Keys named by any ``crossref``/``xdata`` field: a cheap first pass, so that only the
    entries someone inherits from are kept in memory."""
    targets: set[str] = set()
    with open_text(path) as handle:
        for line in iter(partial(handle.readline, _LINE_LIMIT), ""):
            for match in _REFERENCE.finditer(line):
                targets.update(key.strip().lower() for key in match.group(1).split(","))
    return targets


def _pieces(handle: TextIO) -> Iterator[tuple[int, str | None]]:
    """``(first line, text)`` for each run of lines from one ``@type{`` line to the next;
    text is None for a run longer than ``MAX_ENTRY_CHARS`` (its lines are not kept)."""
    lines: list[str] = []
    size, start, number, at_line_start, overflow = 0, 1, 1, True, False
    for chunk in iter(partial(handle.readline, _LINE_LIMIT), ""):
        if at_line_start and _HEADER.match(chunk):
            if lines or overflow:
                yield start, None if overflow else "".join(lines)
            lines, size, start, overflow = [], 0, number, False
        if not overflow:
            lines.append(chunk)
            size += len(chunk)
            if size > MAX_ENTRY_CHARS:
                lines, overflow = [], True
        at_line_start = chunk.endswith(("\n", "\r"))
        number += at_line_start
    if lines or overflow:
        yield start, None if overflow else "".join(lines)


class _Piece:
    """The tokenizer for one piece of the file: entries, @string macros, skipped blocks."""

    def __init__(self, path: str, text: str, line: int, macros: dict[str, str]) -> None:
        self.path, self.text, self.line, self.macros = path, text, line, macros
        self.pos = 0
        self.mark = (0, line)

    def items(self) -> Iterator[_Entry | ReadIssue]:
        while match := _ENTRY.search(self.text, self.pos):
            kind, closer = match.group(1).lower(), "}" if match.group(2) == "{" else ")"
            self.pos = match.end()
            start = self.line_at(match.start())
            key: str | None = None
            try:
                if kind in _SKIPPED:
                    if closer != "}":
                        return
                    self.pos = match.end() - 1
                    self.delimited("{")  # the body, skipped whole
                elif kind == "string":
                    self.macros.update(self.fields(closer))
                else:
                    key, more = self.key(closer)
                    fields = self.fields(closer) if more else {}
                    yield _Entry(kind, key or None, fields, start)
            except _Syntax as error:
                if kind in _SKIPPED:
                    return  # an unbalanced comment hides nothing worth reporting
                named = f" '{key}'" if key else ""
                where = self.line_at(error.offset)
                reason = f"malformed @{kind}{named}: {error} (line {where})"
                yield ReadIssue(self.path, reason, line=start)
                return  # resynchronise at the next piece

    def line_at(self, offset: int) -> int:
        """The file line of ``offset``, counted on from the last one asked (pieces can be long)."""
        start, line = self.mark if offset >= self.mark[0] else (0, self.line)
        line += sum(1 for _ in _NEWLINE.finditer(self.text, start, offset))
        self.mark = (offset, line)
        return line

    def skip_space(self) -> None:
        """Whitespace, and %-comments between tokens (biber allows them inside entries)."""
        while True:
            match = _SPACE.match(self.text, self.pos)
            if match:
                self.pos = match.end()
            if not self.text.startswith("%", self.pos):
                return
            newline = self.text.find("\n", self.pos)
            self.pos = len(self.text) if newline < 0 else newline + 1

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def key(self, closer: str) -> tuple[str, bool]:
        """The citation key ("" when there is none), and whether fields follow it."""
        self.skip_space()
        start = self.pos
        raw = _KEY.match(self.text, self.pos)
        key = raw.group() if raw else ""
        key = key.split(closer, 1)[0]
        self.pos += len(key)
        self.skip_space()
        char = self.peek()
        if char == ",":
            self.pos += 1
            return key, True
        if char == closer:
            self.pos += 1
            return key, False
        if char == "=":  # no key at all: what we read was the first field's name
            self.pos = start
            return "", True
        raise _Syntax("expected ',' after the citation key", self.pos)

    def fields(self, closer: str) -> dict[str, str]:
        fields: dict[str, str] = {}
        while True:
            self.skip_space()
            if self.peek() == closer:
                self.pos += 1
                return fields
            if not self.peek():
                raise _Syntax(f"missing closing '{closer}'", len(self.text.rstrip()))
            name = _FIELD.match(self.text, self.pos)
            if not name:
                raise _Syntax("expected 'name = value'", self.pos)
            self.pos = name.end()
            self.skip_space()
            self.pos += 1  # the "=" that _FIELD looked ahead for
            fields.setdefault(name.group().lower(), self.value())
            end = self.pos
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() == closer:
                continue
            elif not self.peek():
                raise _Syntax(f"missing closing '{closer}'", len(self.text.rstrip()))
            elif "\n" in self.text[end : self.pos] and _FIELD.match(self.text, self.pos):
                continue  # a comma forgotten at the end of a line: the next field is plain to see
            else:
                raise _Syntax(f"expected ',' or '{closer}' after '{name.group()}'", self.pos)

    def value(self) -> str:
        """Parts joined by ``#``: braced or quoted text, numbers, and macro names."""
        parts: list[str] = []
        while True:
            self.skip_space()
            parts.append(self.value_part())
            end = self.pos
            self.skip_space()
            if self.peek() != "#":
                self.pos = end
                return "".join(parts)
            self.pos += 1

    def value_part(self) -> str:
        char, start = self.peek(), self.pos
        if char in ("{", '"'):
            return self.delimited(char)
        match = _NUMBER.match(self.text, start) or _NAME.match(self.text, start)
        if not match:
            raise _Syntax("expected a value", start)
        self.pos = match.end()
        word = match.group()
        return word if word.isdigit() else self.macros.get(word.lower(), word)

    def delimited(self, opener: str) -> str:
        """``{...}`` or ``"..."`` with balanced braces inside; the delimiters are dropped."""
        start, depth = self.pos, 0
        pattern = _BRACE if opener == "{" else _QUOTE_OR_BRACE
        for match in pattern.finditer(self.text, start + 1):
            char = match.group()
            if char == '"' and depth == 0:
                self.pos = match.end()
                return self.text[start + 1 : match.start()]
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0 and opener == "{":
                    self.pos = match.end()
                    return self.text[start + 1 : match.start()]
                depth = max(depth - 1, 0)
        raise _Syntax("unbalanced braces or quotes in a value", start)
