"""Sentence splitting for abstracts and drafts: regex-based, abbreviation-aware, offline."""

import re

_ABBREVIATIONS = {
    "al",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "cf",
    "fig",
    "figs",
    "eq",
    "eqs",
    "sec",
    "no",
    "approx",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "resp",
    "ref",
    "refs",
    "vol",
    "pp",
    "ca",
    "viz",
}
# A sentence ends at . ! or ? (optionally followed by closing quotes/brackets), then whitespace,
# then something that can start a sentence: an upper-case letter, a digit, a quote or bracket.
_LONGEST_WORD = 32
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping abbreviations, decimals and initials together."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        # The word before the boundary; only a short one can be an abbreviation, so look no
        # further back than that (a text of many skipped boundaries stays linear).
        window = text[max(start, match.start() - _LONGEST_WORD) : match.start()]
        last_word = window.rsplit(None, 1)[-1] if window.strip() else ""
        stem = last_word.rstrip(".!?\"'”’)]").lower()
        if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
