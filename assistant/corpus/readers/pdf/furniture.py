"""Page furniture: running headers and footers, page numbers, arXiv stamps.

A line near the top or bottom edge of a page whose text, digits aside, comes back at the edge of
many pages is a running header or footer ("2 TIMP: Modeling ... in R", "PLOS ONE | https://doi.org
/... June 13, 2018"). A bare page number ("7", "Page 2 of 10", "1 / 21") at an edge goes whatever
it repeats, and so does an arXiv identifier stamp wherever it is.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence

from assistant.corpus.readers.pdf.layout import Placed

EDGE = 0.12
"""The top and bottom eighth of a page are where running headers and footers live (JSS sets
its header 76 pt below the top of an A4 page)."""
_MIN_SHARE = 0.3
"""A running line is on at least this share of the pages (odd and even ones alternate)..."""
_MIN_PAGES = 2
"""...and on at least this many."""
_PAGE_NUMBER = re.compile(r"^(?:page)?(?:#|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))(?:(?:/|of)#)?$")
"""A page number's key: "7", "vii", "Page 2 of 10", "1 / 21"."""
ARXIV_STAMP = re.compile(
    r"^arXiv:\s*(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\s*\[[^\]]+\]\s*"
    r"\d{1,2}\s+\w{3}\s+\d{4}$"
)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def furniture(pages: Sequence[tuple[float, Sequence[Placed]]]) -> list[set[int]]:
    """For each page (its height and lines), the indices of the lines that are furniture.

    A line at an edge is matched whole and by its parts (a footer and the page number beside
    it are one row on most pages, two lines where a table splits the page into columns)."""
    keys: list[dict[int, set[str]]] = []
    for height, lines in pages:
        keys.append(
            {index: _keys(placed) for index, placed in enumerate(lines) if _at_edge(placed, height)}
        )
    seen = Counter(key for page in keys for key in set().union(*page.values()))
    needed = max(_MIN_PAGES, math.ceil(_MIN_SHARE * len(pages)))

    def running(key: str) -> bool:
        return seen[key] >= needed or bool(_PAGE_NUMBER.match(key))

    dropped: list[set[int]] = []
    for (_, lines), edge in zip(pages, keys, strict=True):
        drop = {
            index
            for index in edge
            if running(_key(lines[index].line.text))
            or all(running(_key(part)) for part in lines[index].parts)
        }
        drop |= {index for index, p in enumerate(lines) if ARXIV_STAMP.match(p.line.text)}
        dropped.append(drop)
    return dropped


def _at_edge(placed: Placed, height: float) -> bool:
    line = placed.line
    return line.bottom < EDGE * height or line.top > (1 - EDGE) * height


def _keys(placed: Placed) -> set[str]:
    return {_key(placed.line.text), *map(_key, placed.parts)}


def _key(text: str) -> str:
    """The text with its digits as "#" and no spaces: a page number matches any other."""
    return _SPACE.sub("", _DIGITS.sub("#", text.casefold()))
