"""The int8 form of the MiniLM graph: dynamic quantization (int8 weights per output channel,
uint8 activations per call) of every MatMul and of the attention's input projection.

BERT's activations carry a few outlier channels (|x| near 30 where most stay under 2) that would
stretch the activation's single quantization step; so first, SmoothQuant-style, the inputs of
the dense layers are divided per channel by a factor (``minilm_graph.build_model``'s ``smooth``,
which leaves the fp32 function unchanged). The factors come from the activations of a few
calibration sentences (``CALIBRATION``).
"""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto

from assistant.index.embeddings.minilm_graph import (
    BertConfig,
    Feed,
    Weights,
    build_exposing_dense_inputs,
)

SMOOTHED = ("attention.output.dense", "intermediate.dense", "output.dense")
"""Dense layers whose input is smoothed before quantization (measured: smoothing the attention's
input projection as well does not help)."""

SMOOTH_PERCENTILE = 99.0
SMOOTH_STRENGTH = 0.5
"""A channel whose calibration maximum is m times the layer's 99th percentile is divided by
m ** 0.5: outliers come halfway down, ordinary channels are left alone."""

CALIBRATION = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "We propose a new method for training deep neural networks that reduces memory use by half "
    "while keeping accuracy.",
    "Results on three benchmarks show consistent gains of 2.3 to 4.1 points over strong baselines "
    "(p < 0.01).",
    "Protein folding, climate models and graph algorithms all benefit from faster linear algebra "
    "on modern hardware.",
    "In this paper, we study how large language models learn in context, and we analyse attention "
    "patterns across layers.",
    "She bought bread, cheese and two bottles of milk before the shop closed at 8 pm on Sunday.",
    "def main(argv): return sum(int(x) for x in argv[1:])  # a tiny Python function",
    "Abstract: Transformers scale poorly with sequence length; sparse attention and state space "
    "models offer alternatives.",
)
"""Sentences whose activations set the smoothing factors. The outlier channels are a property of
the model, not of the text, so a few ordinary sentences find them."""


def activation_maxima(
    weights: Weights, cfg: BertConfig, feeds: Sequence[Feed]
) -> dict[str, NDArray[np.float32]]:
    """Per-channel max |x| of each dense layer's input over the attended tokens of ``feeds``."""
    import onnxruntime as ort

    model, dense_inputs = build_exposing_dense_inputs(
        weights, cfg, True, True, "sentence_embedding", {}, True
    )
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    names = list(dict.fromkeys(dense_inputs.values()))
    maxima: dict[str, NDArray[np.float32]] = {}
    for feed in feeds:
        values = dict(zip(names, session.run(names, dict(feed)), strict=True))
        attended = feed["attention_mask"].astype(bool)
        for prefix, name in dense_inputs.items():
            peak = np.abs(values[name][attended]).max(axis=0)
            maxima[prefix] = np.maximum(maxima.get(prefix, peak), peak)
    return maxima


def smoothing_factors(
    maxima: Mapping[str, NDArray[np.float32]],
) -> dict[str, NDArray[np.float32]]:
    """Factors >= 1 for the input channels of the ``SMOOTHED`` layers (SmoothQuant, halfway)."""
    factors = {}
    for prefix, peak in maxima.items():
        if prefix.endswith(SMOOTHED):
            typical = max(float(np.percentile(peak, SMOOTH_PERCENTILE)), 1e-6)
            ratio = np.maximum(peak / typical, 1.0)
            factors[prefix] = (ratio**SMOOTH_STRENGTH).astype(np.float32)
    return factors


def quantize(model: onnx.ModelProto, path: Path) -> None:
    """Dynamic int8 quantization of ``model`` (built with ``fused=True``), written to ``path``."""
    # The quantizer logs advice meant for its own examples ("consider pre-processing") on the
    # root logger; a first run of citewise should not print it.
    advice = logging.Filter("citewise.never")  # passes only records of that (unused) logger
    logging.getLogger().addFilter(advice)
    try:
        _quantize_dynamic(model, path)
    finally:
        logging.getLogger().removeFilter(advice)


def _quantize_dynamic(model: onnx.ModelProto, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        model,
        path,
        op_types_to_quantize=["MatMul", "Attention"],
        per_channel=True,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        # Shape inference cannot type the com.microsoft operators' outputs; they are all float.
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )
