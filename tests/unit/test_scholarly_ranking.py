"""Discovery's ranking: our similarity mixed with the API's order."""

import numpy as np

from assistant.corpus.paper import Paper
from assistant.scholarly.ranking import final_scores, relevance
from tests.fakes import HashEmbedder


def test_the_weight_moves_between_similarity_and_the_apis_order() -> None:
    similarity = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    ranks = [0, 3, None]  # the third was found by snowballing: it sits in the middle
    assert list(np.argsort(-final_scores(similarity, ranks, 0.0))) == [1, 2, 0]
    assert list(np.argsort(-final_scores(similarity, ranks, 1.0))) == [0, 2, 1]
    assert final_scores(similarity, ranks, 1.0)[2] == 0.5


def test_relevance_uses_the_question_and_the_closest_seed() -> None:
    embedder = HashEmbedder()
    near = Paper(title="routing tokens to experts", abstract="a gate routes tokens to experts")
    far = Paper(title="sourdough bread", abstract="flour water salt")
    scores = relevance(embedder, [near, far], "how are tokens routed to experts")
    assert scores[0] > scores[1]
    seeded = relevance(embedder, [near, far], None, [Paper(title="bread", abstract="flour water")])
    assert seeded[1] > seeded[0]
    assert list(relevance(embedder, [near], None)) == [0.0]
