"""Text of a line made clean, and lines joined with their end-of-line hyphens mended.

Whether "recog-" + "nition" is one word or "two-" + "column" keeps its hyphen is decided by the
document's own vocabulary first: the joined word seen elsewhere in it joins ("GRO-" + "BID"); the
hyphenated compound seen elsewhere keeps its hyphen. Otherwise a suffix joins ("interest-" +
"ing"), and a hyphen is kept after a compound's whole word ("state-of-the-", but not "non-tar-"),
before a capital ("Bose-" + "Einstein") or another compound ("end-" + "to-end"), after the first
part of other compounds in the document ("fine-" + "tuned" beside "fine-tuning"), and after a
word of the document five letters or longer or an adverb ("automatically-" + "detected").
Anything else joins.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from assistant.corpus.normalize import clean_text

LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
SOFT_HYPHEN = "\u00ad"
_HYPHENS = ("-", "\u2010", SOFT_HYPHEN)
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_LAST_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)[-\u2010\u00ad]$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)")
_MIN_WORD = 5
"""A first half this long that is a word of the document may start a compound; shorter ones
("for-" + "mat", "per-" + "formance") are too often the first syllable of a longer word."""
_MIN_PREFIX = 4
"""Shorter first parts of compounds ("in-line", "out-of-the-box") are syllables too often."""
_SUFFIXES = frozenset(
    {"ing", "ings", "ity", "ities", "er", "ers", "ed", "es", "ation", "ations", "ality", "ment"}
    | {"ments", "ness", "able", "ible", "al", "ally", "ance", "ence", "ic", "ics", "ical", "ist"}
    | {"ists", "ism", "ize", "ized", "izing", "ise", "ised", "ive", "ous", "ory", "ary", "ure"}
    | {"ful", "less", "tion", "tions", "sion", "sions", "ly"}
)


def clean_line(text: str) -> str:
    """Ligatures expanded, accents composed, control characters and inner soft hyphens gone."""
    text = unicodedata.normalize("NFC", text.translate(LIGATURES))
    ends_soft = text.endswith(SOFT_HYPHEN)
    text = clean_text(text.replace(SOFT_HYPHEN, ""))
    return text + SOFT_HYPHEN if ends_soft else text


class Vocabulary:
    """How often each word occurs whole in a document (lower case), for mending hyphens."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.prefixes: Counter[str] = Counter()
        """First parts of the document's hyphenated words ("fine" of "fine-tune")."""

    def add(self, lines: Iterable[str]) -> None:
        """Count the words of consecutive lines, leaving out the halves of hyphenated breaks."""
        broken = False
        for line in lines:
            words = _WORD.findall(line.casefold())
            if broken and words:
                words = words[1:]
            broken = line.endswith(_HYPHENS)
            if broken and words:
                words = words[:-1]
            self.counts.update(words)
            compounds = [word.split("-") for word in words if "-" in word]
            self.counts.update(part for parts in compounds for part in parts)
            self.prefixes.update(parts[0] for parts in compounds)

    def join(self, first: str, second: str) -> str:
        """``first`` and ``second`` (consecutive lines of one paragraph) as one text."""
        if not first.endswith(_HYPHENS):
            return f"{first} {second}" if first and second else first or second
        if first.endswith(SOFT_HYPHEN):
            return first[:-1] + second
        return first[:-1] + second if self._mends(first, second) else first + second

    def _mends(self, first: str, second: str) -> bool:
        head = _LAST_WORD.search(first)
        tail = _FIRST_WORD.match(second)
        if not head or not tail:
            return False  # "10-" + "20", "(a)-" + ...: a hyphen between other things stays
        left, right = head.group(1), tail.group(1)
        if "-" in left:
            left = left.rsplit("-", 1)[1]
            if self.counts[left.casefold()]:
                return False  # "state-of-the-" + "art", "mass-to-" + "charge"
        joined = self.counts[(left + right).casefold()]
        compound = self.counts[f"{left}-{right}".casefold()]
        if joined or compound:
            return joined >= compound
        if right.casefold() in _SUFFIXES:
            return True
        if (right[0].isupper() and len(left) > 2) or second[len(right) : len(right) + 1] == "-":
            return False  # "Bose-" + "Einstein", "end-" + "to-end"
        if len(left) >= _MIN_PREFIX and self.prefixes[left.casefold()]:
            return False  # "fine-" + "tuned" where the paper writes "fine-tuning"
        adverb = len(left) > _MIN_WORD and left.endswith("ly")  # "automatically-" + "detected"
        return not (len(left) >= _MIN_WORD and (adverb or self.counts[left.casefold()]))
