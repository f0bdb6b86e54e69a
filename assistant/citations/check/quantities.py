"""Quantities in a sentence, and whether two of them can be the same figure.

A quantity is a number with its unit ("43.2%", "43 percent", "5times", "2.5-fold", "3.7M
parameters", "two transformer blocks", "twice", "half") read as an interval: what the text
allows, given its rounding ("43" is 42.5-43.5), its hedge ("about", "nearly", "up to", "over",
"more than") or its range ("1.7x - 2.7x", "5 to 40 times"). Two quantities agree when they have
the same unit and their intervals overlap: "43 percent" and "43.2%" agree, "43 percent" and
"34%" do not. Numbers glued to letters (GPT-4, ResNet-50, val2017), image sizes ("256times256")
and years are names, not quantities.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "dozen": 12,
}
_FOLD_WORDS = {
    "twice": 2.0,
    "double": 2.0,
    "doubles": 2.0,
    "doubled": 2.0,
    "doubling": 2.0,
    "triple": 3.0,
    "tripled": 3.0,
    "twofold": 2.0,
    "threefold": 3.0,
    "fourfold": 4.0,
    "fivefold": 5.0,
    "tenfold": 10.0,
}
_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_PERCENT_WORDS = ("percent", "per cent", "percentage")
_FOLD_UNITS = ("x", "×", "times", "fold", "-fold")

_APPROX = (
    ("about", "about"),
    ("around", "about"),
    ("roughly", "about"),
    ("approximately", "about"),
    ("some", "about"),
    ("~", "about"),
    ("≈", "about"),
    ("circa", "about"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("close to", "nearly"),
    ("over", "over"),
    ("more than", "over"),
    ("greater than", "over"),
    ("larger than", "over"),
    ("higher than", "over"),
    ("above", "over"),
    ("at least", "over"),
    ("exceeding", "over"),
    ("up to", "upto"),
    ("as much as", "upto"),
    ("as many as", "upto"),
    ("at most", "upto"),
    ("under", "upto"),
    ("less than", "upto"),
    ("fewer than", "upto"),
    ("smaller than", "upto"),
    ("lower than", "upto"),
    ("below", "upto"),
)
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT = r"(?:\s*(?:%|percent|per cent|percentage points|-fold|fold|times|x|×)(?![a-z]))?"
_QUANTITY = re.compile(
    rf"(?<![\w.\-/])(?P<lo>{_NUMBER})(?P<scale>[kmbt](?![a-z]))?(?P<unit1>{_UNIT})"
    rf"(?:\s*(?:-|–|to|~)\s*(?P<hi>{_NUMBER})(?P<scale2>[kmbt](?![a-z]))?(?P<unit2>{_UNIT}))?"
    r"(?:\s+(?P<scaleword>thousand|million|billion|trillion)\b)?"
    r"(?:\s+(?P<next>[a-z][a-z\-]*))?",
    re.IGNORECASE,
)
_WORDY = re.compile(
    r"\b(?P<word>" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b"
    r"(?:\s+(?P<unit>times|percent|fold)\b)?(?:\s+(?P<next>[a-z][a-z\-]*))?"
    r"|\b(?P<fold>" + "|".join(_FOLD_WORDS) + r")\b"
    r"|\b(?P<half>half)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)")
_NOT_UNITS = frozenset(
    {"of", "the", "and", "or", "in", "on", "for", "with", "to", "a", "an", "is", "are", "was"}
    | {"were", "by", "at", "as", "than", "from", "which", "that", "per", "we", "our", "its"}
)


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str
    """'%' (a share, percent or a fraction), 'x' (a factor), or 'n:<word>': a count of the word
    after it ('n:' when none)."""

    start: int
    """Character offset in the sentence."""

    bound: str = ""
    """"upto" or "over" when the figure is a bound ("up to 7x", "more than 40%")."""

    point: tuple[float, float] = (0.0, 0.0)
    """The figure itself, within its rounding (no hedge, no bound)."""

    def agrees(self, other: "Quantity") -> bool:
        if self.unit != other.unit:
            return False
        if self.bound and self.bound == other.bound:  # up to 7x / up to 70x: the bounds differ
            return self.point[0] <= other.point[1] and other.point[0] <= self.point[1]
        return self.low <= other.high and other.low <= self.high

    def states(self, other: "Quantity") -> bool:
        """Whether this is the figure ``other`` is, counted things named alike or not ("48
        remained unknown" states "48 metabolites")."""
        if self.unit.startswith("n:") and other.unit.startswith("n:"):
            return self.point[0] <= other.point[1] and other.point[0] <= self.point[1]
        return self.agrees(other)


def _interval(value: float, text: str, approx: str | None) -> tuple[float, float]:
    decimals = len(text.partition(".")[2])
    slack = 0.5 * 10**-decimals
    low, high = value - slack, value + slack
    if approx == "about":
        low, high = min(low, value * 0.88), max(high, value * 1.12)
    elif approx == "nearly":
        low = min(low, value * 0.85)
    elif approx == "over":
        high = float("inf")
    elif approx == "upto":
        low = 0.0
    return low, high


def _approximation(text: str, start: int) -> str | None:
    before = text[max(0, start - 16) : start].lower().rstrip(" (")
    for word, kind in _APPROX:
        if before.endswith(word) and (
            len(before) == len(word) or not before[-len(word) - 1].isalpha()
        ):
            return kind
    return None


def _unit(unit_text: str, next_word: str | None) -> str:
    unit = unit_text.strip().lower()
    if unit.startswith("%") or unit.startswith(_PERCENT_WORDS):
        return "%"
    if unit in _FOLD_UNITS:
        return "x"
    word = (next_word or "").lower()
    if word in ("percent", "percentage"):
        return "%"
    if word in ("times", "fold", "-fold"):
        return "x"
    if word and word not in _NOT_UNITS:
        return "n:" + word.rstrip("s")[:6]
    return "n:"


@lru_cache(maxsize=65536)
def quantities(text: str) -> tuple[Quantity, ...]:
    """The quantities of a sentence, in order."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        if text[match.end("unit1") : match.end("unit1") + 1].isdigit():
            continue  # 256times256: an image size
        raw = match["lo"].replace(",", "")
        unit = _unit(match["unit1"] or match["unit2"] or "", match["next"])
        if _YEAR.fullmatch(raw) and unit.startswith("n:") and not match["hi"]:
            continue
        scale = _SCALES.get((match["scale"] or "").lower(), 1.0)
        scale *= _SCALE_WORDS.get((match["scaleword"] or "").lower(), 1.0)
        approx = _approximation(text, match.start())
        low, high = _interval(float(raw) * scale, raw, approx)
        point = _interval(float(raw) * scale, raw, None)
        if match["hi"]:
            top = match["hi"].replace(",", "")
            high = _interval(float(top) * scale, top, None)[1]
            point = (point[0], high)
        bound = approx if approx in ("upto", "over") else ""
        found.append(Quantity(low, high, unit, match.start(), bound, point))
    for match in _WORDY.finditer(text):
        approx = _approximation(text, match.start())
        if match["fold"]:
            value, unit = _FOLD_WORDS[match["fold"].lower()], "x"
        elif match["half"]:
            value, unit = 50.0, "%"
        else:
            value = float(_WORD_NUMBERS[match["word"].lower()])
            unit = _unit(match["unit"] or "", match["next"])
        point = _interval(value, "", None)
        found.append(Quantity(*_interval(value, "", approx), unit, match.start(), point=point))
    return tuple(sorted(found, key=lambda q: q.start))


def share_agreeing(wanted: tuple[Quantity, ...], found: tuple[Quantity, ...]) -> float:
    """Share of ``wanted`` quantities that agree with one of ``found``."""
    if not wanted:
        return 0.0
    return sum(any(q.agrees(f) for f in found) for q in wanted) / len(wanted)
