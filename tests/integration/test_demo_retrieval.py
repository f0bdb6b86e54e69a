"""Retrieval on the demo corpus with the real embedding model (all-MiniLM-L6-v2, offline)."""

import pytest

from assistant import paths
from assistant.errors import ModelMismatchError
from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder

pytestmark = pytest.mark.slow

# Questions that describe a paper without naming it, and the title that answers each.
QUESTIONS = [
    (
        "a plain vision transformer without convolutions used for estimating human body keypoints",
        "ViTPose++: Vision Transformer for Generic Body Pose Estimation",
    ),
    (
        "pretraining a world model on Atari games for offline reinforcement learning at scale",
        "Scaling Offline Model-Based RL via Jointly-Optimized World-Action Model Pretraining",
    ),
    (
        "generating video together with its soundtrack using one diffusion transformer backbone",
        "AV-DiT: Efficient Audio-Visual Diffusion Transformer for Joint Audio and Video Generation",
    ),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Library:
    store = tmp_path_factory.mktemp("demo-store")
    library = Library(Settings(store={"path": store}))
    report = library.ingest([paths.DEMO_CORPUS_DIR])
    assert report.added == 389
    return library


@pytest.mark.parametrize(("question", "title"), QUESTIONS)
def test_a_described_paper_is_in_the_top_five(demo: Library, question: str, title: str) -> None:
    titles = [hit.paper.title for hit in demo.search(question, k=5)]
    assert title in titles, titles


def test_dense_alone_also_finds_it(demo: Library) -> None:
    question, title = QUESTIONS[0]
    assert title in [h.paper.title for h in demo.search(question, k=5, mode="dense")]


def test_the_store_remembers_the_real_model(demo: Library) -> None:
    with pytest.raises(ModelMismatchError, match=r"all-MiniLM-L6-v2 \(384 dimensions\)"):
        Library(demo.settings, embedder=HashEmbedder())
