"""Sentence splitting and chunking with real (offline) token counts."""

import itertools

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
