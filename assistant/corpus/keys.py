"""Citation keys: generated ``lastnameYEARfirstword`` keys, made unique with a/b/c suffixes.

Readers that have no key of the user's (Zotero without Better BibTeX) and the BibTeX writer
use the same generator, so one paper gets the same key wherever it is exported from. Papers
store authors in display order ("Jean de la Fontaine"); ``split_name`` recovers the parts the
way BibTeX itself reads a name without a comma: the family name starts at the first lower-case
word ("de la Fontaine"), else it is the last word, and a trailing "Jr."/"III" is a suffix.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from itertools import count, product
from string import ascii_lowercase
from typing import NamedTuple

from assistant.corpus.normalize import clean_text
from assistant.corpus.paper import Paper

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_CORPORATE = re.compile(
    r"\b(?:organi[sz]ation|consortium|collaboration|group|committee|institute|association"
    r"|society|council|agency|foundation|initiative|university|network|commission|ministry"
    r"|department|office|team|project|centre|center|inc|ltd|gmbh|corporation)\b"
    r"|[,&]|\band\b",
    re.IGNORECASE,
)
_STOP_WORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "at", "by", "via"}
    | {"is", "are", "towards", "toward"}
)
_FOLDED = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "þ": "th"})
_NOT_KEY_CHARS = re.compile(r"[^a-z0-9]+")
_VALID_KEY = re.compile(r"[^\s,{}()\"'#%=\\~]+")
"""What BibTeX, biber and our own reader all accept in a key."""


class Name(NamedTuple):
    """A person's name in BibTeX's parts, or an organisation's name whole."""

    given: str
    family: str
    """With any lower-case particle: "van Beethoven", "de la Fontaine"."""
    suffix: str = ""
    corporate: bool = False


def split_name(display: str) -> Name:
    """Parts of a display-order name. Organisations (a corporate word, "&", "and" or a comma)
    and single words are all family name.

    >>> split_name("Ludwig van Beethoven")
    Name(given='Ludwig', family='van Beethoven', suffix='', corporate=False)
    """
    text = clean_text(display)
    if _CORPORATE.search(text):
        return Name("", text, corporate=True)
    words = text.split()
    suffix = ""
    if len(words) > 2 and words[-1].casefold() in _SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return Name("", " ".join(words), suffix)
    start = next((i for i, w in enumerate(words[:-1]) if w[:1].islower()), len(words) - 1)
    return Name(" ".join(words[:start]), " ".join(words[start:]), suffix)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``"Kadeřábková"`` -> ``"kaderabkova"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDED))
    return _NOT_KEY_CHARS.sub("", "".join(c for c in decomposed if c.isascii()))


def generate_key(paper: Paper) -> str:
    """``lastnameYEARfirstword``: the first author's family name, the year and the first title
    word that is not a function word ("a", "the", "of"...), folded to lower-case ASCII.

    "anon" stands in for a paper without authors; a title with no Latin letters at all falls
    back on the paper's stable id.
    """
    family = ascii_fold(split_name(paper.authors[0]).family) if paper.authors else ""
    words = [w for w in map(ascii_fold, paper.title.split()) if w]
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "")
    if not word:
        word = paper.id[:8]
    return f"{family or 'anon'}{paper.year or ''}{word}"


def is_valid_key(key: str | None) -> bool:
    """True for a key that can be written into a .bib file as it is."""
    return bool(key) and _VALID_KEY.fullmatch(key or "") is not None


def unique_keys(papers: Sequence[Paper], taken: Iterable[str] = ()) -> list[str]:
    """One key per paper, in order: its own ``citation_key`` (when writable), else a generated
    one; unique (ignoring case) within the list and against ``taken``.

    Own keys are placed first, so a generated key never takes one; a clash gets the suffix
    "a", then "b"... ("aa" after "z") while the first holder keeps the bare key.
    """
    used = {key.casefold() for key in taken}
    keys: list[str | None] = [None] * len(papers)
    for i, paper in enumerate(papers):
        own = paper.citation_key
        if own is not None and is_valid_key(own) and own.casefold() not in used:
            used.add(own.casefold())
            keys[i] = own
    for i, paper in enumerate(papers):
        if keys[i] is None:
            own = paper.citation_key
            base = own if own is not None and is_valid_key(own) else generate_key(paper)
            key = next(k for k in _candidates(base) if k.casefold() not in used)
            used.add(key.casefold())
            keys[i] = key
    return [key for key in keys if key is not None]


def _candidates(base: str) -> Iterator[str]:
    yield base
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield base + "".join(letters)
