"""A claim and an evidence sentence compared on the content they share (``compare``).

Both are read by ``polarity.read``. The findings:

- negation: a negation in one sentence against the other sentence's words for the content it
  negates. When the other negates one of them too (or says the opposite word: "not well
  understood" / "poorly understood"; "did not fall" / "was maintained"), the negation is shared:
  agreement. When it asserts the negation's head near some of the same content, the finding is a
  conflict ("unable to confirm a *benefit* of hydroxychloroquine" / "hydroxychloroquine
  *improves* survival": the head "benefit" and "improves" are one concept, rank +1; "does not
  *affect* the loss" / "*degrades* the loss": a change); its strength is the share of the
  negated content the other asserts. A negation whose head the other does not speak of is about
  something else, and no finding;
- direction: polar words of one concept (``lexicon.POLAR``: increases / reduces, improves /
  hurts, outperforms / matches / falls behind, easy / hard, ...) said of the same content (their
  ``polarity.arguments`` overlap) with opposite values: a conflict; the same value: agreement;
- contrast: "linear" where the aligned sentence says only "quadratic";
- quantity: a figure of the claim that no figure of the evidence agrees with (``quantities``),
  though the evidence gives one of the same unit about the same content.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.citations.check import lexicon
from assistant.citations.check.polarity import Reading, Word, arguments, compound, polar, stem
from assistant.citations.check.quantities import Quantity

_CHANGE = frozenset({"amount", "rank", "speed"})
"""Concepts whose words are changes ("degrades" is a change: "does not affect" denies it)."""

Kind = Literal["negation", "direction", "contrast", "quantity"]


@dataclass(frozen=True)
class Finding:
    kind: Kind
    agrees: bool
    claim: str
    evidence: str
    strength: float = 1.0
    """For a negation conflict: the share of the negated content the other sentence asserts
    (it always asserts the head)."""


@dataclass(frozen=True)
class Comparison:
    findings: tuple[Finding, ...]

    def conflicts(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind and not f.agrees]

    def agreements(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind and f.agrees]

    def reason(self) -> str:
        """The strongest conflict in words, for a note ("" when there is none)."""
        conflicts = [f for f in self.findings if not f.agrees]
        if not conflicts:
            return ""
        best = max(conflicts, key=lambda f: f.strength)
        return f"{best.kind}: the claim says “{best.claim}”, the evidence “{best.evidence}”"


def compare(claim: Reading, evidence: Reading) -> Comparison:
    findings = [
        *_negations(claim, evidence, claim_first=True),
        *_negations(evidence, claim, claim_first=False),
        *_directions(claim, evidence),
        *_contrasts(claim, evidence),
        *_quantities(claim, evidence),
    ]
    return Comparison(tuple(findings))


def _occurrences(reading: Reading, target: str) -> set[bool]:
    """Whether each occurrence of ``target`` in the reading is negated (a word that negates it
    by its form counts as a negated occurrence)."""
    found = {w.negated for w in reading.words if w.content and _same_stem(w.stem, target)}
    found |= {not w.negated for w in reading.words if w.base and _same_stem(w.base, target, 5)}
    return found


_DIRECTION_OVERLAP = 2
"""Content words two polar words must share to be opposed: one ("risk", "cells") ties words
about different things in the sentences of one abstract (SciFact train's false reversals)."""

_NEAR = 6
"""Words around a negation, and around the other sentence's word for its content, that must
share something for the two to be about the same thing ("not the adapters" after "fine-tuning
the routing function" is not about "combines adapter parameters")."""


def _near(reading: Reading, first: int, last: int) -> frozenset[str]:
    words = reading.words[max(0, first - _NEAR) : last + _NEAR + 1]
    return frozenset(w.stem for w in words if w.content)


def _said_near(reading: Reading, target: str, around: frozenset[str]) -> bool:
    """Whether ``target`` occurs in the reading with one of ``around`` near it."""
    return any(
        w.content and _same_stem(w.stem, target) and (_near(reading, j, j) - {target}) & around
        for j, w in enumerate(reading.words)
    )


def _same_stem(first: str, second: str, shortest: int = 7) -> bool:
    """Stems of one word family: equal, or one the other's start when that is at least
    ``shortest`` letters ("general" of "generalize", "generaliz" of "generalizability"; with 5,
    the base a negating form leaves: "symptomat" of "asymptomatic" is "symptom")."""
    short, long = sorted((first, second), key=len)
    return short == long or (len(short) >= shortest and long.startswith(short))


def _object_of_polar(reading: Reading, index: int) -> bool:
    """A polar word right after another of its concept is that word's object ("inhibits
    growth", "reduced loss"): not a direction of its own."""
    concept = polar(reading.words[index])
    before = [w for w in reading.words[max(0, index - 2) : index] if w.content]
    return concept is not None and any(
        (p := polar(w)) is not None and p[0] == concept[0] for w in before
    )


def _aligned_polar(
    reading: Reading, concept: set[str], about: frozenset[str]
) -> list[tuple[int, Word, int]]:
    """Polar words of the reading in ``concept``, with their overlap with ``about``."""
    found = []
    for j, word in enumerate(reading.words):
        pointing = polar(word)
        if pointing is not None and pointing[0] in concept and not _object_of_polar(reading, j):
            overlap = len(arguments(reading, j) & about)
            found.append((overlap, word, j))
    return found


def _negations(first: Reading, second: Reading, claim_first: bool) -> list[Finding]:
    """Each negation of ``first`` against ``second``: shared, reversed, or not spoken of."""
    findings = []
    for negation in first.negations:
        index = negation.words[0]
        head = first.words[index]
        occurrences = {s: _occurrences(second, s) for s in negation.stems}
        around = _near(first, min(negation.words), max(negation.words))
        asserted = [
            s
            for s, o in occurrences.items()
            if o == {False} and _said_near(second, s, around - {s})
        ]
        said = _head_in(first, index, second)
        for j in negation.words[1:]:  # "do not scale well" / "scale poorly": the manner
            if polar(first.words[j]) is not None and _head_in(first, j, second) == "shared":
                said = "shared"
        if negation.cue in lexicon.SCANT and _scant_before(second, head.stem):
            said = "shared"  # "little attention" / "less attention"
        shared = said == "shared" or any(True in o for o in occurrences.values())
        head_asserted = said == "asserted" or bool({head.stem, head.base} & set(asserted))
        said_words = [
            first.words[j].text for j in negation.words[:4] if j != index or not head.base
        ]
        text = " ".join([negation.cue, *said_words])
        if shared:
            findings.append(_finding(True, text, "", claim_first))
        elif head_asserted:
            strength = len(asserted) / len(negation.stems)
            findings.append(_finding(False, text, " ".join(asserted), claim_first, strength))
    return findings


def _scant_before(reading: Reading, target: str) -> bool:
    """Whether the reading says "less", "few", "limited" and the like just before ``target``."""
    return any(
        _same_stem(w.stem, target)
        and any(v.text in lexicon.SCANT_ALIKE for v in reading.words[max(0, j - 2) : j])
        for j, w in enumerate(reading.words)
    )


def _head_in(first: Reading, index: int, second: Reading) -> str | None:
    """What ``second`` says of a negation's pointing head (``first.words[index]``): "shared" when
    it denies it too or says the opposite ("not well" / "poorly"), "asserted" when it says it
    ("no benefit" / "improves"; "does not affect" / "degrades"), else None."""
    pointing = polar(first.words[index])
    if pointing is None:
        return None
    concept, value = pointing
    about = arguments(first, index)
    wanted = {concept} | (_CHANGE if concept == "change" else {"change", "retain"})
    said: str | None = None
    for overlap, word, _ in _aligned_polar(second, wanted, about):
        other, other_value = lexicon.POLAR[compound(word.text, lexicon.POLAR)]
        if not overlap:
            continue
        if ((other == "retain" and other_value > 0) or (other == "rank" and other_value == 0)) and (
            not word.negated and concept in _CHANGE | {"change"}
        ):
            return "shared"  # "did not fall" / "was maintained"; "did not differ" / "similar"
        if concept == "change" and word.text in lexicon.SLIGHT and not word.negated:
            return "shared"  # "barely affects accuracy" / "negligible impact on accuracy"
        if other == concept:
            same = other_value * value > 0 or other_value == value
            if word.negated == same:
                return "shared"
            said = "asserted"
        elif concept == "change" and other in _CHANGE and not word.negated:
            said = "asserted"
    return said


def _finding(
    agrees: bool,
    first: str,
    second: str,
    claim_first: bool,
    strength: float = 1.0,
) -> Finding:
    claim, evidence = (first, second) if claim_first else (second, first)
    return Finding("negation", agrees, claim, evidence, strength)


def _disagree(a: int, b: int) -> bool:
    return a * b < 0 or {a, b} == {0, -1}


def _directions(claim: Reading, evidence: Reading) -> list[Finding]:
    findings = []
    for i, word in enumerate(claim.words):
        pointing = polar(word)
        if (
            pointing is None
            or word.negated
            or pointing[0] == "change"
            or _object_of_polar(claim, i)
        ):
            continue
        about = arguments(claim, i)
        neighbours = _neighbours(claim, i)
        candidates = [
            (overlap, other, bool(set(neighbours) & set(_neighbours(evidence, j)) - {("", "")}))
            for overlap, other, j in _aligned_polar(evidence, {pointing[0]}, about)
            if overlap and not other.negated
        ]
        kindred = _kindred(claim, i, evidence)
        if not candidates and kindred is None:
            continue
        values = {
            lexicon.POLAR[compound(other.text, lexicon.POLAR)][1]: other.text
            for _, other, _ in candidates
        }
        if (
            any(not _disagree(pointing[1], value) for value in values)
            or (kindred is not None and kindred[0])
            or _said_further_on(pointing, about, evidence)
        ):
            findings.append(Finding("direction", True, word.text, word.text))
        elif any(o >= _DIRECTION_OVERLAP or beside for o, _, beside in candidates):
            findings.append(Finding("direction", False, word.text, next(iter(values.values()))))
        elif kindred is not None:
            findings.append(Finding("direction", False, word.text, kindred[1]))
    return findings


def _neighbours(reading: Reading, index: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """The content words right before and right after a polar word (within two words, in its
    clause, polar words skipped), each with its side: two polar words beside the same word are
    about the same thing ("*cheap* to deploy" / "*expensive* to deploy"; "converges *faster*" /
    "converges more *slowly*"). ("", "") where there is none."""
    clause = reading.words[index].clause

    def beside(words: Sequence[Word], side: str) -> tuple[str, str]:
        for word in words:
            if word.clause != clause:
                break
            if word.content and polar(word) is None:
                return side, word.stem
        return "", ""

    before = reading.words[max(0, index - 3) : index][::-1]
    return beside(before, "before"), beside(reading.words[index + 1 : index + 4], "after")


_FURTHER_ON = 8
"""Content words after a polar word that may still be what it is about, when it agrees:
a noun's object comes late ("a *reduction* due to high temperature stress in grain yield")."""


def _said_further_on(pointing: tuple[str, int], about: frozenset[str], evidence: Reading) -> bool:
    """Whether the evidence says the same direction of the same concept about the claim's
    content, reading further after its polar words than a conflict may."""
    concept, value = pointing
    return any(
        not other.negated
        and not _disagree(value, lexicon.POLAR[compound(other.text, lexicon.POLAR)][1])
        and len(arguments(evidence, j, _FURTHER_ON) & about) >= _DIRECTION_OVERLAP
        for _, other, j in _aligned_polar(evidence, {concept}, frozenset())
    )


_ALIKE = {"amount": "rank", "rank": "amount"}


def _kindred(claim: Reading, index: int, evidence: Reading) -> tuple[bool, str] | None:
    """What the evidence says of the same thing as the claim's amount or rank word, in a word
    of the kindred concept right before that thing (the words' heads are one): (agrees, the
    word). An amount is a rank of its thing, reversed for things that are better smaller:
    "more *adaptable*" / "enhances the *adaptability*" agree, "degrades the *performance*" /
    "boosts the *performance*" do not, nor "reduces the *latency*" / "worsens the *latency*"."""
    concept, value = polar(claim.words[index]) or ("", 0)
    head = _head(claim, index)
    if head is None or concept not in _ALIKE:
        return None
    sign = -1 if head in _smaller_is_better() else 1
    found: tuple[bool, str] | None = None
    for _, other, j in _aligned_polar(evidence, {_ALIKE[concept]}, frozenset()):
        if other.negated or _head(evidence, j) != head:
            continue
        other_value = lexicon.POLAR[compound(other.text, lexicon.POLAR)][1]
        rank, other_rank = (
            (value * sign, other_value)
            if concept == "amount"
            else (
                value,
                other_value * sign,
            )
        )
        agrees = not _disagree(rank, other_rank)
        if agrees or found is None:
            found = (agrees, other.text)
    return found


@lru_cache(maxsize=1)
def _smaller_is_better() -> frozenset[str]:
    return frozenset(stem(word) for word in lexicon.SMALLER_IS_BETTER)


def _head(reading: Reading, index: int) -> str | None:
    """The content word right after a polar word, if one comes within two words."""
    clause = reading.words[index].clause
    following = reading.words[index + 1 : index + 3]
    return next((w.stem for w in following if w.content and w.clause == clause), None)


def _contrasts(claim: Reading, evidence: Reading) -> list[Finding]:
    findings = []
    for i, word in enumerate(claim.words):
        entry = lexicon.CONTRAST.get(word.text)
        if entry is None or word.negated:
            continue
        about = arguments(claim, i)
        values = {
            lexicon.CONTRAST[other.text][1]: other.text
            for j, other in enumerate(evidence.words)
            if other.text in lexicon.CONTRAST
            and lexicon.CONTRAST[other.text][0] == entry[0]
            and arguments(evidence, j) & about
        }
        if not values:
            continue
        agrees = entry[1] in values
        findings.append(
            Finding("contrast", agrees, word.text, values.get(entry[1], "/".join(values.values())))
        )
    return findings


def _context(reading: Reading, index: int) -> frozenset[str]:
    words = reading.words[max(0, index - 5) : index + 6]
    return frozenset(w.stem for w in words if w.content)


def _quantities(claim: Reading, evidence: Reading) -> list[Finding]:
    findings = []
    for quantity, index in claim.quantities:
        same = [(q, j) for q, j in evidence.quantities if q.unit == quantity.unit]
        if not same:
            continue
        if any(quantity.agrees(q) for q, _ in same):
            findings.append(Finding("quantity", True, _figure(quantity), _figure(quantity)))
            continue
        # A figure of the evidence that another figure of the claim states is accounted for:
        # "316 metabolites ... 48 unknown" does not disagree with "48 metabolites were unknown".
        same = [(q, j) for q, j in same if not any(c.states(q) for c, _ in claim.quantities)]
        if not same:
            continue
        context = _context(claim, index)
        overlap, other = max(
            ((len(_context(evidence, j) & context), q) for q, j in same), key=lambda x: x[0]
        )
        if overlap:
            findings.append(Finding("quantity", False, _figure(quantity), _figure(other)))
    return findings


def _figure(quantity: Quantity) -> str:
    middle = quantity.low if quantity.high == float("inf") else (quantity.low + quantity.high) / 2
    unit = {"%": "%", "x": "x"}.get(quantity.unit, "")
    return f"{middle:g}{unit}"
