"""Embedding speed on demo-corpus abstracts: Chroma's default pipeline against ours, same weights.

    python benchmarks/embedding.py [--n 300] [--repeats 3]

(a) Chroma's ``ONNXMiniLM_L6_V2`` (its tokenisation, fixed 256-token padding, batching, session
    and pooling), given our plain fp32 graph and the model's tokenizer files where it would have
    unpacked its download, in a temporary directory: it never downloads, never writes to ~/.cache.
(b) ``MiniLMEmbedder(quantize=False)``: the fused fp32 graph.
(c) ``MiniLMEmbedder(quantize=True)``: the smoothed, int8-quantized graph.

The three run in turn, ``--repeats`` times, each on the same chunks of 32 abstracts (Chroma's own
batch size). Other processes on a shared machine only ever slow a run down, so two figures are
printed: the best whole run, and the rate from each chunk's fastest time ("chunk-best", the
machine undisturbed); ratios are taken on the latter. Abstracts are the distinct lines of more
than 300 characters, in file order, so no pipeline gains from repeated texts.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from assistant import paths
from assistant.index.embeddings import minilm
from assistant.index.embeddings import minilm_graph as graph

CHROMA_FILES = (
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)

CHUNK = 32

Embed = Callable[[Sequence[str]], np.ndarray]


def demo_abstracts(limit: int) -> list[str]:
    """Lines longer than 300 characters (abstracts; titles and page chrome are shorter)."""
    found: dict[str, None] = {}
    for file in sorted(paths.DEMO_CORPUS_DIR.glob("*.txt")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) > 300:
                found[line.strip()] = None
    return list(found)[:limit]


def chroma_pipeline(model_dir: Path, workdir: Path) -> Embed:
    from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2

    weights = graph.load_weights(model_dir)
    cfg = graph.BertConfig.from_file(model_dir / "config.json")
    target = workdir / "chroma" / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME
    target.mkdir(parents=True)
    plain = graph.build_model(weights, cfg, fused=False, output="last_hidden_state")
    onnx.save(plain, str(target / "model.onnx"))
    for name in CHROMA_FILES:
        shutil.copy(model_dir / name, target / name)
    function = ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])
    function.DOWNLOAD_PATH = workdir / "chroma"  # where it looks for its unpacked download

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.array(function(list(texts)), dtype=np.float32)

    return embed


def timed_run(embed: Embed, chunks: Sequence[Sequence[str]]) -> tuple[list[float], np.ndarray]:
    """Seconds per chunk, and the vectors of all chunks."""
    seconds, parts = [], []
    for chunk in chunks:
        start = time.perf_counter()
        parts.append(embed(chunk))
        seconds.append(time.perf_counter() - start)
    return seconds, np.concatenate(parts)


def cpu_ticks() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux only)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / tick, sum(fields) / tick


def others_share(before: tuple[float, float] | None, ours_s: float) -> str:
    """The share of the machine's CPU time that other processes took since ``before``."""
    after = cpu_ticks()
    if before is None or after is None:
        return "unknown"
    busy, total = after[0] - before[0], after[1] - before[1]
    return f"{max(0.0, busy - ours_s) / total:.0%}" if total > 0 else "unknown"


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cosines: np.ndarray = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return cosines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="abstracts to embed (default 300)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    args = parser.parse_args(argv)

    texts = demo_abstracts(args.n)
    model_dir = minilm.model_dir()
    tokenizer = minilm.load_tokenizer(model_dir)
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    truncated = np.mean(np.array(lengths) >= minilm.max_tokens(model_dir))
    print(
        f"{len(texts)} distinct abstracts from the demo corpus, {np.mean(lengths):.0f} word "
        f"pieces on average ({truncated:.0%} truncated at 256)"
    )
    print(
        f"{minilm._cpus()} CPUs, onnxruntime {onnxruntime.__version__}, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )

    with tempfile.TemporaryDirectory(prefix="citewise-bench-") as tmp:
        workdir = Path(tmp)
        os.environ["CITEWISE_CACHE"] = str(workdir / "cache")
        for quantize in (False, True):
            start = time.perf_counter()
            minilm.ensure_model(model_dir, quantize)
            kind = "int8 (calibrate, smooth, quantize)" if quantize else "fp32 (fused)"
            print(f"model build, {kind}: {time.perf_counter() - start:.1f} s")

        pipelines: dict[str, Embed] = {
            "(a) chroma ONNXMiniLM_L6_V2 (plain fp32 graph)": chroma_pipeline(model_dir, workdir),
            "(b) citewise fp32": minilm.MiniLMEmbedder(quantize=False).embed,
            "(c) citewise int8": minilm.MiniLMEmbedder(quantize=True).embed,
        }
        for embed in pipelines.values():
            embed(texts[:4])  # warm up: sessions allocate on their first run
        chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        runs: dict[str, list[list[float]]] = {name: [] for name in pipelines}
        vectors: dict[str, np.ndarray] = {}
        machine, ours = cpu_ticks(), sum(os.times()[:2])
        for _ in range(args.repeats):
            for name, embed in pipelines.items():
                seconds, vectors[name] = timed_run(embed, chunks)
                runs[name].append(seconds)
        contention = others_share(machine, sum(os.times()[:2]) - ours)

    chroma, fp32, int8 = (vectors[name] for name in pipelines)
    undisturbed = {
        name: len(texts) / sum(map(min, zip(*r, strict=True))) for name, r in runs.items()
    }
    baseline = undisturbed[next(iter(pipelines))]
    print(f"\nother processes took {contention} of the CPU time while these ran")
    print(f"abstracts/s over {args.repeats} runs: chunk-best, best run, median run; ratio:")
    for name, timings in runs.items():
        whole = [len(texts) / sum(seconds) for seconds in timings]
        print(
            f"  {name:48s} {undisturbed[name]:5.1f} {max(whole):6.1f} "
            f"{statistics.median(whole):6.1f}   x{undisturbed[name] / baseline:.2f}"
        )
    agreement = cosine_rows(int8, fp32)
    print(
        f"\ncosine int8 vs fp32 over {len(texts)} abstracts: min {agreement.min():.4f}, "
        f"1st percentile {np.percentile(agreement, 1):.4f}, mean {agreement.mean():.4f}"
    )
    print(f"max |fp32 - chroma| over all components: {np.abs(fp32 - chroma).max():.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
