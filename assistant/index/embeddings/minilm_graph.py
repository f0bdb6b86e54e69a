"""Build the ONNX graph of all-MiniLM-L6-v2 from its safetensors weights, with numpy and onnx only.

Two forms of the same network:

* ``fused=False``: standard ONNX operators only (Gather, LayerNormalization, MatMul, Softmax, Erf).
  Any ONNX runtime runs it; it is the plain fp32 reference.
* ``fused=True``: the embeddings, the attention and the GELU as the ``com.microsoft`` operators that
  onnxruntime's CPU provider runs as single kernels (EmbedLayerNormalization, Attention, Gelu): what
  ``onnxruntime.transformers.optimizer`` would make of the plain form, built directly so that
  nothing depends on its pattern matching. Residual sums stay Add + LayerNormalization: see
  ``minilm.SESSION_DISABLED_OPTIMIZERS``.

Either ends in mean pooling over the attention mask and (as sentence-transformers' Normalize module
does) L2 normalisation, inside the graph: the output ``sentence_embedding`` [batch, 384] is what
sentence-transformers returns. With ``output="last_hidden_state"`` the graph stops at the encoder,
the layout Chroma's own pipeline reads.

A dense layer's input can be divided per channel by smoothing factors (its weight rows
multiplied by them, which leaves the fp32 function unchanged): ``minilm_quantize`` uses that to
make the int8 form.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

BUILDER_VERSION = 1
"""Bump whenever what this module builds changes; cached model files are keyed on it."""

OPSET = 17
MS_DOMAIN = "com.microsoft"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

Output = Literal["sentence_embedding", "last_hidden_state"]
Weights = Mapping[str, NDArray[np.float32]]
Feed = Mapping[str, NDArray[np.int64]]


@dataclass(frozen=True)
class BertConfig:
    hidden_size: int
    num_heads: int
    num_layers: int
    layer_norm_eps: float

    @classmethod
    def from_file(cls, path: Path) -> "BertConfig":
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("model_type") != "bert" or raw.get("hidden_act") != "gelu":
            raise ValueError(f"{path}: not a BERT encoder with erf-GELU")
        return cls(
            hidden_size=int(raw["hidden_size"]),
            num_heads=int(raw["num_attention_heads"]),
            num_layers=int(raw["num_hidden_layers"]),
            layer_norm_eps=float(raw["layer_norm_eps"]),
        )


def load_weights(model_dir: Path) -> dict[str, NDArray[np.float32]]:
    """The float tensors of ``model.safetensors``, by their Hugging Face names."""
    from safetensors.numpy import load_file

    tensors = load_file(str(model_dir / "model.safetensors"))
    return {k: v.astype(np.float32) for k, v in tensors.items() if v.dtype.kind == "f"}


class _Graph:
    """Accumulates nodes and initializers; node outputs get unique names."""

    def __init__(self, smooth: Mapping[str, NDArray[np.float32]]) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.smooth = smooth
        self.dense_inputs: dict[str, str] = {}
        """Dense layer (weight name prefix) -> the tensor it reads, for calibration."""

    def const(self, name: str, value: NDArray[np.generic]) -> str:
        if name not in self.initializers:
            array = np.ascontiguousarray(value)
            self.initializers[name] = numpy_helper.from_array(array, name)
        return name

    def op(self, op_type: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        name = f"{op_type.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op_type, inputs, [name], name, domain=domain, **attrs))
        return name


def _t(w: NDArray[np.float32]) -> NDArray[np.float32]:
    """Hugging Face Linear weights are [out, in]; MatMul wants [in, out]."""
    return np.ascontiguousarray(w.T)


def _i64(*values: int) -> NDArray[np.int64]:
    return np.array(values, np.int64)


def _f32(value: float) -> NDArray[np.float32]:
    return np.array(value, np.float32)


def _embeddings_plain(g: _Graph, w: Weights, eps: float) -> str:
    word_table = g.const("word_emb", w["embeddings.word_embeddings.weight"])
    word = g.op("Gather", [word_table, "input_ids"])
    # Positions 0..seq-1 are the first seq rows of the position table.
    shape = g.op("Shape", ["input_ids"])
    seq_len = g.op("Slice", [shape, g.const("i1", _i64(1)), g.const("i2", _i64(2))])
    pos_table = g.const("pos_emb", w["embeddings.position_embeddings.weight"])
    pos = g.op("Slice", [pos_table, g.const("i0", _i64(0)), seq_len])
    type_table = g.const("type_emb", w["embeddings.token_type_embeddings.weight"])
    summed = g.op("Add", [g.op("Add", [word, pos]), g.op("Gather", [type_table, "token_type_ids"])])
    gamma = g.const("emb_ln_g", w["embeddings.LayerNorm.weight"])
    beta = g.const("emb_ln_b", w["embeddings.LayerNorm.bias"])
    return g.op("LayerNormalization", [summed, gamma, beta], axis=-1, epsilon=eps)


def _embeddings_fused(g: _Graph, w: Weights, eps: float, mask32: str) -> str:
    inputs = [
        g.op("Cast", ["input_ids"], to=TensorProto.INT32),
        g.op("Cast", ["token_type_ids"], to=TensorProto.INT32),
        g.const("word_emb", w["embeddings.word_embeddings.weight"]),
        g.const("pos_emb", w["embeddings.position_embeddings.weight"]),
        g.const("type_emb", w["embeddings.token_type_embeddings.weight"]),
        g.const("emb_ln_g", w["embeddings.LayerNorm.weight"]),
        g.const("emb_ln_b", w["embeddings.LayerNorm.bias"]),
        mask32,
    ]
    name = f"embedlayernormalization_{len(g.nodes)}"
    # The second output (mask_index) is required by the operator's schema and left unused.
    outputs = [name, name + "_mask_index"]
    op_type = "EmbedLayerNormalization"
    g.nodes.append(helper.make_node(op_type, inputs, outputs, name, domain=MS_DOMAIN, epsilon=eps))
    return name


def _dense(g: _Graph, w: Weights, prefix: str, x: str) -> str:
    """x @ W + b, with x divided by the smoothing factors (and W's rows multiplied) if any."""
    g.dense_inputs[prefix] = x
    weight = _t(w[prefix + ".weight"])
    factors = g.smooth.get(prefix)
    if factors is not None:
        x = g.op("Mul", [x, g.const(prefix + ".smooth", (1.0 / factors).astype(np.float32))])
        weight = weight * factors[:, None]
    product = g.op("MatMul", [x, g.const(prefix + ".weight", weight)])
    return g.op("Add", [product, g.const(prefix + ".bias", w[prefix + ".bias"])])


def _add_norm(g: _Graph, w: Weights, prefix: str, x: str, residual: str, eps: float) -> str:
    gamma = g.const(prefix + ".LayerNorm.weight", w[prefix + ".LayerNorm.weight"])
    beta = g.const(prefix + ".LayerNorm.bias", w[prefix + ".LayerNorm.bias"])
    summed = g.op("Add", [x, residual])
    return g.op("LayerNormalization", [summed, gamma, beta], axis=-1, epsilon=eps)


def _gelu(g: _Graph, x: str, fused: bool) -> str:
    """The exact (erf) GELU: x * 0.5 * (1 + erf(x / sqrt(2)))."""
    if fused:
        return g.op("Gelu", [x], MS_DOMAIN)
    erf = g.op("Erf", [g.op("Mul", [x, g.const("inv_sqrt2", _f32(1.0 / np.sqrt(2.0)))])])
    half_x = g.op("Mul", [x, g.const("half", _f32(0.5))])
    return g.op("Mul", [half_x, g.op("Add", [erf, g.const("one", _f32(1.0))])])


def _attention_plain(g: _Graph, w: Weights, cfg: BertConfig, p: str, x: str, mask: str) -> str:
    head_dim = cfg.hidden_size // cfg.num_heads
    split = g.const("split_heads", _i64(0, 0, cfg.num_heads, head_dim))

    def heads(name: str, perm: list[int]) -> str:
        projected = _dense(g, w, p + "attention.self." + name, x)
        return g.op("Transpose", [g.op("Reshape", [projected, split])], perm=perm)

    q = heads("query", [0, 2, 1, 3])
    k = heads("key", [0, 2, 3, 1])
    v = heads("value", [0, 2, 1, 3])
    scale = g.const("attention_scale", _f32(1.0 / np.sqrt(head_dim)))
    scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), mask])
    context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
    merged = g.op("Transpose", [context], perm=[0, 2, 1, 3])
    return g.op("Reshape", [merged, g.const("merge_heads", _i64(0, 0, cfg.hidden_size))])


def _attention_fused(g: _Graph, w: Weights, cfg: BertConfig, p: str, x: str, mask: str) -> str:
    names = [p + "attention.self." + n for n in ("query", "key", "value")]
    qkv_w = np.concatenate([_t(w[n + ".weight"]) for n in names], axis=1)
    qkv_b = np.concatenate([w[n + ".bias"] for n in names])
    inputs = [x, g.const(p + "qkv.weight", qkv_w), g.const(p + "qkv.bias", qkv_b), mask]
    return g.op("Attention", inputs, MS_DOMAIN, num_heads=cfg.num_heads)


def _encoder(g: _Graph, w: Weights, cfg: BertConfig, mask_f: str, fused: bool) -> str:
    eps = cfg.layer_norm_eps
    if fused:
        mask = g.op("Cast", ["attention_mask"], to=TensorProto.INT32)
        x = _embeddings_fused(g, w, eps, mask)
    else:
        # [batch, seq] -> [batch, 1, 1, seq]: 0 where attended, -10000 where padded (as BERT).
        padded = g.op("Sub", [g.const("one", _f32(1.0)), mask_f])
        bias = g.op("Mul", [padded, g.const("mask_value", _f32(-10000.0))])
        mask = g.op("Unsqueeze", [bias, g.const("axes_1_2", _i64(1, 2))])
        x = _embeddings_plain(g, w, eps)
    attention = _attention_fused if fused else _attention_plain
    for i in range(cfg.num_layers):
        p = f"encoder.layer.{i}."
        attended = _dense(g, w, p + "attention.output.dense", attention(g, w, cfg, p, x, mask))
        x = _add_norm(g, w, p + "attention.output", attended, x, eps)
        hidden = _gelu(g, _dense(g, w, p + "intermediate.dense", x), fused)
        x = _add_norm(g, w, p + "output", _dense(g, w, p + "output.dense", hidden), x, eps)
    return x


def _pool(g: _Graph, x: str, mask_f: str, normalize: bool) -> str:
    """Mean over attended tokens, then (optionally) division by the L2 norm."""
    mask3 = g.op("Unsqueeze", [mask_f, g.const("axis_last", _i64(-1))])
    axis1 = g.const("i1", _i64(1))
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), axis1], keepdims=0)
    count = g.op("ReduceSum", [mask3, axis1], keepdims=0)
    mean = g.op("Div", [summed, g.op("Max", [count, g.const("min_count", _f32(1e-9))])])
    if not normalize:
        return mean
    squares = g.op("ReduceSum", [g.op("Mul", [mean, mean]), g.const("axis_last", _i64(-1))])
    norm = g.op("Max", [g.op("Sqrt", [squares]), g.const("min_norm", _f32(1e-12))])
    return g.op("Div", [mean, norm])


def build_exposing_dense_inputs(
    weights: Weights,
    cfg: BertConfig,
    fused: bool,
    normalize: bool,
    output: Output,
    smooth: Mapping[str, NDArray[np.float32]],
    expose_dense_inputs: bool,
) -> tuple[onnx.ModelProto, dict[str, str]]:
    g = _Graph(smooth)
    mask_f = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    x = _encoder(g, weights, cfg, mask_f, fused)
    if output == "sentence_embedding":
        x = _pool(g, x, mask_f, normalize)
        shape: list[str | int] = ["batch", cfg.hidden_size]
    else:
        shape = ["batch", "sequence", cfg.hidden_size]
    g.nodes.append(helper.make_node("Identity", [x], [output], output))
    outputs = [helper.make_tensor_value_info(output, TensorProto.FLOAT, shape)]
    if expose_dense_inputs:
        outputs += [
            helper.make_tensor_value_info(name, TensorProto.FLOAT, None)
            for name in dict.fromkeys(g.dense_inputs.values())
        ]
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
        for name in INPUT_NAMES
    ]
    graph = helper.make_graph(
        g.nodes, "all_minilm_l6_v2", inputs, outputs, list(g.initializers.values())
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)]
    model = helper.make_model(graph, opset_imports=opsets if fused else opsets[:1])
    model.ir_version = 8  # readable by onnxruntime >= 1.14
    model.producer_name = "citewise"
    return model, g.dense_inputs


def build_model(
    weights: Weights,
    cfg: BertConfig,
    *,
    fused: bool = True,
    normalize: bool = True,
    output: Output = "sentence_embedding",
    smooth: Mapping[str, NDArray[np.float32]] | None = None,
) -> onnx.ModelProto:
    """The encoder as an ONNX model: int64 [batch, sequence] inputs, one float32 output.

    ``smooth`` maps a dense layer (``encoder.layer.0.output.dense``) to per-input-channel factors
    (see ``smoothing_factors``); in fp32 the function is the same with or without them."""
    model, _ = build_exposing_dense_inputs(
        weights, cfg, fused, normalize, output, smooth or {}, False
    )
    return model
