"""Sentence segmentation of scientific writing: abstracts, replies, drafts laid out in lines."""

import json
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.sentences import sentence_spans, split_sentences

GOLD = Path(__file__).resolve().parents[2] / "evals" / "data" / "segmentation"

# One sentence each: nothing in them ends a sentence.
WHOLE = [
    "Linear attention (cf. [3]) replaces the softmax.",
    "As Fig. 2 and Figs. 3-4 show, the gap closes.",
    "See Tab. 3 and Table 4 for the numbers.",
    "Eq. (3) and Eqs. (4)-(5) give the bound.",
    "Sec. 4.1 and Sect. 5 derive the chunked form.",
    "Ours vs. theirs: approx. 5% better (resp. 3% on the small set).",
    "Report No. 5 lists Ref. 7 and Refs. 8-9.",
    "Dr. Smith agrees with Prof. Lee and Ms. Chen.",
    "J. R. R. Tolkien never met A. Vaswani.",
    "Vaswani et al. introduced multi-head attention.",
    "Smith et al. (2020) report the same.",
    "Encoders, e.g. BERT, i.e. bidirectional models, w.r.t. the decoder.",
    "Accuracy rose from 0.5 to .75 with v1.2.3 of the code.",
    "The data are i.i.d. and labelled.",
    "Results were mixed... and noisy.",
    "In S. cerevisiae and E. coli the rate is low.",
    "On p. 3 we e. g. show it.",
    "Is it fast? and is it exact?",
    "It holds (see [@a] and (Lee 2019)) in all cases [@b].",
]


@pytest.mark.parametrize("text", WHOLE)
def test_abbreviations_initials_and_numbers_end_nothing(text: str) -> None:
    assert split_sentences(text) == [text]


NAMES = ["iTransformer", "word2vec", "mBERT", "t-SNE", "xLSTM", "k-means", "β-VAE", "fastText"]
SYMBOLS = ["3D models", "12 of 40 runs", "$k$-NN", "∇f", "@smith2020", r"\citet{a}", "(2) We"]


@pytest.mark.parametrize("start", NAMES + SYMBOLS)
def test_a_sentence_may_start_with_a_lower_case_name_a_digit_or_a_symbol(start: str) -> None:
    first, second = "Mamba drops attention entirely [@gu2023mamba].", f"{start} follows [@b]."
    assert split_sentences(f"{first} {second}") == [first, second]
    assert split_sentences(f"{first}\n{second}") == [first, second]


@pytest.mark.parametrize(
    "text",
    [
        "We used Python 3.11. Training took 3 days.",
        "Each run used 10 mg. Then the samples were frozen.",
        "Levels rose at 24 h. Concomitant with this, protein rose.",
        "The data are at https://doi.org/10.1000/xyz. The code is open.",
        'They call it "a free lunch." Later work disputes it.',
        "(See Fig. 5 for the curves.) The gap persists.",
        "Results were mixed... Some runs diverged.",
        "This was proposed by Smith et al. The idea spread.",
        "In the U.S. most compute is rented. It costs less in 2024.",
        "Is it fast? We measure it.",
        "Les transformeurs sont rapides. Ils sont simples.",
    ],
)
def test_two_sentences(text: str) -> None:
    assert len(split_sentences(text)) == 2
    assert " ".join(split_sentences(text)) == text


CITATIONS = [
    "[3]",
    "[3-5]",
    "[3, 5]",
    "[[3]]",
    "[@a; @b]",
    "[@a, p. 3]",
    "[see @a, sec. 2; also @b]",
    r"\cite{a,b}",
    r"\citep[p.~4]{a}",
    r"\cites[3]{a}[4]{b}",
    "(Smith et al., 2020)",
    "(Smith et al. 2020; Lee 2019)",
    "(van der Maaten and Hinton, 2008)",
]


@pytest.mark.parametrize("citation", CITATIONS)
def test_a_citation_before_or_after_the_full_stop_stays_with_its_sentence(citation: str) -> None:
    before = f"Mamba drops attention entirely {citation}. iTransformer embeds variates."
    assert split_sentences(before) == [
        f"Mamba drops attention entirely {citation}.",
        "iTransformer embeds variates.",
    ]
    after = f"Mamba drops attention entirely. {citation} Next comes iTransformer."
    assert split_sentences(after) == [
        f"Mamba drops attention entirely. {citation}",
        "Next comes iTransformer.",
    ]
    glued = f"Mamba drops attention entirely.{citation} iTransformer follows."
    assert split_sentences(glued)[1] == "iTransformer follows."


def test_a_citation_that_is_the_next_sentences_subject_opens_it() -> None:
    assert split_sentences("Mamba drops attention. [3] show that it fails. [4] agree.") == [
        "Mamba drops attention.",
        "[3] show that it fails.",
        "[4] agree.",
    ]
    assert split_sentences("Smith et al. [3] show it.") == ["Smith et al. [3] show it."]
    text = "It scales linearly. [1][2]\n[3] show that hybrids work best."
    assert split_sentences(text) == [
        "It scales linearly. [1][2]",
        "[3] show that hybrids work best.",
    ]


def test_cjk_sentences_end_at_their_own_stops() -> None:
    text = "多头注意力并行计算注意力[1]。稀疏注意力降低了成本！这是否适用于所有任务？ It is open."
    assert split_sentences(text) == [
        "多头注意力并行计算注意力[1]。",
        "稀疏注意力降低了成本！",
        "这是否适用于所有任务？",
        "It is open.",
    ]


def test_a_blank_line_always_ends_a_sentence_a_single_line_break_only_in_hard_mode() -> None:
    assert split_sentences("It holds\n\nthe next one") == ["It holds", "the next one"]
    assert split_sentences("It holds [1].\nthe next one [2].") == [
        "It holds [1].\nthe next one [2]."
    ]
    assert split_sentences("It holds [1].\nthe next one [2].", hard_breaks=True) == [
        "It holds [1].",
        "the next one [2].",
    ]


def test_hard_breaks_list_items_headings_and_quotes_start_sentences_without_their_marks() -> None:
    text = (
        "## Summary\nThree families address the cost:\n- Sparse patterns [1].\n"
        "- kernel methods replace the softmax [2]\n* fastText is a baseline\n"
        "1. Performer uses random features.\n2) cosFormer re-weights.\n> Quoted [3].\nEnd."
    )
    assert split_sentences(text, hard_breaks=True) == [
        "Summary",
        "Three families address the cost:",
        "Sparse patterns [1].",
        "kernel methods replace the softmax [2]",
        "fastText is a baseline",
        "Performer uses random features.",
        "cosFormer re-weights.",
        "Quoted [3].",
        "End.",
    ]


def test_hard_breaks_lines_without_full_stops() -> None:
    lines = (
        "Transformers rely on attention [1]\nConvolutions mix a window [2]\n"
        "recurrent models carry a state [3]"
    )
    assert split_sentences(lines, hard_breaks=True) == lines.split("\n")
    uncited = "Transformers rely on attention\nConvolutions mix a window"
    assert split_sentences(uncited, hard_breaks=True) == uncited.split("\n")
    wrapped = "fastText classifies text with bags of\ncharacter n-grams [1]"
    assert split_sentences(wrapped, hard_breaks=True) == [wrapped]
    mixed = "It is long. A line ends with a citation [1]\nThe next line starts a sentence."
    assert split_sentences(mixed, hard_breaks=True) == [
        "It is long.",
        "A line ends with a citation [1]",
        "The next line starts a sentence.",
    ]


def test_spans_are_offsets_into_the_text_with_white_space_trimmed() -> None:
    text = "  Mamba drops attention [1].\n  iTransformer embeds variates.  "
    spans = sentence_spans(text)
    assert spans == [(2, 28), (31, 60)]
    assert [text[a:b] for a, b in spans] == split_sentences(text)
    assert sentence_spans("") == [] and sentence_spans(" \n\n ") == []


def test_nothing_is_cut_for_length() -> None:
    long = "word " * 2_000 + "end."
    assert split_sentences(f"{long} Next one.") == [long, "Next one."]


def test_the_gold_set_texts_are_covered_in_order() -> None:
    """Every character of a gold passage that is not white space is in exactly one span."""
    for part in ("dev", "test"):
        for line in (GOLD / f"{part}.jsonl").open(encoding="utf-8"):
            text = json.loads(line)["text"]
            spans = sentence_spans(text)
            assert all(a < b <= c for (a, b), (c, _) in pairwise(spans))
            covered = "".join(text[a:b] for a, b in spans)
            assert "".join(covered.split()) == "".join(text.split())
