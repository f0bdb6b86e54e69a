"""A result the user edited, read back: its sentences and citations parsed again."""

import re
from dataclasses import replace

from assistant.citations.markers import MARKER, Parsed, marker_numbers, parse_markers, validate
from assistant.results import EVIDENCE_LABEL, CitedSentence, TaskResult

_QUOTATION = re.compile(rf"^(?P<who>.*?)\s*(?P<marker>{MARKER.pattern}):\s*“(?P<text>.+)”$")
"""An evidence-mode line as ``markers.cite`` writes a quotation: who, marker, the quote."""


def edited(result: TaskResult, text: str) -> TaskResult:
    """The result with the user's own version of its text: sentences and citations read again
    (markers that point at no source are reported, as for a model's reply). An evidence-mode
    text keeps its layout: the label line, ``Theme: ...`` headings and one ``- `` bullet a line,
    and a line still shaped as a quotation is read as one (the check then tells whether it is
    still word for word)."""
    valid = {source.number for source in result.sources}
    evidence = result.mode == "evidence"
    headings: dict[int, str] = {}
    paragraphs: list[list[str]] = []
    for block in _blocks(text):
        if evidence and block.startswith("Theme: "):
            headings[len(paragraphs)] = block.removeprefix("Theme: ").strip()
            continue
        lines = [line.strip().removeprefix("- ") for line in block.splitlines() if line.strip()]
        paragraphs.append(lines if evidence else ["\n".join(lines)])
    sentences: list[CitedSentence] = []
    invalid: list[str] = []
    for number, pieces in enumerate(paragraphs):
        for piece in pieces:
            quote = _QUOTATION.match(piece) if evidence else None
            if quote:
                parsed = Parsed()
                numbers = marker_numbers(MARKER.sub(r"\1", quote["marker"]))
                cited = validate(numbers, valid, parsed)
                said = CitedSentence(quote["text"], cited, number, quoted_from=quote["who"])
                parsed.sentences = [said]
            else:
                parsed = parse_markers(piece, valid)
            sentences.extend(replace(s, paragraph=number) for s in parsed.sentences)
            invalid.extend(marker for marker in parsed.invalid if marker not in invalid)
    return replace(
        result, text=text, sentences=sentences, invalid_citations=invalid, headings=headings
    )


def _blocks(text: str) -> list[str]:
    body = text.strip()
    if body.startswith(EVIDENCE_LABEL):
        body = body[len(EVIDENCE_LABEL) :]
    return [block.strip() for block in body.split("\n\n") if block.strip()]
