"""Sentence splitting and chunking with real (offline) token counts."""

import itertools

from assistant.corpus.fulltext import Body, Page, Span
from assistant.corpus.paper import Paper
from assistant.index.chunking import chunk_paper
from assistant.index.tokens import count_tokens
from assistant.sentences import split_sentences


def test_sentences_keep_abbreviations_decimals_and_initials() -> None:
    text = (
        "We follow Vaswani et al. in this. Accuracy rose by 3.5 points, e.g. on GLUE. "
        "J. Smith agrees! Why? (See Fig. 2.)"
    )
    assert split_sentences(text) == [
        "We follow Vaswani et al. in this.",
        "Accuracy rose by 3.5 points, e.g. on GLUE.",
        "J. Smith agrees!",
        "Why?",
        "(See Fig. 2.)",
    ]


def test_token_counts_are_cl100k() -> None:
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special tokens are plain text here


def test_a_typical_abstract_is_one_chunk_with_title_for_embedding() -> None:
    paper = Paper(title="Sparse attention", abstract="We make attention sparse. It is fast.")
    (chunk,) = chunk_paper(paper, max_tokens=320, overlap=1)
    assert chunk.text == paper.abstract
    assert (chunk.kind, chunk.section, chunk.page, chunk.start) == ("abstract", "", None, None)
    assert chunk.embed_text == "Sparse attention\n\nWe make attention sparse. It is fast."
    assert chunk.id.startswith(paper.id)


def test_long_abstracts_become_overlapping_windows_within_budget() -> None:
    sentences = [f"Sentence number {i} says something about model {i}." for i in range(60)]
    paper = Paper(title="Long", abstract=" ".join(sentences))
    chunks = chunk_paper(paper, max_tokens=100, overlap=1)
    assert len(chunks) > 3
    assert all(count_tokens(c.text) <= 100 for c in chunks)
    for before, after in itertools.pairwise(chunks):
        assert split_sentences(before.text)[-1] == split_sentences(after.text)[0]
    covered = {s for c in chunks for s in split_sentences(c.text)}
    assert covered == set(sentences)


def test_one_enormous_sentence_is_cut_at_token_boundaries() -> None:
    paper = Paper(title="Run-on", abstract="word " * 2000)
    chunks = chunk_paper(paper, max_tokens=128, overlap=1)
    assert all(count_tokens(c.text) <= 129 for c in chunks)
    assert sum(c.text.count("word") for c in chunks) == 2000


def test_ids_derive_from_content() -> None:
    paper = Paper(title="T", abstract="One sentence. Another one.")
    same = chunk_paper(paper.model_copy(), 320, 1)
    assert [c.id for c in chunk_paper(paper, 320, 1)] == [c.id for c in same]
    edited = paper.model_copy(update={"abstract": "One sentence. A changed one."})
    assert chunk_paper(edited, 320, 1)[0].id != same[0].id


def test_paper_without_abstract_is_searchable_by_title() -> None:
    (chunk,) = chunk_paper(Paper(title="Only a title"), 320, 1)
    assert chunk.text == chunk.embed_text == "Only a title"
    assert chunk.kind == "title" and chunk.page is None


def _body() -> Body:
    """Two pages: a title block, an abstract, a method section that runs over the page break,
    acknowledgements; the references are not in any span."""
    one = (
        "Sparse attention\nA. Author\n\nWe make attention sparse.\n\n"
        "We use 8 heads. Each has size 64."
    )
    two = "Training took 3 days. Thanks to the funders.\n\n[1] A reference."
    method_one = one.index("We use")
    method_two_end = two.index(" Thanks")
    spans = (
        Span("", "front", 1, 0, one.index("\n\nWe make")),
        Span("Abstract", "abstract", 1, one.index("We make"), one.index("\n\nWe use")),
        Span("2 Method", "method", 1, method_one, len(one)),
        Span("2 Method", "method", 2, 0, method_two_end),
        Span("Acknowledgements", "acknowledgements", 2, method_two_end + 1, two.index("\n\n[1]")),
    )
    return Body((Page(1, one), Page(2, two)), spans, (), (), sha256="0" * 64)


def test_body_sections_are_chunked_with_their_pages_and_offsets() -> None:
    body = _body()
    paper = Paper(title="Sparse attention", abstract="We make attention sparse.", body=body)
    abstract, method = chunk_paper(paper, max_tokens=320, overlap=1)
    assert abstract.kind == "abstract"
    assert method.kind == "body"
    assert method.text == "We use 8 heads. Each has size 64. Training took 3 days."
    assert (method.section, method.page, method.page_end) == ("2 Method", 1, 2)
    assert body.pages[0].text[method.start :].startswith("We use 8 heads.")
    assert body.pages[1].text[: method.end] == "Training took 3 days."
    assert method.embed_text == f"Sparse attention\n\n2 Method\n\n{method.text}"
    assert "funders" not in method.text and "reference" not in method.text


def test_body_windows_have_their_own_size_and_an_optional_cap() -> None:
    paper = Paper(title="Sparse attention", abstract="We make attention sparse.", body=_body())
    small = chunk_paper(paper, max_tokens=320, overlap=0, body_tokens=8)
    body = [c for c in small if c.kind == "body"]
    assert [c.text for c in body] == [
        "We use 8 heads.",
        "Each has size 64.",
        "Training took 3 days.",
    ]
    assert [c.page for c in body] == [1, 1, 2]
    capped = chunk_paper(paper, max_tokens=320, overlap=0, body_tokens=8, max_body_chunks=2)
    assert [c.kind for c in capped] == ["abstract", "body", "body"]
