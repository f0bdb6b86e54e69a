"""The answer view's pieces: citation markers as links while streaming, sentences with marks."""

from assistant.results import CitedSentence, TaskResult
from assistant.tui.widgets.answer_view import MarkerLinks
from assistant.tui.widgets.cited_text import CitedText


def test_markers_become_links_even_split_across_pieces() -> None:
    links = MarkerLinks()
    pieces = ["Dense retrieval wins [", "1]. Fusion [2, ", "3] helps", " [4"]
    streamed = "".join(links.feed(piece) for piece in pieces) + links.close()
    assert streamed == (
        "Dense retrieval wins [\\[1\\]](cite:1). Fusion [\\[2, 3\\]](cite:2) helps "
        "[4"  # never closed: left as it is
    )


def test_a_bracket_that_is_no_marker_is_not_held() -> None:
    links = MarkerLinks()
    assert links.feed("see [the appendix") == "see [the appendix"
    assert links.feed(" and [12") == " and "
    assert links.feed("]") == "[\\[12\\]](cite:12)"


def test_citations_are_listed_in_reading_order() -> None:
    result = TaskResult(
        "answer",
        "q",
        "llm",
        [],
        sentences=[
            CitedSentence("One.", [2, 1]),
            CitedSentence("Two.", []),
            CitedSentence("Three.", [1]),
        ],
    )
    cited = CitedText(result)
    assert [(c.sentence, c.number) for c in cited.citations] == [(0, 2), (0, 1), (2, 1)]
