"""The ONNX graph built from the MiniLM weights against a numpy forward pass of BERT.

The reference below is written from the architecture (BERT encoder, mean pooling, L2 norm), in
float64, sharing nothing with the builder but the weight names of the safetensors file.
"""

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from numpy.typing import NDArray
from safetensors.numpy import load_file

from assistant.index.embeddings import minilm, minilm_quantize
from assistant.index.embeddings import minilm_graph as graph

pytestmark = pytest.mark.slow

SENTENCES = [
    "A significant aspiration of offline reinforcement learning (RL) is to develop a generalist "
    "agent with high capabilities from large and heterogeneous datasets.",
    "Recent Diffusion Transformers (DiTs) have shown impressive capabilities in generating "
    "high-quality single-modality content, including images, videos, and audio.",
    "Mamba enjoys fast inference (5× higher throughput than Transformers) and linear scaling in "
    "sequence length.",
]

SMOOTHED_INPUT_SIZES = {
    "attention.output.dense": 384,
    "intermediate.dense": 384,
    "output.dense": 1536,
}

Array = NDArray[np.float64]


def layer_norm(x: Array, gamma: Array, beta: Array, eps: float = 1e-12) -> Array:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * gamma + beta


def gelu(x: Array) -> Array:
    erf = np.vectorize(math.erf)(x / math.sqrt(2.0))
    return 0.5 * x * (1.0 + erf)


def softmax(x: Array) -> Array:
    shifted = np.exp(x - x.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)


def reference(
    w: Mapping[str, Array], ids: NDArray[np.int64], mask: NDArray[np.int64]
) -> tuple[Array, Array]:
    """(last hidden state [b, s, 384], sentence embedding [b, 384]) of BERT-MiniLM, 6 layers."""
    heads, batch, seq = 12, ids.shape[0], ids.shape[1]

    def linear(name: str, x: Array) -> Array:
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    def split(x: Array) -> Array:  # [b, s, 384] -> [b, heads, s, 32]
        return x.reshape(batch, seq, heads, -1).transpose(0, 2, 1, 3)

    x = w["embeddings.word_embeddings.weight"][ids]
    x = x + w["embeddings.position_embeddings.weight"][np.arange(seq)]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    hidden_mask = np.where(mask[:, None, None, :] == 1, 0.0, -np.inf)
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (split(linear(p + "attention.self." + n, x)) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1]) + hidden_mask
        context = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(batch, seq, -1)
        attended = linear(p + "attention.output.dense", context) + x
        x = layer_norm(
            attended,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        out = linear(p + "output.dense", gelu(linear(p + "intermediate.dense", x))) + x
        x = layer_norm(out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    weights = mask[:, :, None].astype(np.float64)
    mean = (x * weights).sum(1) / weights.sum(1)
    return x, mean / np.linalg.norm(mean, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return minilm.model_dir()


@pytest.fixture(scope="module")
def weights64(model_dir: Path) -> dict[str, Array]:
    return {
        k: v.astype(np.float64) for k, v in load_file(str(model_dir / "model.safetensors")).items()
    }


@pytest.fixture(scope="module")
def inputs(model_dir: Path) -> dict[str, NDArray[np.int64]]:
    """The three sentences as one padded batch (their lengths differ)."""
    encodings = minilm.load_tokenizer(model_dir).encode_batch(SENTENCES)
    assert len({len(e.ids) for e in encodings}) == 3
    return minilm.feed(encodings)


@pytest.fixture(scope="module")
def expected(
    weights64: dict[str, Array], inputs: dict[str, NDArray[np.int64]]
) -> tuple[Array, Array]:
    return reference(weights64, inputs["input_ids"], inputs["attention_mask"])


@pytest.fixture(scope="module")
def built(model_dir: Path) -> tuple[dict[str, NDArray[np.float32]], graph.BertConfig]:
    return graph.load_weights(model_dir), graph.BertConfig.from_file(model_dir / "config.json")


def run(model: onnx.ModelProto | Path, feed: Mapping[str, Any]) -> NDArray[np.float32]:
    source = str(model) if isinstance(model, Path) else model.SerializeToString()
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    result: NDArray[np.float32] = session.run(None, dict(feed))[0]
    return result


def cosines(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_sentence_transformers_normalises_this_model(model_dir: Path) -> None:
    """The graph ends in L2 normalisation because the model's own pipeline does."""
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    assert any(str(m.get("type", "")).endswith(".Normalize") for m in modules)


@pytest.mark.parametrize("fused", [False, True], ids=["plain", "fused"])
def test_fp32_graph_matches_the_numpy_reference(
    built: tuple[Any, graph.BertConfig],
    inputs: dict[str, NDArray[np.int64]],
    expected: tuple[Array, Array],
    fused: bool,
) -> None:
    vectors = run(graph.build_model(*built, fused=fused), inputs)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    np.testing.assert_allclose(vectors, expected[1], atol=1e-4, rtol=0)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_last_hidden_state_output_matches_the_reference_on_attended_tokens(
    built: tuple[Any, graph.BertConfig],
    inputs: dict[str, NDArray[np.int64]],
    expected: tuple[Array, Array],
) -> None:
    hidden = run(graph.build_model(*built, fused=False, output="last_hidden_state"), inputs)
    attended = inputs["attention_mask"].astype(bool)
    np.testing.assert_allclose(hidden[attended], expected[0][attended], atol=1e-4, rtol=1e-4)


def test_padding_does_not_change_a_sentence_vector(
    built: tuple[Any, graph.BertConfig], model_dir: Path
) -> None:
    model = graph.build_model(*built)
    tokenizer = minilm.load_tokenizer(model_dir)
    together = run(model, minilm.feed(tokenizer.encode_batch(SENTENCES)))
    alone = np.concatenate(
        [run(model, minilm.feed(tokenizer.encode_batch([s]))) for s in SENTENCES]
    )
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_smoothing_leaves_the_fp32_function_unchanged(
    built: tuple[Any, graph.BertConfig], inputs: dict[str, NDArray[np.int64]]
) -> None:
    rng = np.random.default_rng(0)
    factors = {
        f"encoder.layer.{i}.{name}": rng.uniform(1.0, 8.0, size).astype(np.float32)
        for i in range(6)
        for name, size in SMOOTHED_INPUT_SIZES.items()
    }
    plain = run(graph.build_model(*built), inputs)
    smoothed = run(graph.build_model(*built, smooth=factors), inputs)
    np.testing.assert_allclose(smoothed, plain, atol=1e-5)


def test_smoothing_factors_pull_in_only_outlier_channels() -> None:
    peak = np.ones(384, dtype=np.float32)
    peak[7] = 25.0
    factors = minilm_quantize.smoothing_factors({"encoder.layer.0.intermediate.dense": peak})
    assert factors["encoder.layer.0.intermediate.dense"][7] == pytest.approx(5.0)
    assert np.all(np.delete(factors["encoder.layer.0.intermediate.dense"], 7) == 1.0)
    assert minilm_quantize.smoothing_factors({"encoder.layer.0.attention.self.query": peak}) == {}


def test_int8_graph_agrees_with_fp32_per_sentence(
    model_dir: Path, inputs: dict[str, NDArray[np.int64]], expected: tuple[Array, Array]
) -> None:
    path, _ = minilm.ensure_model(model_dir, quantize=True)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"QAttention", "MatMulInteger", "DynamicQuantizeLinear"} <= ops
    rows = [
        run(
            path,
            {
                name: value[i : i + 1, : int(inputs["attention_mask"][i].sum())]
                for name, value in inputs.items()
            },
        )[0]
        for i in range(len(SENTENCES))
    ]
    assert np.all(cosines(np.stack(rows), expected[1]) >= 0.99)
