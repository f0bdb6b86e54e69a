"""A result the user edited, read back: its sentences and citations parsed again."""

from dataclasses import replace

from assistant.citations.markers import parse_markers
from assistant.results import EVIDENCE_LABEL, CitedSentence, TaskResult


def edited(result: TaskResult, text: str) -> TaskResult:
    """The result with the user's own version of its text: sentences and citations read again
    (markers that point at no source are reported, as for a model's reply). An evidence-mode
    text keeps its layout: the label line, ``Theme: ...`` headings and one ``- `` bullet a line."""
    valid = {source.number for source in result.sources}
    evidence = result.mode == "evidence"
    headings: dict[int, str] = {}
    paragraphs: list[list[str]] = []
    for block in _blocks(text):
        if evidence and block.startswith("Theme: "):
            headings[len(paragraphs)] = block.removeprefix("Theme: ").strip()
            continue
        lines = [line.strip().removeprefix("- ") for line in block.splitlines() if line.strip()]
        paragraphs.append(lines if evidence else [" ".join(lines)])
    sentences: list[CitedSentence] = []
    invalid: list[str] = []
    for number, pieces in enumerate(paragraphs):
        for piece in pieces:
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
