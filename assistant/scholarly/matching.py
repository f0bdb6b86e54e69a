"""Is an API's record the library's paper? Verified, never assumed.

A record found by **title** is the same work when all three agree:

* the title: equal once normalised (case, accents, punctuation, markup, Greek letters spelled
  out; "Pre-training" = "Pretraining"), or equal but for a subtitle or a name before a colon
  ("ChemCrow: Augmenting ..."), or a cut-short copy of it (at least five words, half the
  title), or differing only by spelling variants of long words ("modelling", "modeling"). A
  notice about a paper ("Correction: ...", "Retraction: ...", "Reply to: ...") is never it.
* the year: at most one apart. A preprint and its published version are usually a year apart
  and share their abstract, so they match; but only a record of the **same** year may give its
  DOI (``same_version``), so a journal paper never receives its preprint's DOI.
* the first author's family name (accents folded, particles and initials ignored; a name
  written family-first matches). A record without authors on one side matches only with an
  identical title and the same year.

A record found by **DOI or arXiv id** only needs a title that broadly agrees (most of the
shorter title's words in the other): the identifier is strong, the check catches a DOI that
points at another paper (a typo in the user's file) and notices.

Every decision comes with its reason, which ``enrich --dry-run`` prints.
"""

import re
from dataclasses import dataclass

from assistant.corpus.keys import ascii_fold, split_name
from assistant.corpus.normalize import normalize_title
from assistant.corpus.paper import Paper

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "π": "pi",
    "σ": "sigma",
    "τ": "tau",
    "ω": "omega",
}
_SUBTITLE = re.compile(r"\s*(?::|\?|\s[-–—]\s)\s*")
_NOTICE = re.compile(
    r"^(?:(?:author|publisher)s? )?(?:correction|corrigendum|erratum|retraction|retracted"
    r"|withdrawn|withdrawal|expression of concern|comment|comments|commentary|reply|response"
    r"|rebuttal|notice of retraction)\b"
)
CUT_WORDS = 5
"""A cut-short title must keep at least this many words..."""
CUT_SHARE = 0.5
"""...and this share of the full title's words."""
SPELLING_MIN = 5
"""Words shorter than this must match exactly (so "I" never matches "II")."""
SPELLING_EDITS = 2
ID_OVERLAP = 0.6
"""Share of the shorter title's words a record found by identifier must have."""


@dataclass(frozen=True)
class Match:
    accepted: bool
    reason: str
    same_version: bool = False
    """The same version (same year): its identifiers may be taken as well as its abstract."""


def same_work(paper: Paper, found: Paper) -> Match:
    """Whether ``found``, a record found by searching for ``paper``'s title, is that paper."""
    title = _title_match(paper.title, found.title)
    if title is None:
        return Match(False, f"another title: {found.title!r}")
    if _is_notice(paper.title) != _is_notice(found.title):
        return Match(False, f"a notice about the paper, not the paper: {found.title!r}")
    years = (paper.year, found.year)
    if None not in years and abs(years[0] - years[1]) > 1:  # type: ignore[operator]
        return Match(False, f"{title}, but {found.year} is not {paper.year}")
    same_year = years[0] == years[1]
    if not paper.authors or not found.authors:
        if title == "same title" and same_year:
            return Match(True, "same title and year (no authors to compare)", same_version=True)
        return Match(False, f"{title}, without authors on both sides to confirm it")
    if not _same_person(paper.authors[0], found.authors[0]):
        return Match(False, f"{title}, but the first author is {found.authors[0]}")
    version = "same year" if same_year else f"{found.year} for {paper.year}"
    if None in years:
        version = "no year to compare"
    return Match(True, f"{title}, {version}, same first author", same_version=same_year)


def same_record(paper: Paper, found: Paper) -> Match:
    """Whether ``found``, the record of ``paper``'s own DOI or arXiv id, is that paper."""
    if _is_notice(paper.title) != _is_notice(found.title):
        return Match(False, f"the identifier leads to a notice: {found.title!r}")
    mine, theirs = _words(paper.title), _words(found.title)
    shorter = min(len(set(mine)), len(set(theirs)))
    shared = len(set(mine) & set(theirs))
    if _title_match(paper.title, found.title) or (shorter and shared / shorter >= ID_OVERLAP):
        return Match(True, "found by its identifier", same_version=True)
    return Match(False, f"the identifier leads to another title: {found.title!r}")


def _title_match(mine: str, theirs: str) -> str | None:
    """How two titles agree ("same title", "subtitle", ...), or None when they do not."""
    a, b = _words(mine), _words(theirs)
    if not a or not b:
        return None
    if a == b or "".join(a) == "".join(b):
        return "same title"
    if any(a == part for part in _parts(theirs)) or any(b == part for part in _parts(mine)):
        return "same title but for a subtitle"
    short, full = (a, b) if len(a) < len(b) else (b, a)
    if full[: len(short)] == short and len(short) >= max(CUT_WORDS, CUT_SHARE * len(full)):
        return "the same title cut short"
    if len(a) == len(b) and all(_spelling(x, y) for x, y in zip(a, b, strict=True)):
        return "same title but for spelling"
    return None


def _words(title: str) -> list[str]:
    spelled = "".join(_GREEK.get(c, c) for c in title.casefold())
    return normalize_title(spelled).split()


def _parts(title: str) -> list[list[str]]:
    """Each part of a title around a subtitle separator, as words (two words at least)."""
    pieces = _SUBTITLE.split(title)
    return (
        [words for piece in pieces if len(words := _words(piece)) >= 2] if len(pieces) > 1 else []
    )


def _is_notice(title: str) -> bool:
    return _NOTICE.match(" ".join(_words(title))) is not None


def _spelling(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < SPELLING_MIN or abs(len(a) - len(b)) > SPELLING_EDITS:
        return False
    return _edits(a, b) <= SPELLING_EDITS


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[-1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _same_person(mine: str, theirs: str) -> bool:
    """Same family name (its last word, folded); or each name's family among the other's words
    (a name written family-first)."""
    a, b = split_name(mine), split_name(theirs)
    family_a = ascii_fold(a.family.split()[-1]) if a.family.split() else ""
    family_b = ascii_fold(b.family.split()[-1]) if b.family.split() else ""
    if family_a and family_a == family_b:
        return True
    words_a = {ascii_fold(w) for w in mine.split()}
    words_b = {ascii_fold(w) for w in theirs.split()}
    return bool(family_a and family_b) and family_a in words_b and family_b in words_a
