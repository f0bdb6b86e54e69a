"""Papers as clean BibTeX, for LaTeX users to cite what they found.

Keys: the user's own ``citation_key`` where it is writable, else ``keys.generate_key``; every key
is unique within the output (``keys.unique_keys``).

Entry types, from the venue alone (a Paper has no item type): a venue that names a conference
("Proceedings", "Conference", "Workshop", "Symposium"...) gives ``@inproceedings`` with
``booktitle``; any other venue gives ``@article`` with ``journal``; a paper known only from arXiv
(no venue, or one that just says arXiv) gives ``@misc`` with ``eprint`` and
``archivePrefix = {arXiv}``; anything else is ``@misc``. arXiv ids are written on every entry
that has one. ``primaryClass`` is not written: papers do not record an arXiv category.

Text fields (title, names, venue, abstract, keywords) have the LaTeX specials escaped
(``\\& \\% \\$ \\# \\_ \\{ \\}``, ``\\textasciitilde{}``, ``\\textasciicircum{}``,
``\\textbackslash{}``), and the ligatures TeX would otherwise make of ``--``, ``''`` and the like
are broken with ``{}``. Title words with a capital after their first letter (BERT, GPT-3, iPhone,
3D) are braced so that styles which lower-case titles keep them. Non-ASCII text is written as
UTF-8, not as TeX accents: biber (and bibtex8 or BibTeX with ``inputenc``) reads it as is.

Identifiers (doi, url, eprint) are written verbatim, as biblatex expects; a brace in a URL is
percent-encoded so that it cannot unbalance the entry. Tags become ``keywords``, separated by
commas, or by semicolons when a tag itself holds a comma ("Rats, Sprague-Dawley").
"""

import re
from collections.abc import Sequence

from assistant.corpus.keys import Name, split_name, unique_keys
from assistant.corpus.normalize import clean_text
from assistant.corpus.paper import Paper

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[!?])(?=`)")
"""Between the characters TeX joins: -- and --- (dashes), `` and '' (quotes), !` and ?`."""
_PROCEEDINGS = re.compile(
    r"\b(?:proceedings|proc\.|conference|workshop|symposium|congress|colloquium|meeting)\b",
    re.IGNORECASE,
)
_ARXIV_VENUE = re.compile(r"^\W*arxiv\b", re.IGNORECASE)


def write_bibtex(papers: Sequence[Paper]) -> str:
    """A .bib file's text (UTF-8 when saved) with one entry per paper, in order."""
    keys = unique_keys(papers)
    return "\n".join(_entry(paper, key) for paper, key in zip(papers, keys, strict=True))


def escape(text: str) -> str:
    """Plain text as BibTeX field text: specials escaped, TeX ligatures broken, Unicode kept."""
    escaped = _SPECIAL.sub(lambda match: _SPECIALS[match.group()], clean_text(text))
    return _LIGATURE.sub("{}", escaped)


def title_field(title: str) -> str:
    """An escaped title with acronyms and CamelCase words braced: ``{BERT}`` stays BERT."""
    return " ".join(
        f"{{{escape(word)}}}" if _needs_protection(word) else escape(word)
        for word in clean_text(title).split(" ")
    )


def author_field(authors: Sequence[str]) -> str:
    """``Last, First and von Last, Jr., First and {Organisation}``."""
    return " and ".join(_name(split_name(author)) for author in authors)


def entry_type(paper: Paper) -> str:
    """``inproceedings``, ``article`` or ``misc``, from the venue (see the module docstring)."""
    if _arxiv_only(paper) or not paper.venue:
        return "misc"
    return "inproceedings" if _PROCEEDINGS.search(paper.venue) else "article"


def _entry(paper: Paper, key: str) -> str:
    kind = entry_type(paper)
    fields: dict[str, str | None] = {
        "title": title_field(paper.title),
        "author": author_field(paper.authors) or None,
        "year": str(paper.year) if paper.year else None,
        "journal": escape(paper.venue) if kind == "article" and paper.venue else None,
        "booktitle": escape(paper.venue) if kind == "inproceedings" and paper.venue else None,
        "doi": _verbatim(paper.doi),
        "url": _verbatim(paper.url),
        "eprint": _verbatim(paper.arxiv_id),
        "archivePrefix": "arXiv" if paper.arxiv_id else None,
        "abstract": escape(paper.abstract) or None,
        "keywords": _keywords(paper.tags) or None,
    }
    lines = [f"  {name} = {{{value}}}," for name, value in fields.items() if value]
    return "\n".join([f"@{kind}{{{key},", *lines, "}", ""])


def _name(name: Name) -> str:
    if name.corporate or not name.given:
        return f"{{{escape(name.family)}}}" if name.corporate else escape(name.family)
    parts = (name.family, name.suffix, name.given) if name.suffix else (name.family, name.given)
    return ", ".join(map(escape, parts))


def _arxiv_only(paper: Paper) -> bool:
    return bool(paper.arxiv_id) and (not paper.venue or bool(_ARXIV_VENUE.match(paper.venue)))


def _keywords(tags: Sequence[str]) -> str:
    separator = "; " if any("," in tag for tag in tags) else ", "
    return separator.join(escape(tag) for tag in tags)


def _needs_protection(word: str) -> bool:
    """A capital after the first character: acronyms (BERT), CamelCase (iPhone), 3D."""
    return any(char.isupper() for char in word[1:])


def _verbatim(value: str | None) -> str | None:
    """An identifier as it is, but with braces percent-encoded (they would unbalance it)."""
    return clean_text(value).replace("{", "%7B").replace("}", "%7D") or None
