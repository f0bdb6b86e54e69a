"""Retrieval and evidence-mode answers on the demo corpus with the real embedding model
(all-MiniLM-L6-v2, offline)."""

from pathlib import Path

import pytest

from assistant import paths
from assistant.errors import ModelMismatchError
from assistant.history import History
from assistant.library import Library
from assistant.settings import Settings
from assistant.tasks.events import Checked
from assistant.tasks.requests import AnswerRequest
from assistant.tasks.runner import Runner
from evals.evidence_answers import DATA
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


async def test_evidence_answers_quote_their_sources_and_no_quote_is_judged(
    demo: Library, tmp_path: Path
) -> None:
    """Evidence mode on the demo store: every sentence is a quotation, attributed, checked to
    be word for word in its source and marked as a quote: never a verdict such as "!"."""
    questions = [
        *(DATA / "dev_questions.txt").read_text().splitlines(),
        *(DATA / "test_questions.txt").read_text().splitlines(),
    ]
    with History(tmp_path / "history.sqlite3") as history:
        runner = Runner(demo.settings, history, lambda: demo)
        for question in filter(None, questions):
            run = runner.start(AnswerRequest(question), check=True)
            checked = [e async for e in run.events if isinstance(e, Checked)]
            [event] = checked
            assert event.result.sentences
            assert all(s.quoted_from is not None for s in event.result.sentences)
            verdicts = [s.verdict for s in event.report.sentences]
            assert verdicts == ["quoted"] * len(verdicts), (question, verdicts)
            assert set(event.report.marks().verdicts.values()) == {"quoted"}
