"""Citation markers and structured replies: parsing, validation, streaming display."""

import json

import pytest

from assistant.citations.markers import (
    MarkerStream,
    Parsed,
    marker_numbers,
    parse_markers,
    render,
    with_marker,
)
from assistant.citations.structured import (
    CitedTextOut,
    JsonSentenceStream,
    ReplyStream,
    json_schema,
)
from assistant.results import CitedSentence

VALID = {1, 2, 3, 4}


def streamed(reader: MarkerStream | JsonSentenceStream | ReplyStream, text: str, size: int) -> str:
    pieces = [reader.feed(text[i : i + size]) for i in range(0, len(text), size)]
    return "".join(pieces) + reader.close()


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        ("1", [1]),
        ("1, 3", [1, 3]),
        ("1-3", [1, 2, 3]),
        ("2–4; 7", [2, 3, 4, 7]),
        ("1 and 2", [1, 2]),
        ("1-100000", [1, 100000]),  # never expanded
    ],
)
def test_marker_numbers(body: str, numbers: list[int]) -> None:
    assert marker_numbers(body) == numbers


def test_markers_forms_are_read_and_removed_from_the_text() -> None:
    parsed = parse_markers(
        "Sparse attention scales [1]. Experts route tokens [1, 3]. "
        "State space models compete [2-4]. Both hold [1][2].",
        VALID,
    )
    assert [(s.text, s.citations) for s in parsed.sentences] == [
        ("Sparse attention scales.", [1]),
        ("Experts route tokens.", [1, 3]),
        ("State space models compete.", [2, 3, 4]),
        ("Both hold.", [1, 2]),
    ]
    assert parsed.invalid == []


def test_invalid_markers_are_removed_and_reported() -> None:
    parsed = parse_markers(
        "Attention is sparse [1, 9]. Routing is learned [[12]]. Done [0].", VALID
    )
    assert [(s.text, s.citations) for s in parsed.sentences] == [
        ("Attention is sparse.", [1]),
        ("Routing is learned.", []),
        ("Done.", []),
    ]
    assert parsed.invalid == ["[9]", "[12]", "[0]"]
    assert not any("[" in s.text for s in parsed.sentences)


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    parsed = parse_markers("Attention is sparse. [2] Routing is learned [3].\n\n[4]", VALID)
    assert [(s.text, s.citations, s.paragraph) for s in parsed.sentences] == [
        ("Attention is sparse.", [2], 0),
        ("Routing is learned.", [3, 4], 0),  # a paragraph of markers only cites the last claim
    ]


def test_a_marker_that_is_the_next_sentences_subject_opens_it() -> None:
    parsed = parse_markers("Mamba removes attention. [1][2]\n[3] show that hybrids work.", VALID)
    assert [(s.text, s.citations) for s in parsed.sentences] == [
        ("Mamba removes attention.", [1, 2]),
        ("show that hybrids work.", [3]),
    ]


def test_a_reply_laid_out_in_lines_never_joins_two_cited_sentences() -> None:
    reply = (
        "Three families address the cost:\n- Sparse patterns restrict pairs [1].\n"
        "- kernel methods replace the softmax [2].\n1. iTransformer inverts the axes [3]\n"
        "2. xLSTM uses a matrix memory [4]\n\nSparse attention cuts the cost [1]\n"
        "Linear attention removes the softmax [2]\nstate space models recur [3]"
    )
    parsed = parse_markers(reply, VALID)
    assert [(s.text, s.citations, s.paragraph) for s in parsed.sentences] == [
        ("Three families address the cost:", [], 0),
        ("Sparse patterns restrict pairs.", [1], 0),
        ("kernel methods replace the softmax.", [2], 0),
        ("iTransformer inverts the axes", [3], 0),
        ("xLSTM uses a matrix memory", [4], 0),
        ("Sparse attention cuts the cost", [1], 1),
        ("Linear attention removes the softmax", [2], 1),
        ("state space models recur", [3], 1),
    ]


def test_abbreviations_in_a_reply_end_no_sentence() -> None:
    parsed = parse_markers(
        "Gu et al. propose S4 [1]. S5 simplifies it [2], cf. DSS [3]. It reaches 86.1% vs. "
        "72.4% (Tab. 2 in [1]).",
        VALID,
    )
    assert [(s.text, s.citations) for s in parsed.sentences] == [
        ("Gu et al. propose S4.", [1]),
        ("S5 simplifies it, cf. DSS.", [2, 3]),
        ("It reaches 86.1% vs. 72.4% (Tab. 2 in).", [1]),
    ]


def test_paragraphs_are_kept_and_render_round_trips() -> None:
    text = "Attention is sparse [1].\n\nRouting is learned [2, 3]."
    parsed = parse_markers(text, VALID)
    assert [s.paragraph for s in parsed.sentences] == [0, 1]
    assert render(parsed.sentences) == text
    assert with_marker('It is "fast".', [2]) == 'It is "fast" [2].'


@pytest.mark.parametrize("size", [1, 2, 5, 100])
def test_marker_stream_never_shows_an_invalid_marker(size: int) -> None:
    text = "Attention is sparse [1]. It scales [9]. Experts [2, 99] route [[7]] tokens [3"
    shown = streamed(MarkerStream(VALID), text, size)
    assert shown == "Attention is sparse [1]. It scales. Experts [2] route tokens [3"


def test_marker_stream_finish_parses_what_was_fed() -> None:
    stream = MarkerStream(VALID)
    streamed(stream, "A claim [1]. A bad one [8].", 3)
    parsed = stream.finish()
    assert [s.citations for s in parsed.sentences] == [[1], []]
    assert parsed.invalid == ["[8]"]


REPLY = {
    "paragraphs": [
        {
            "sentences": [
                {"text": 'Sparse attention scales "well".', "citations": [1], "pages": [""]},
                {"citations": [2, 9], "text": "Café routers [7] pick experts 😀.", "pages": []},
            ]
        },
        {"sentences": [{"text": "A second \\ paragraph\nhere.", "citations": [3, 3]}]},
    ]
}


@pytest.mark.parametrize("size", [1, 3, 17, 10_000])
def test_json_stream_shows_readable_text_with_valid_markers(size: int) -> None:
    raw = json.dumps(REPLY)  # ASCII escapes, split anywhere
    shown = streamed(JsonSentenceStream(VALID), raw, size)
    assert shown == (
        'Sparse attention scales "well" [1]. Café routers pick experts 😀 [2].'
        "\n\nA second \\ paragraph\nhere [3]."
    )


def parse_json_text(raw: str, valid: set[int]) -> Parsed:
    """A whole structured reply read at once."""
    stream = JsonSentenceStream(valid)
    stream.feed(raw)
    stream.close()
    return stream.finish()


def test_json_reply_parses_to_checked_sentences() -> None:
    parsed = parse_json_text(json.dumps(REPLY, ensure_ascii=False), VALID)
    assert parsed.sentences == [
        CitedSentence('Sparse attention scales "well".', [1], 0),
        CitedSentence("Café routers pick experts 😀.", [2], 0),
        CitedSentence("A second \\ paragraph here.", [3], 1),
    ]
    assert parsed.invalid == ["[9]", "[7]"]


def test_json_pages_go_to_their_citations_and_into_the_marker() -> None:
    sentence = {
        "text": "Heat cut grain yield.",
        "citations": [2, 1, 3],
        "pages": ["6 – 7", "", "x"],
    }
    raw = json.dumps({"paragraphs": [{"sentences": [sentence]}]})
    assert streamed(JsonSentenceStream(VALID), raw, 5) == "Heat cut grain yield [1; 2, pp. 6-7; 3]."
    (parsed,) = parse_json_text(raw, VALID).sentences
    assert parsed.citations == [1, 2, 3] and parsed.pages == {2: "6-7"}  # "x" is no page
    CitedTextOut.model_validate({"paragraphs": [{"sentences": [sentence]}]})


def test_a_truncated_json_reply_keeps_what_arrived() -> None:
    raw = json.dumps(REPLY, ensure_ascii=False)
    parsed = parse_json_text(raw[: raw.index("Caf") + 8], VALID)
    assert [s.text for s in parsed.sentences] == ['Sparse attention scales "well".', "Café rou"]


def test_reply_stream_falls_back_to_markers_when_the_server_ignored_the_schema() -> None:
    prose = ReplyStream(VALID)
    assert (
        streamed(prose, "Plain prose [1] with a bad marker [5].", 4)
        == "Plain prose [1] with a bad marker."
    )
    assert not prose.structured
    assert prose.finish().invalid == ["[5]"]
    fenced = ReplyStream(VALID)
    assert streamed(fenced, "```json\n" + json.dumps(REPLY) + "\n```", 6).startswith("Sparse")
    assert fenced.structured


def test_the_schema_is_strict_and_matches_the_model() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["paragraphs"]
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values())
    assert schema["$defs"]["SentenceOut"]["required"] == ["text", "citations", "pages"]
    CitedTextOut.model_validate(
        {"paragraphs": [{"sentences": [{"text": "A.", "citations": [1], "pages": ["3"]}]}]}
    )
