"""The words on either side of a possible sentence end: what the word before a full stop is (an
abbreviation, an initial, an ordinary word) and what follows it (a sentence start or not).

The lists are written for scientific English: abbreviations that never end a sentence ("e.g.",
"cf.", "Fig."), ones that do so only before a capitalised word that usually starts one ("et al.
The"), and those that take a number ("No. 5"). Units are ordinary words: "10 mg. Then" ends a
sentence.
"""

import re
from enum import Enum, auto


class Before(Enum):
    """The word before a full stop."""

    WORD = auto()
    """An ordinary word, a number, a bracket: the stop ends a sentence if a start follows."""

    ABBREVIATION = auto()
    """Never ends a sentence: "e.g.", "cf.", "Fig.", "vs."."""

    NUMBERED = auto()
    """An abbreviation before a number ("No. 5"), an ordinary word before anything else."""

    ELLIPSIS = auto()
    """Not a word but "..." or "…": it ends a sentence only before a capital."""

    WEAK = auto()
    """An initial ("A. Vaswani"), a dotted acronym ("U.S.") or an abbreviation that may end a
    sentence ("et al.", "Inc."): it ends one only before a word that usually starts one."""


class After(Enum):
    """What follows a possible sentence end."""

    END = auto()
    STARTER = auto()
    """A capitalised word that usually starts a sentence: "The", "We", "However"."""

    UPPER = auto()
    DIGIT = auto()
    NAME = auto()
    """A lower-case name: "iTransformer", "word2vec", "t-SNE", "k-means", "β-VAE"."""

    LOWER = auto()
    """A plain lower-case word: the sentence goes on."""

    SYMBOL = auto()
    """Math, code or markup: "$k$-NN", "∇", "@key", "\\citet"."""

    ENUMERATION = auto()
    """ "(1)", "2)", "(ii)", "(b)"."""

    CONTINUATION = auto()
    """Punctuation that never starts a sentence: ",", ";", ")", a dash."""


STARTS = frozenset(
    {After.STARTER, After.UPPER, After.DIGIT, After.NAME, After.SYMBOL, After.ENUMERATION}
)
"""What starts a sentence after an ordinary word and a full stop."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words(
    """e.g eg i.e ie cf viz vs approx ca w.r.t a.k.a s.t s.a et fig figs tab tabs eq eqs eqn eqns
    ch chap alg algo thm lem prop cor def defn rem ref refs pp vol vols val suppl supp incl esp"""
)
"""Never end a sentence; written in lower case or capitalised ("Fig"), never in capitals ("CF"
is cystic fibrosis), but for the few below."""

_CASED = _words("Dr Mr Mrs Ms Prof Mx Sec Secs Sect Sects FIG FIGS EQ EQS REF REFS")
"""Abbreviations only as written: "Ms." is a title but "300 ms." a unit, "Sec. 4" a section but
"10 sec." a unit."""

_NUMBERED = _words("no nos nr")
_WEAK = _words(
    """al resp inc ltd co corp jr sr st mt dept univ ph.d sp spp jan feb mar apr jun jul aug sep
    sept oct nov dec"""
)
_STARTERS = _words(
    """The This These That Those There Their Then Thus Therefore Hence However Here Moreover
    Furthermore Finally First Second Third Next Also Additionally In On At For From With Without
    By To As Of Under Over After Before During Since Because Although Though While When Where
    Whether If Unlike Like Despite Both Each All Most Many Some Several No None Other Another
    Such A An We Our It Its They He She His Her One Two Three Neither Either Not Overall
    Together Taken Collectively Consequently Similarly Importantly Notably Interestingly
    Surprisingly Recently Previously Currently Indeed Nevertheless Nonetheless Instead Rather Yet
    But And Or So Among Across Using Based Given Compared Following Recent Previous Prior Further
    Future Current Later Earlier Only Even Still Accordingly Specifically Generally Typically
    Lastly Last Your You I"""
)
"""Capitalised words that usually start a sentence: after an initial or "et al." they mark one."""

OPENERS = "([{\"'“‘«¿¡<"
"""Characters that may stand before a sentence's first word."""

_CONTINUATIONS = ",;:.!?)]}>-–—…/|"
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_MARKED = re.compile(
    r"(?P<enumeration>\(?(?:\d{1,2}|[ivxIVX]{1,4}|[a-hA-H])\)(?=\s))|(?P<sign>\([-+±]\))"
)
"""An enumeration ("(1)", "2)", "(ii)", "(b)") or a sign that starts a chemical's name ("(-)-")."""

_NAME = re.compile(r"\S{1,39}?(?:[A-Z\d]|[-_+'][^\s.,;:!?)\]}\"'”’])")
"""A lower-case word that is a name: a capital or digit inside it (iTransformer, word2vec) or an
inner hyphen (t-SNE, k-means); a Greek letter (β-VAE) is one too."""
_WORD = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"[\d.,]*\d")
_LONGEST_WORD = 48
_GREEK = range(0x370, 0x400)


def before(text: str, stop: int, floor: int) -> Before:
    """What the word that ends at ``stop`` (a full stop's position) is; ``floor``: where the
    text the word may belong to starts."""
    start = max(floor, stop - _LONGEST_WORD)
    window = text[start:stop]
    if not window or window[-1].isspace():
        return Before.WORD
    words = window.split()
    if len(words) == 1 and start > floor and not text[start - 1].isspace():
        return Before.WORD  # the end of a long word (a URL), never an abbreviation
    word = words[-1].lstrip(OPENERS)
    if not word or not word[-1].isalpha():
        return Before.WORD
    if word in _CASED:
        return Before.ABBREVIATION
    lower = word.lower() if word[1:] == word[1:].lower() else ""  # never an acronym: "MS", "AL"
    if lower in _ABBREVIATIONS:
        return Before.ABBREVIATION
    if lower in _NUMBERED or word == "sec":
        return Before.NUMBERED
    if lower in _WEAK or _DOTTED.fullmatch(word):
        return Before.WEAK
    if len(word) == 1:
        return _letter(word, words[-2] if len(words) > 1 else "")
    return Before.WORD


def _letter(letter: str, previous: str) -> Before:
    """A single letter before a full stop: a unit after a number ("24 h."), part of a spaced
    "e. g." or "i. e.", an initial ("A. Vaswani"), or a lower-case abbreviation before a number
    ("p. 3", "c. 1900") and otherwise a word ("for all x. Then")."""
    if _NUMBER.fullmatch(previous):
        return Before.WORD
    if f"{previous} {letter}".lower() in ("e. g", "i. e"):
        return Before.ABBREVIATION
    return Before.WEAK if letter.isupper() else Before.NUMBERED


def after(text: str, position: int, limit: int) -> After:
    """What the text from ``position`` (no white space there) up to ``limit`` starts with."""
    if position >= limit:
        return After.END
    marked = _MARKED.match(text, position, limit)
    if marked:
        return After.SYMBOL if marked.lastgroup == "sign" else After.ENUMERATION
    first = position
    while first < limit and first - position < 4 and text[first] in OPENERS:
        first += 1
    char = text[first] if first < limit else text[position]
    if char.isupper():
        word = _WORD.match(text, first, limit)
        starter = word and word.group() in _STARTERS and not text.startswith(".", word.end())
        return After.STARTER if starter else After.UPPER
    if char.isdigit():
        return After.DIGIT
    if char.islower():
        name = ord(char) in _GREEK or _NAME.match(text, first, limit)
        return After.NAME if name else After.LOWER
    if char.isalpha():
        return After.UPPER  # a script without case: Chinese, Arabic, Hindi...
    if char in _CONTINUATIONS or char.isspace():
        return After.CONTINUATION
    return After.SYMBOL
