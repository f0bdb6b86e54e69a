"""Citation markers in generated text: ``[1]``, ``[1, 3]``, ``[1-3]``, ``[1][2]``, ``[[12]]``,
and with the pages of a full-text source: ``[3, p. 6]``, ``[3, pp. 6-7; 5]``.

A marker may cite only the sources that were given. ``parse_markers`` turns a finished reply into
``CitedSentence``s (markers out of the text, their numbers in ``citations``) and reports every
number that points at no given source; such a number is dropped, never shown as a citation.
``MarkerStream`` does the same to a reply while it streams, so what the user watches never shows
an invalid marker either. The reply is split as text laid out in lines (``split_sentences`` with
hard breaks: list items and lines that end a sentence are never joined); a marker after a full
stop ("… long inputs. [2] Later work …") belongs to the sentence before it, unless it is the
next sentence's subject ("… long inputs. [2] show that …"). A citation by key (``[@smith2020]``,
Pandoc's form) names no given source, so it is always removed and reported the same way.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from assistant.results import CitedSentence
from assistant.sentences import split_sentences

_PAGES = r"pp?\.\s*(\d{1,5}(?:\s*[-–]\s*\d{1,5})?)"
_ENTRY = rf"\d{{1,6}}(?:\s*,\s*{_PAGES.replace('(', '(?:', 1)})?"
MARKER = re.compile(rf"\[\[?\s*({_ENTRY}(?:\s*(?:[-–—,;]|and)\s*{_ENTRY})*)\s*\]\]?")
"""One bracketed group of source numbers, each perhaps with its pages, in single or double
brackets."""
_CITED = re.compile(
    rf"(\d{{1,6}})(?:\s*[-–—]\s*(\d{{1,6}})(?!\d)(?!\s*,\s*pp?\.))?(?:\s*,\s*{_PAGES})?"
)
"""One entry of a marker's body: a number (or a range of them), perhaps with its pages."""

KEY_MARKER = re.compile(r"\[\s*-?@[^\s\[\]@;,]+(?:\s*[;,]\s*-?@[^\s\[\]@;,]+)*\s*\]")
"""A citation by key: ``[@key]``, ``[@a; @b]``. Sources are cited by number, never this way."""

_MARKER_BODY = r"[\d\s,;\-–—andp.]"
"""What a marker's brackets may hold."""

OPEN_MARKER = re.compile(rf"\[\[?{_MARKER_BODY}*\Z")
"""The start of a marker still being streamed: a bracket and what a marker may hold."""

MAX_RANGE = 100
"""A range wider than this (``[1-100000]``) is read as its two ends, never expanded."""

# The patterns that start with white space start only where a run of it starts (``(?<!\s)``):
# tried at every space of a long run, each try would scan to its end, at the run's square cost.
_TAIL = re.compile(rf"(?<!\s)\s*(?:\[\[?{_MARKER_BODY}*\]?\]?|\[\s*-?@[^\[\]\n]*)?\Z")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)\]}”’。！？，、；：）])")
_END_PUNCT = re.compile(r"[.!?…][\"'”’)\]]*\Z")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACED_KEY_MARKER = re.compile(rf"(?<!\s)\s*{KEY_MARKER.pattern}")
_SPACED_MARKER = re.compile(rf"(?<!\s)\s*{MARKER.pattern}")
_MARKER_RUN = re.compile(rf"(?:(?:{MARKER.pattern}|{KEY_MARKER.pattern})\s*)+")


@dataclass
class Parsed:
    sentences: list[CitedSentence] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    """Each number that pointed at no given source, as ``[n]``, once, in order of appearance."""

    _rejected: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
    """``invalid`` as a set, so that a reply citing thousands of wrong numbers stays linear."""

    def __post_init__(self) -> None:
        self._rejected.update(self.invalid)

    def reject(self, number: int | str) -> None:
        """Report a source number (or a whole citation by key, as written)."""
        label = number if isinstance(number, str) else f"[{number}]"
        if label not in self._rejected:
            self._rejected.add(label)
            self.invalid.append(label)


def unmark(text: str) -> str:
    """``text`` with each run of citation-marker look-alikes replaced by ``(ref.)``."""
    return _MARKER_RUN.sub(_refs, text)


def _refs(match: re.Match[str]) -> str:
    return "(ref.) " if match.group(0)[-1:].isspace() else "(ref.)"


_PAGE_SPAN = re.compile(r"\d{1,5}(?:\s*[-–]\s*\d{1,5})?")


def page_span(text: str) -> str:
    """A page or page range as citewise writes it ("6", "6-7"); "" for anything else."""
    text = text.strip()
    return re.sub(r"\s*[-–]\s*", "-", text) if _PAGE_SPAN.fullmatch(text) else ""


def marker_citations(body: str) -> list[tuple[int, str]]:
    """What one marker's body cites: each source number with the pages it names ("" for
    none, else "6" or "6-7"), ranges of sources expanded: ``"1-3, 5, p. 4"`` -> ``[(1, ""),
    (2, ""), (3, ""), (5, "4")]``."""
    cited: list[tuple[int, str]] = []
    for match in _CITED.finditer(body):
        first, last, pages = match.group(1), match.group(2), match.group(3)
        pages = page_span(pages or "")
        if last is None:
            cited.append((int(first), pages))
        elif 0 <= int(last) - int(first) <= MAX_RANGE:
            cited.extend((n, "") for n in range(int(first), int(last) + 1))
        else:  # read as its two ends
            cited.extend([(int(first), ""), (int(last), pages)])
    return cited


def marker_numbers(body: str) -> list[int]:
    """The numbers one marker's body names, ranges expanded: ``"1-3, 5"`` -> ``[1, 2, 3, 5]``."""
    return [number for number, _ in marker_citations(body)]


def validate(numbers: Iterable[int], valid: Collection[int], parsed: Parsed) -> list[int]:
    """The numbers that are given sources, sorted and unique; the others go to ``parsed``."""
    kept: set[int] = set()
    for number in numbers:
        if number in valid:
            kept.add(number)
        else:
            parsed.reject(number)
    return sorted(kept)


def strip_markers(text: str) -> tuple[str, list[int]]:
    """``text`` without its markers (and the spaces they leave), and every number they named."""
    stripped, cited = strip_citations(text)
    return stripped, [number for number, _ in cited]


def strip_citations(text: str) -> tuple[str, list[tuple[int, str]]]:
    """``text`` without its markers, and what they cited: source numbers with their pages."""
    cited: list[tuple[int, str]] = []
    for match in MARKER.finditer(text):
        cited.extend(marker_citations(match.group(1)))
    return tidy(MARKER.sub(" ", text)), cited


def pages_of(cited: Iterable[tuple[int, str]], kept: Collection[int]) -> dict[int, str]:
    """The pages cited for the numbers kept (the first pages named for each)."""
    pages: dict[int, str] = {}
    for number, named in cited:
        if named and number in kept:
            pages.setdefault(number, named)
    return pages


def tidy(text: str) -> str:
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))


def parse_markers(text: str, valid: Collection[int]) -> Parsed:
    """Sentences of a reply with inline markers; blank lines separate paragraphs."""
    parsed = Parsed()
    for paragraph, block in enumerate(p for p in _PARAGRAPH.split(text) if p.strip()):
        for sentence in split_sentences(block, hard_breaks=True):
            add_sentence(parsed, sentence, [], paragraph, valid, leading_to_previous=False)
    return parsed


def add_sentence(
    parsed: Parsed,
    raw: str,
    citations: Iterable[int],
    paragraph: int,
    valid: Collection[int],
    *,
    leading_to_previous: bool = True,
    pages: Mapping[int, str] | None = None,
) -> None:
    """Add one sentence, reading and removing the markers inside it. A sentence of nothing but
    markers goes to the previous sentence of the paragraph, and so do the markers before its
    first word when ``leading_to_previous`` (a sentence the model delimited itself; the splitter
    has already placed those of a reply it split). Citations by key are removed and reported.
    ``pages``: the pages of ``citations`` given apart from the text (structured output)."""
    for key_marker in KEY_MARKER.finditer(raw):
        parsed.reject(" ".join(key_marker.group(0).split()))
    raw = KEY_MARKER.sub(" ", raw)
    lead = re.match(rf"(?:\s*{MARKER.pattern})+", raw) if leading_to_previous else None
    previous = parsed.sentences[-1] if parsed.sentences else None
    if lead and previous is not None and previous.paragraph == paragraph:
        _, led = strip_citations(lead.group(0))
        parsed.sentences[-1] = _cited_more(previous, led, valid, parsed)
        raw = raw[lead.end() :]
    text, found = strip_citations(raw)
    found = [*found, *(pages or {}).items()]
    numbers = validate([*citations, *(n for n, _ in found)], valid, parsed)
    if text.strip(" .,;:"):
        parsed.sentences.append(
            CitedSentence(text, numbers, paragraph, pages=pages_of(found, numbers))
        )
    elif numbers and parsed.sentences:
        parsed.sentences[-1] = _cited_more(parsed.sentences[-1], found, valid, parsed)


def _cited_more(
    sentence: CitedSentence, cited: list[tuple[int, str]], valid: Collection[int], parsed: Parsed
) -> CitedSentence:
    """``sentence`` citing ``cited`` too (the valid ones)."""
    numbers = validate([*sentence.citations, *(n for n, _ in cited)], valid, parsed)
    pages = sentence.pages | {
        n: p for n, p in pages_of(cited, numbers).items() if n not in sentence.pages
    }
    return replace(sentence, citations=numbers, pages=pages)


def format_marker(citations: Iterable[int], pages: Mapping[int, str] | None = None) -> str:
    """``[1, 3]``; with pages, entries apart by semicolons: ``[3, p. 6; 5, pp. 2-3]``."""
    numbers = sorted(set(citations))
    if not numbers:
        return ""
    if not pages or not any(pages.get(n) for n in numbers):
        return f"[{', '.join(map(str, numbers))}]"
    return f"[{'; '.join(str(n) + page_locator(pages.get(n, ''), ', ') for n in numbers)}]"


def page_locator(pages: str, before: str = "") -> str:
    """``"6"`` -> ``"p. 6"``, ``"6-7"`` -> ``"pp. 6-7"`` (after ``before``); "" for none."""
    if not pages:
        return ""
    return f"{before}{'pp.' if '-' in pages else 'p.'} {pages}"


def with_marker(text: str, citations: Iterable[int], pages: Mapping[int, str] | None = None) -> str:
    """The sentence with its marker placed before the closing punctuation: ``"… inputs [2]."``."""
    return place(text, format_marker(citations, pages))


def place(text: str, marker: str, separator: str = " ") -> str:
    """``marker`` (any citation form) before the sentence's closing punctuation, if any."""
    if not marker:
        return text
    end = _END_PUNCT.search(text)
    cut = end.start() if end is not None else len(text)
    return f"{text[:cut]}{separator}{marker}{text[cut:]}"


def cite(sentence: CitedSentence, marker: str, separator: str = " ") -> str:
    """The sentence as shown with its citation ``marker`` (any form): a quotation after who
    wrote it (``Kitaev et al. [1]: “We propose …”``), any other sentence with the marker before
    its closing punctuation."""
    if sentence.quoted_from is None:
        return place(sentence.text, marker, separator)
    who = f"{sentence.quoted_from}{separator}{marker}" if sentence.quoted_from else marker
    return f"{who}: “{sentence.text}”"


def render(sentences: Iterable[CitedSentence]) -> str:
    """Sentences back into prose with markers, paragraphs separated by a blank line."""
    paragraphs: dict[int, list[str]] = {}
    for sentence in sentences:
        paragraphs.setdefault(sentence.paragraph, []).append(
            cite(sentence, format_marker(sentence.citations, sentence.pages))
        )
    return "\n\n".join(" ".join(p) for p in paragraphs.values())


class MarkerStream:
    """Streamed text in, the same text out with invalid markers removed; ``finish`` parses it.

    A trailing piece that may still become a marker (``"… inputs [1"``), and the white space
    before it, is held back until the next piece settles it or ``close`` flushes it.
    """

    def __init__(self, valid: Collection[int]) -> None:
        self.valid = valid
        self._pending = ""
        self._raw: list[str] = []

    def feed(self, piece: str) -> str:
        self._raw.append(piece)
        text = self._pending + piece
        tail = _TAIL.search(text)
        cut = tail.start() if tail is not None and len(text) - tail.start() <= 64 else len(text)
        self._pending = text[cut:]
        return self._clean(text[:cut])

    def close(self) -> str:
        """What is still held back, at the end of the stream (or of a sentence)."""
        text, self._pending = self._pending, ""
        return self._clean(text)

    def finish(self) -> Parsed:
        """Everything fed, as checked sentences."""
        return parse_markers("".join(self._raw), self.valid)

    def _clean(self, text: str) -> str:
        text = _SPACED_KEY_MARKER.sub("", text)
        return _SPACED_MARKER.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        cited = marker_citations(match.group(1))
        kept = sorted({n for n, _ in cited if n in self.valid})
        if not kept:
            return ""
        space = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{space}{format_marker(kept, pages_of(cited, kept))}"
