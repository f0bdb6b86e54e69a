"""Fit the offline judge on SciFact's TRAIN claims and write its calibration JSON.

    .venv/bin/python -m evals.calibrate_offline_judge [--out PATH]

Data: every (train claim, cited abstract) pair (919: 370 SUPPORT, 194 CONTRADICT, 355 no
evidence) plus as many (claim, unrelated abstract) pairs drawn with seed 13: the same recipe as
the dev evaluation, on the other split. Dev claims are never read here.

Fitted, in order (L2-regularised logistic regressions by Newton's method on standardised
features, the weights then folded back to the raw features; ``features`` defines them):

1. sentence model: rows are the sentences of the cited abstracts; a sentence is positive when
   it is in one of SciFact's rationales for the claim;
2. sentence threshold and ratio (an evidence sentence reaches the threshold and that share of
   the best sentence's probability): the pair that maximises micro-F1 of the chosen evidence
   sentences against the rationales, over the pairs with evidence;
3. evidence model: one row per pair (its features use the sentence model); positive when the
   abstract holds evidence (SUPPORT or CONTRADICT);
4. evidence threshold: the train-F1 optimum; support threshold: the lowest threshold at or
   above it whose train precision reaches 0.90 ("supported" above, "partial" between);
5. contradiction model, on the pairs with evidence, read on the candidate sentence that speaks
   most against the claim (``offline.most_against``): positive when CONTRADICT; and on the tune
   parts of the verdict sets (evals/data/verdicts: verbatim sentences and paraphrases negative,
   reversals and the out-of-domain checks that should not be supported positive; the report
   parts are never read here). Its threshold is the lowest whose precision on these rows reaches
   ``CONTRADICTION_PRECISION`` (a false "contradicted" costs a writer more than a missed one);
   below it, down to the lowest threshold whose precision reaches ``UNSURE_PRECISION``, the
   judge is unsure and says so.
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from assistant.citations.check import features
from assistant.citations.check.judging import Document, Pair
from assistant.citations.check.offline import (
    CALIBRATION,
    VectorCache,
    evidence_sentences,
    most_against,
    score,
    shared_cache,
)
from assistant.sentences import split_sentences
from assistant.settings import Settings
from evals.check_scifact import TRAIN_SEED, Example, examples, f1, load_corpus
from evals.drafting_multixscience import pick_embedder
from evals.verdict_data import SETS, load, papers

L2 = 1.0
CANDIDATES = 400
RATIOS = (0.0, 0.25, 0.5, 0.75, 0.9)
"""Candidate shares of the best sentence's probability an evidence sentence must reach."""
SUPPORT_PRECISION = 0.90
EVIDENCE_F1_TOLERANCE = 0.005
"""Train F1 of holds-evidence is flat near its optimum: the highest threshold this close to it
is taken (the quantity-aware number features moved the exact optimum from 0.46 to 0.27, which
turned unrelated abstracts into partial support)."""
CONTRADICTION_PRECISION = 0.8
UNSURE_PRECISION = 0.5


def fit_logistic(x: np.ndarray, y: np.ndarray, names: Sequence[str]) -> dict[str, float]:
    """Weights (by feature name) of an L2-regularised logistic regression; ``bias`` is the
    intercept and is not penalised."""
    bias = list(names).index("bias")
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[bias], scale[bias] = 0.0, 1.0
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    penalty = np.full(len(names), L2)
    penalty[bias] = 0.0
    w = np.zeros(len(names))
    for _ in range(100):
        p = features.sigmoid(z @ w)
        gradient = z.T @ (p - y) + penalty * w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    raw = w / scale
    raw[bias] = w[bias] - float(np.sum(w * mean / scale))
    return {name: round(float(v), 6) for name, v in zip(names, raw, strict=True)}


def best_threshold(
    scores: np.ndarray, objective: Callable[[float], float], tolerance: float = 0.0
) -> tuple[float, float]:
    """The candidate threshold (midpoints of sorted scores, thinned to at most ``CANDIDATES``)
    that maximises ``objective``; with ``tolerance``, the highest threshold whose objective is
    within it of the best (a flat optimum is taken at its precise end)."""
    values = np.unique(scores)
    midpoints = (values[1:] + values[:-1]) / 2
    if len(midpoints) > CANDIDATES:
        midpoints = np.quantile(midpoints, np.linspace(0, 1, CANDIDATES))
    candidates = np.concatenate([[0.0], midpoints, [1.0]])
    scored = [(objective(t), float(t)) for t in candidates]
    best = max(scored)[0]
    value, threshold = max((t, v) for v, t in scored if v >= best - tolerance)[::-1]
    return round(threshold, 6), value


def lowest_precise(scores: np.ndarray, truth: np.ndarray, precision: float) -> float:
    """The lowest threshold at which the scores above it are at least ``precision`` right
    (1.0 when none is)."""
    for threshold in np.unique(scores):
        guess = scores >= threshold
        if truth[guess].mean() >= precision:
            return round(float(threshold), 6)
    return 1.0


def binary_f1(guess: np.ndarray, truth: np.ndarray) -> float:
    """F1 of the positive class, for boolean arrays."""
    tp, fp, fn = (guess & truth).sum(), (guess & ~truth).sum(), (~guess & truth).sum()
    return f1(int(tp), int(fp), int(fn))[2]


def calibrate(data: list[Example], cache: VectorCache) -> dict[str, object]:
    scored = score(cache, [e.pair for e in data])
    kept = [(e, s) for e, s in zip(data, scored, strict=True) if s is not None]
    cited = [(e, s) for e, s in kept if e.cited]
    rows = np.vstack([s.rows for _, s in cited])
    truth = np.concatenate([[i in e.rationale for i in range(len(s.rows))] for e, s in cited])
    sentence = fit_logistic(rows, truth.astype(float), features.SENTENCE)
    w_sentence = features.weights(sentence, features.SENTENCE)
    probabilities = [features.sigmoid(s.rows @ w_sentence) for _, s in kept]

    evidence_pairs = [i for i, (e, _) in enumerate(kept) if e.label != "none"]

    def rationale_f1(threshold: float, ratio: float) -> float:
        tp = fp = fn = 0
        for i in evidence_pairs:
            chosen = set(evidence_sentences(probabilities[i], threshold, ratio))
            rationale = kept[i][0].rationale
            tp += len(chosen & rationale)
            fp += len(chosen - rationale)
            fn += len(rationale - chosen)
        return f1(tp, fp, fn)[2]

    candidates = np.concatenate([probabilities[i] for i in evidence_pairs])
    sentence_f1, sentence_threshold, ratio = max(
        (*best_threshold(candidates, partial(rationale_f1, ratio=r))[::-1], r) for r in RATIOS
    )
    pair_rows = np.vstack(
        [
            features.evidence_features(s.claim, s.sentences, s.cosines, p)
            for (_, s), p in zip(kept, probabilities, strict=True)
        ]
    )
    holds = np.array([e.label != "none" for e, _ in kept])
    evidence = fit_logistic(pair_rows, holds.astype(float), features.EVIDENCE)
    pair_p = features.sigmoid(pair_rows @ features.weights(evidence, features.EVIDENCE))
    evidence_threshold, evidence_f1 = best_threshold(
        pair_p, lambda t: binary_f1(pair_p >= t, holds), tolerance=EVIDENCE_F1_TOLERANCE
    )
    above = pair_p >= evidence_threshold
    support_threshold = lowest_precise(pair_p[above], holds[above], SUPPORT_PRECISION)

    reversal_rows, contradicts, from_scifact = [], [], []
    for i in evidence_pairs:
        example, s = kept[i]
        reversal_rows.append(most_against(s, probabilities[i])[1])
        contradicts.append(example.label == "contradict")
        from_scifact.append(True)
    for s, p, reversed_ in tune_rows(cache, w_sentence):
        reversal_rows.append(most_against(s, p)[1])
        contradicts.append(reversed_)
        from_scifact.append(False)
    reversal_x, reversal_y = np.vstack(reversal_rows), np.array(contradicts)
    contradiction = fit_logistic(reversal_x, reversal_y.astype(float), features.CONTRADICTION)
    w_contradiction = features.weights(contradiction, features.CONTRADICTION)
    reversal_p = features.sigmoid(reversal_x @ w_contradiction)

    def macro_f1(threshold: float) -> float:
        guess = reversal_p >= threshold
        return (binary_f1(guess, reversal_y) + binary_f1(~guess, ~reversal_y)) / 2

    scifact = np.array(from_scifact)

    def precise_on_both(precision: float) -> float:
        """The lowest threshold that reaches ``precision`` on SciFact's rows and on the tune
        rows, each alone (the tune rows' clean reversals must not set it for SciFact's)."""
        return max(
            lowest_precise(reversal_p[part], reversal_y[part], precision)
            for part in (scifact, ~scifact)
        )

    contradiction_threshold = precise_on_both(CONTRADICTION_PRECISION)
    unsure_threshold = min(precise_on_both(UNSURE_PRECISION), contradiction_threshold)
    contradiction_f1 = macro_f1(contradiction_threshold)
    return {
        "models": {"sentence": sentence, "evidence": evidence, "contradiction": contradiction},
        "thresholds": {
            "evidence": evidence_threshold,
            "support": support_threshold,
            "contradiction": contradiction_threshold,
            "unsure": unsure_threshold,
            "sentence": sentence_threshold,
            "ratio": ratio,
        },
        "train_scores": {
            "evidence_f1": round(evidence_f1, 4),
            "rationale_sentence_f1": round(sentence_f1, 4),
            "support_vs_contradict_macro_f1": round(contradiction_f1, 4),
        },
        "train_pairs": len(kept),
        "contradiction_rows": len(reversal_rows),
    }


def tune_rows(cache: VectorCache, w_sentence: np.ndarray) -> list[tuple[Any, np.ndarray, bool]]:
    """The verdict sets' tune parts as scored pairs (claim against its paper's abstract), each
    with its sentence probabilities and whether the claim reverses its source."""
    library = papers()
    items = [i for name in SETS for i in load(name) if i.split == "tune"]
    pairs = [
        Pair(
            i.claim,
            (
                Document(
                    i.key,
                    library[i.key].title,
                    tuple(split_sentences(library[i.key].abstract)),
                ),
            ),
        )
        for i in items
    ]
    rows = []
    for item, scored in zip(items, score(cache, pairs), strict=True):
        if scored is not None:
            reversed_ = item.expect == "not-supported"
            rows.append((scored, features.sigmoid(scored.rows @ w_sentence), reversed_))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = Settings()
    embedder = pick_embedder(settings, args.embedder)
    data = examples("train", load_corpus(), TRAIN_SEED)
    fitted = calibrate(data, shared_cache(embedder))
    document = {
        "about": "Weights and thresholds of the citation checker's offline judge "
        "(assistant/citations/check/offline.py). Written by evals/calibrate_offline_judge.py; "
        "do not edit by hand.",
        "fitted_on": f"SciFact train claims (evals/data/scifact-claims/claims_train.jsonl): every "
        f"cited pair plus as many unrelated pairs (seed {TRAIN_SEED}); dev claims never used; "
        "the contradiction model also on the tune parts of evals/data/verdicts (report parts "
        "never used)",
        "embedder": embedder.name,
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        "threshold_rules": {
            "evidence": "the highest threshold within "
            f"{EVIDENCE_F1_TOLERANCE} of the best train F1 of holds-evidence",
            "support": f"lowest threshold >= evidence with train precision >= {SUPPORT_PRECISION}",
            "contradiction": "lowest threshold with precision >= "
            f"{CONTRADICTION_PRECISION} for CONTRADICT among SciFact train pairs with evidence, "
            "and among the verdict sets' tune parts, each alone",
            "unsure": f"lowest threshold with precision >= {UNSURE_PRECISION} on the same rows "
            "(between it and the contradiction threshold: partial, unsure)",
            "sentence": "with ratio, maximises train micro-F1 of evidence sentences vs rationales",
        },
        **fitted,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(fitted["train_scores"]), file=sys.stderr)
    print(f"written to {args.out}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals.calibrate_offline_judge", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, default=CALIBRATION, help="where to write the JSON")
    parser.add_argument("--embedder", choices=["configured", "hash"], default="configured")
    return parser


if __name__ == "__main__":
    main()
