"""The evaluation metrics against cases worked out by hand (trec_eval conventions)."""

import math

import pytest

from evals.metrics import (
    aligned_spans,
    boundaries,
    content_spans,
    dcg_at_k,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)

LOG2_3 = math.log2(3)  # discount at rank 2
LOG2_5 = math.log2(5)  # discount at rank 4


def test_perfect_ranking_scores_one() -> None:
    qrels = {"a": 1, "b": 1}
    ranked = ["a", "b", "x", "y"]
    assert ndcg_at_k(ranked, qrels, 10) == pytest.approx(1.0)
    assert recall_at_k(ranked, qrels, 10) == 1.0
    assert mrr_at_k(ranked, qrels, 10) == 1.0


def test_binary_case_by_hand() -> None:
    # Three relevant documents, d9 never retrieved; hits at ranks 2 and 4.
    # DCG@4  = 1/log2(3) + 1/log2(5)            = 0.63093 + 0.43068          = 1.06161
    # IDCG@4 = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.63093 + 0.5         = 2.13093
    # nDCG@4 = 1.06161 / 2.13093                                              = 0.49819
    qrels = {"d2": 1, "d4": 1, "d9": 1}
    ranked = ["d1", "d2", "d3", "d4"]
    assert ndcg_at_k(ranked, qrels, 4) == pytest.approx(
        (1 / LOG2_3 + 1 / LOG2_5) / (1 + 1 / LOG2_3 + 0.5)
    )
    assert ndcg_at_k(ranked, qrels, 4) == pytest.approx(0.49819, abs=1e-5)
    # Cut at 2: DCG = 0.63093, IDCG = 1 + 0.63093 = 1.63093 -> 0.38685.
    assert ndcg_at_k(ranked, qrels, 2) == pytest.approx(0.38685, abs=1e-5)
    assert recall_at_k(ranked, qrels, 4) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, qrels, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, qrels, 1) == 0.0
    assert mrr_at_k(ranked, qrels, 10) == 0.5
    assert mrr_at_k(ranked, qrels, 1) == 0.0


def test_graded_gain_is_linear() -> None:
    # Grades a=2, b=1, ranked b then a.
    # DCG@2  = 1/1 + 2/log2(3) = 1 + 1.26186 = 2.26186
    # IDCG@2 = 2/1 + 1/log2(3) = 2 + 0.63093 = 2.63093  -> nDCG@2 = 0.85972
    qrels = {"a": 2, "b": 1}
    assert ndcg_at_k(["b", "a"], qrels, 2) == pytest.approx(0.85972, abs=1e-5)
    assert ndcg_at_k(["a", "b"], qrels, 2) == pytest.approx(1.0)


def test_non_relevant_judgements_and_unjudged_documents_add_nothing() -> None:
    qrels = {"a": 1, "z": 0}
    assert ndcg_at_k(["z", "q", "a"], qrels, 3) == pytest.approx(0.5)  # 1/log2(4) over 1
    assert recall_at_k(["z"], qrels, 10) == 0.0
    assert mrr_at_k(["z", "q", "a"], qrels, 10) == pytest.approx(1 / 3)


def test_no_relevant_documents_scores_zero() -> None:
    for metric in (ndcg_at_k, recall_at_k, mrr_at_k):
        assert metric(["a"], {"a": 0}, 10) == 0.0
        assert metric([], {}, 10) == 0.0


def test_empty_ranking_scores_zero() -> None:
    for metric in (ndcg_at_k, recall_at_k, mrr_at_k):
        assert metric([], {"a": 1}, 10) == 0.0


def test_repeated_id_counts_once_at_its_first_rank() -> None:
    qrels = {"a": 1, "b": 1}
    # The second "a" does not push "b" out of the top 2, nor count twice.
    assert recall_at_k(["a", "a", "b"], qrels, 2) == 1.0
    assert ndcg_at_k(["a", "a", "b"], qrels, 2) == pytest.approx(1.0)


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a": 1}, 0)


def test_dcg_cuts_at_k() -> None:
    assert dcg_at_k([1, 1, 1], 1) == 1.0
    assert dcg_at_k([3, 2], 2) == pytest.approx(3 + 2 / LOG2_3)


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 90) == pytest.approx(4.6)
    assert percentile([], 50) == 0.0


def test_sentence_spans_leave_white_space_out() -> None:
    text, spans = content_spans(["A b.", " C  d. ", "E."])
    assert text == "Ab.Cd.E."
    assert spans == [(0, 3), (3, 6), (6, 8)]
    assert boundaries(spans) == {3, 6}
    assert boundaries([(0, 3)]) == set() and boundaries([]) == set()


def test_boundaries_compare_wherever_the_spaces_go() -> None:
    ours, theirs = aligned_spans(["A b. C", "d."], ["A b.", "C d."])
    assert boundaries(ours) == {4} and boundaries(theirs) == {3}


def test_predicted_spans_carried_over_when_the_texts_differ() -> None:
    """The reader kept "[1]" where the annotator left it out: offsets after it move back."""
    ours, theirs = aligned_spans(["It holds [1].", "Next one."], ["It holds.", "Next one."])
    assert boundaries(ours) == boundaries(theirs) == {8}
    ours, _ = aligned_spans(["It holds [1]. Next", "one."], ["It holds.", "Next one."])
    assert boundaries(ours) == {12}
