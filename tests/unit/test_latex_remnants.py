"""LaTeX left in plain-text abstracts (the demo corpus's Hugging Face dumps keep some)."""

import pytest

from assistant.corpus.latex_remnants import mend_latex
from assistant.corpus.paper import Paper
from assistant.corpus.readers.daily_papers import DailyPapersReader
from assistant.paths import DEMO_CORPUS_DIR


@pytest.mark.parametrize(
    ("raw", "mended"),
    [
        ("it achieves 85.4\\% Top-1 accuracy", "it achieves 85.4% Top-1 accuracy"),
        ("at resolution 384times384 on ImageNet", "at resolution 384×384 on ImageNet"),
        ("fast inference (5times higher throughput)", "fast inference (5× higher throughput)"),
        ("reduced by 6times. With", "reduced by 6×. With"),
        ("at 118\\times lower cost", "at 118× lower cost"),
        ("the \\textbf{Mamba} model", "the Mamba model"),
        ("{1.31 FID}~(nearly 4times faster)", "1.31 FID (nearly 4× faster)"),
        ("(NeRV, E-NeRV, \\etc) reconstruct", "(NeRV, E-NeRV, etc.) reconstruct"),
        ("\\hiformer enjoys fast inference", "hiformer enjoys fast inference"),
    ],
)
def test_remnants_read_as_what_they_stood_for(raw: str, mended: str) -> None:
    assert mend_latex(raw) == mended


@pytest.mark.parametrize(
    "prose",
    ["sometimes it fails", "10 times faster", "about ~5x faster", "O(n log n) time"],
)
def test_prose_is_left_alone(prose: str) -> None:
    assert mend_latex(prose) == prose


def test_the_demo_corpus_reads_without_latex_remnants() -> None:
    reader = DailyPapersReader()
    texts = [
        f"{item.title} {item.abstract}"
        for path in sorted(DEMO_CORPUS_DIR.glob("*.txt"))
        for item in reader.read(path)
        if isinstance(item, Paper)
    ]
    joined = " ".join(texts)
    assert "5× higher throughput" in joined
    assert "\\%" not in joined and "\\times" not in joined and "\\textbf" not in joined
