"""Polarity: what a sentence denies, and the words that point one way, read from its words.

A sentence is read (``read``) into words, each with its stem and whether it is *negated*: inside
an odd number of negation scopes. A negation cue ("not", "no", "never", "without", "fails to",
"lacks", "unable to", "rather than", ..., ``lexicon.NEGATION_CUES``) negates the words after it
up to the end of its clause (a comma, "but", "which", "and" before a new verb, ...); when
nothing of substance follows ("productivity did not fall."), the words before it in the clause
too. "not only", "not just", "no doubt" and hedges ("may", "suggests") negate nothing. A word
with a negating prefix or suffix ("ineffective", "asymptomatic", "non-linear", "training-free")
is a negated occurrence of its base, so a double negation ("not uncommon") cancels. Each
negation keeps the content it negates (its first content word is its *head*); each polar word
(``lexicon.POLAR``) is about the content words around it (``arguments``). ``comparison`` puts
two readings side by side.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from assistant.citations.check import lexicon
from assistant.citations.check.quantities import Quantity, quantities

_TOKEN = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*|[.,;:()\[\]!?]")
_BOUNDARY = frozenset(".,;:()[]!?")
_ARG_AFTER, _ARG_BEFORE = 3, 2
"""Content words after and before a polar word that say what it is about."""
_SCOPE_WORDS = 10
_COMPOUND_CONCEPTS = frozenset({"cost", "rank", "ease"})
_VERBAL_CUES = lexicon.words(
    "not never cannot fail fails failed failing unable little few rarely seldom hardly barely "
    "scarcely"
)
"""Cues whose scope runs on through a verb ("little has been done to investigate X")."""
_POSTPOSED_CUES = _VERBAL_CUES | lexicon.words("lack lacks lacking lacked absent missing")
"""Cues that, with nothing after them, negate what comes before them in their clause ("data
is lacking", "productivity did not fall"). A verbal cue does so with one content word after it
(its verb: "did not *fall*"); "lack" and the like only with none ("lacks generalizability" denies
the generalizability alone)."""
_BEHIND_AFTER = lexicon.words(
    "fall falls fell fallen falling lag lags lagged lagging trail trails trailed trailing left "
    "leave leaves remain remains remained far way lies lie"
)
"""Words before "behind" that make it a rank ("falls far behind"), not a place ("the
strategies behind")."""
_NOT_POSSIBLE = lexicon.words("impossible infeasible")
_MODALS = lexicon.words("may might can could do does did will would should whether")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@dataclass(frozen=True)
class Word:
    text: str
    stem: str
    negated: bool
    content: bool
    """Counts for alignment: not a function word, a cue, a hedge or a generic word."""

    base: str | None = None
    """The stem this word negates by its form ("effect" for "ineffective"), if any."""

    clause: int = 0
    literal: bool = False
    """A polar word in a sense that points nowhere: "well" in "as well", "behind" as a place
    ("the ideas behind X")."""


@dataclass(frozen=True)
class Negation:
    stems: tuple[str, ...]
    """The content it negates, in order (the first is its head)."""

    words: tuple[int, ...]
    """Indexes of those words."""

    cue: str


@dataclass(frozen=True)
class Reading:
    words: tuple[Word, ...]
    negations: tuple[Negation, ...]
    quantities: tuple[tuple[Quantity, int], ...]
    """Each quantity with the index of the word it stands at."""

    hedged: bool

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(w.stem for w in self.words if w.content)


# Reading one sentence


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def _is_cue(tokens: list[str], i: int) -> int:
    """How many tokens the negation cue at ``i`` spans (0: no cue)."""
    token = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if (token, following) in lexicon.TWO_WORD_CUES:
        return 2
    if token.endswith("n't"):
        return 1
    if token == "poorly" and lexicon.POLAR.get(following, ("",))[0] == "known":
        return 1  # "poorly understood": not understood
    if token in _NOT_POSSIBLE and following == "to":
        return 1  # "impossible to apply X": X is not applied
    if token not in lexicon.NEGATION_CUES:
        return 0
    if following in lexicon.NOT_NEGATING_AFTER.get(token, ()):
        return 0
    if token in ("little", "few") and i and tokens[i - 1] == "a":
        return 0
    before = tokens[max(0, i - 3) : i]
    if before[-2:-1] == ["or"] and before[-1] in _MODALS and before[-3:-2] == before[-1:]:
        return 0  # "may or may not": undecided, not denied
    if before[-1:] == ["or"] and before[-2:-1] and before[-2] in _MODALS:
        return 0  # "whether or not", "can or cannot"
    if before[-2:] == ["often", "than"]:
        return 0  # "more often than not": usually
    return 1


def _morph_base(word: str) -> str | None:
    """The base a word negates by its form, or None."""
    if word.endswith("-free") and len(word) > 7:
        return word[:-5]
    if word.endswith("-less") and len(word) > 7:
        return word[:-5]
    if word in lexicon.MORPH_EXCEPTIONS:
        return None
    if word in lexicon.MORPH_A_WORDS:
        return word[1:]
    for prefix in lexicon.MORPH_PREFIXES[:-1]:
        base = word[len(prefix) :]
        if (
            word.startswith(prefix)
            and len(base) >= 4
            and (prefix.startswith("non") or base.endswith(lexicon.MORPH_BASE_ENDINGS))
        ):
            return base.lstrip("-")
    return None


def _ends_scope(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token in _BOUNDARY or token in lexicon.SCOPE_ENDS:
        return True
    if token in ("and", "or") and i + 1 < len(tokens):
        following = tokens[i + 1]
        return (
            following in lexicon.VERB_AFTER_AND
            or following in lexicon.POLAR
            or following.endswith("ed")
            or _is_cue(tokens, i + 1) > 0
        )
    return False


@lru_cache(maxsize=65536)
def read(text: str) -> Reading:
    tokens = _tokens(text)
    count = len(tokens)
    flips = [0] * count
    clause = [0] * count
    current = 0
    for i in range(count):
        if _ends_scope(tokens, i) and tokens[i] not in ("(", ")"):
            current += 1  # an aside in brackets ("LLMs (large ...) are") stays in its clause
        clause[i] = current
    content = [_is_content(t) for t in tokens]
    bases = [
        _morph_base(t) if c and t not in lexicon.POLAR else None
        for t, c in zip(tokens, content, strict=True)
    ]  # a word that points one way is read by its own value ("improvement", "unclear")
    negations: list[Negation] = []
    i = 0
    while i < count:
        span = _is_cue(tokens, i)
        if not span:
            i += 1
            continue
        following = i + span + (i + span < count and tokens[i + span] in ("to", "be", "the"))
        if following < count and _is_cue(tokens, following):
            i = following + _is_cue(tokens, following)  # "not without", "not fail to": cancel
            continue
        scope = _forward(tokens, i + span, content, verbal=_verbal(tokens[i]))
        first = next((j for j in scope if content[j]), None)
        double = first is not None and bases[first] is not None
        if first is not None and double:
            scope = [first]  # "not unusual", "not ineffective": the two negations cancel
        elif sum(content[j] for j in scope) <= _verbal(tokens[i]) and (
            tokens[i] in _POSTPOSED_CUES or tokens[i].endswith("n't")
        ):
            scope = _backward(tokens, i, clause) + scope
        for j in scope:
            if double or not bases[j]:
                flips[j] += 1  # a word negated by its form stays so in a scope ("not differ
                # between asymptomatic and symptomatic"), unless the cue negates it alone
        cue = " ".join(tokens[i : i + span])
        negations.append(Negation((), tuple(scope), cue))
        i += span
    words = []
    for i, token in enumerate(tokens):
        base = bases[i]
        words.append(
            Word(
                token,
                stem(token),
                flips[i] % 2 == 1,
                content[i],
                stem(base) if base else None,
                clause[i],
                _literal(tokens, i),
            )
        )
    events = []
    for negation in negations:
        kept = [
            j for j in negation.words if words[j].content and words[j].negated and not words[j].base
        ]
        if kept:
            stems = tuple(dict.fromkeys(words[j].stem for j in kept))
            events.append(Negation(stems, tuple(kept), negation.cue))
    for j, word in enumerate(words):
        if word.base and not word.negated:
            events.append(Negation((word.base,), (j,), word.text))
    return Reading(
        tuple(words),
        tuple(events),
        _placed(text, tokens),
        any(t in lexicon.HEDGES for t in tokens),
    )


def _literal(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token == "well":
        return i > 0 and tokens[i - 1] == "as"
    return token == "behind" and not _BEHIND_AFTER & set(tokens[max(0, i - 3) : i])


def _is_content(token: str) -> bool:
    return (
        token not in _BOUNDARY
        and len(token) > 2
        and not token.endswith("n't")
        and token not in lexicon.GENERIC
        and token not in lexicon.SCOPE_ENDS
        and token not in lexicon.NEGATION_CUES
        and token not in lexicon.HEDGES
        and lexicon.POLAR.get(token, ("",))[0] != "evidence"
        and not token[0].isdigit()
    )


def _verbal(cue: str) -> bool:
    return cue in _VERBAL_CUES or cue.endswith("n't")


def _forward(tokens: list[str], start: int, content: list[bool], verbal: bool) -> list[int]:
    """The words a cue negates after it: to the end of its clause, the next cue, or (for a cue
    inside a noun phrase: "mice lacking X have Y", "without X") the next verb. What a colon then
    lists is denied too ("lacks key properties: A, B and C"), and so is what a relative clause
    says of the thing a noun-phrase cue denies ("without a generator, which is expensive")."""
    scope: list[int] = []
    j = start
    while j < len(tokens):
        if _ends_scope(tokens, j) or len(scope) >= _SCOPE_WORDS or _is_cue(tokens, j):
            break
        if not verbal and tokens[j] in lexicon.VERB_AFTER_AND:
            break
        scope.append(j)
        j += 1
    if not scope or j >= len(tokens):
        return scope
    if tokens[j] == ":":
        return scope + _listed(tokens, j + 1)
    if not verbal:
        return scope + _described(tokens, j)
    return scope


def _listed(tokens: list[str], start: int) -> list[int]:
    """The items of a list after a colon, to the end of the sentence or clause."""
    items: list[int] = []
    for j in range(start, len(tokens)):
        token = tokens[j]
        if token in ".;()!?" or token in lexicon.SCOPE_ENDS or _is_cue(tokens, j):
            break
        if len(items) >= 2 * _SCOPE_WORDS:
            break
        if token not in (",", "and", "or"):
            items.append(j)
    return items


_RELATIVE = frozenset({"which", "that", "who"})
_BE = frozenset({"is", "are", "was", "were"})


def _described(tokens: list[str], end: int) -> list[int]:
    """What "[,] which is ..." right after a scope says of the thing the scope denies."""
    j = end + (tokens[end] == ",")
    if j + 1 >= len(tokens) or tokens[j] not in _RELATIVE or tokens[j + 1] not in _BE:
        return []
    described: list[int] = []
    for k in range(j + 2, len(tokens)):
        if _ends_scope(tokens, k) or _is_cue(tokens, k) or len(described) >= _SCOPE_WORDS:
            break
        described.append(k)
    return described


def _backward(tokens: list[str], cue: int, clause: list[int]) -> list[int]:
    start = cue
    while start > 0 and clause[start - 1] == clause[cue] and tokens[start - 1] not in _BOUNDARY:
        start -= 1
    return list(range(start, cue))


def _placed(text: str, tokens: list[str]) -> tuple[tuple[Quantity, int], ...]:
    """Each quantity with the index of the token it starts at."""
    lowered = text.lower().replace("’", "'")
    starts, offset = [], 0
    for token in tokens:
        offset = lowered.find(token, offset)
        starts.append(offset)
        offset += len(token)
    placed = []
    for quantity in quantities(text):
        index = sum(1 for s in starts if s <= quantity.start) - 1
        placed.append((quantity, max(index, 0)))
    return tuple(placed)


def arguments(reading: Reading, index: int, after: int = _ARG_AFTER) -> frozenset[str]:
    """The content words a polar word at ``index`` is about: a few (``after``) after it and
    before it, in its clause."""
    words = reading.words
    clause = words[index].clause
    following = [w.stem for w in words[index + 1 :] if w.clause == clause and w.content][:after]
    before = [w.stem for w in reversed(words[:index]) if w.clause == clause and w.content][
        :_ARG_BEFORE
    ]
    return frozenset(following + before)


def polar(word: Word) -> tuple[str, int] | None:
    """The word's (concept, value), if it points one way."""
    if word.literal:
        return None
    return lexicon.POLAR.get(compound(word.text, lexicon.POLAR))


def compound(text: str, table: dict[str, tuple[str, int]] | dict[str, tuple[str, str]]) -> str:
    """A hyphenated word's last part when the table knows it as a cost or rank word
    ("memory-intensive": "intensive"; not "short-lived", "large-scale"), or its first part when
    that is an ease word ("easy-to-implement": "easy"), else the word."""
    if text in table or "-" not in text:
        return text
    first, last = text.split("-", 1)[0], text.rsplit("-", 1)[1]
    if last in table and table[last][0] in _COMPOUND_CONCEPTS:
        return last
    return first if first in table and table[first][0] == "ease" else text
