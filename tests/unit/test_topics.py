"""Topics: k-means, PCA to 2-D, class tf-idf labels, and the map of a real (test) library."""

import numpy as np

from assistant.corpus.paper import Paper
from assistant.topics import default_k, pca_2d, top_terms, topic_map
from assistant.vectors import kmeans


def blobs() -> np.ndarray:
    rng = np.random.default_rng(1)
    centres = np.array([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0]])
    return np.vstack([c + rng.normal(0, 0.3, (20, 3)) for c in centres])


def test_kmeans_finds_separated_groups_deterministically() -> None:
    labels = kmeans(blobs(), 3)
    groups = [set(labels[i * 20 : (i + 1) * 20].tolist()) for i in range(3)]
    assert all(len(g) == 1 for g in groups) and len(set.union(*groups)) == 3
    assert np.array_equal(labels, kmeans(blobs(), 3))


def test_kmeans_with_more_clusters_than_points() -> None:
    assert sorted(kmeans(np.eye(2), 5).tolist()) == [0, 1]


def test_pca_keeps_the_widest_spread_first() -> None:
    rng = np.random.default_rng(2)
    points = np.column_stack([rng.normal(0, 10, 200), rng.normal(0, 1, 200), np.zeros(200)])
    xy = pca_2d(points)
    assert xy.shape == (200, 2)
    assert xy[:, 0].std() > 5 * xy[:, 1].std()
    assert pca_2d(np.zeros((0, 4))).shape == (0, 2)


def test_labels_are_distinctive_title_words() -> None:
    labels = top_terms(
        [
            ["Sparse attention for transformers", "Attention heads in transformers"],
            ["Offline reinforcement learning", "Reinforcement learning with world models"],
        ],
        count=2,
    )
    assert labels[0].split(", ") == ["attention", "transformers"]
    assert set(labels[1].split(", ")) == {"learning", "reinforcement"}
    assert "models" not in labels[1]  # a word every field uses


def test_topic_map_orders_clusters_by_size_and_counts_years() -> None:
    papers = [Paper(title=f"paper {i}", year=2020 + i % 2 if i < 5 else None) for i in range(7)]
    vectors = np.array([[1.0, 0.0]] * 5 + [[0.0, 1.0]] * 2)
    made = topic_map(papers, vectors, k=2)
    assert [len(c.paper_ids) for c in made.clusters] == [5, 2]
    assert {p.cluster for p in made.points if p.paper_id == papers[0].id} == {0}
    assert made.years == {2020: 3, 2021: 2}
    assert default_k(12) == 2 and default_k(5000) == 8
