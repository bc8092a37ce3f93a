"""The paywall verdict's rule on its out-of-fold verdict documents: what model selection
for the rule can see without touching the held-out part of the corpus.

Trains a model on the corpus's **train part** as ``kind_benchmark.py`` does (same
parameters, same calibration), rebuilds the out-of-fold verdict documents that
``paysieve train`` fits the rule on (``paysieve.training.verdict_fit``), and compares rules
over the first ``k`` verdict features (``FEATURE_NAMES``: four is the 0.8.1 rule, all of
them the current one):

* as training reports it: the rule fitted and judged on all out-of-fold documents, at its
  F0.5 threshold, with the documents it flags per layout;
* judged on a verdict fold the rule was not fitted on (fitted on the other folds'
  documents, threshold chosen there): precision, recall, and the recall reachable at
  precision 0.95.

The held-out part of the corpus is not read: its figures come from ``kind_benchmark.py``.

    python benchmarks/verdict_study.py [--corpus datasets/source] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from paysieve.model.paywall_rule import FEATURE_NAMES
from paysieve.training.fit import load_input, train
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.verdict_fit import (
    VerdictDocuments,
    fit_rule,
    flagged_by_layout,
    out_of_fold_documents,
    precision_recall,
)
from report import publish

PRECISION_FLOOR = 0.95


def recall_at_precision(probability: np.ndarray, gold: np.ndarray, floor: float) -> float:
    """The highest recall of any threshold whose precision is at least ``floor``."""
    order = np.argsort(-probability, kind="stable")
    tp = np.cumsum(gold[order])
    ok = np.flatnonzero(tp / np.arange(1, len(tp) + 1) >= floor)
    return float(tp[ok[-1]] / max(int(gold.sum()), 1)) if len(ok) else 0.0


def study(documents: VerdictDocuments, k: int) -> dict:
    """The figures of a rule over the first ``k`` features (see the module docstring)."""
    X, y = documents.features[:, :k], documents.paywalled
    rule = fit_rule(X, y)
    flagged = rule.probability(X) >= rule.threshold
    unseen_p = np.zeros(len(y))
    unseen_flagged = np.zeros(len(y), dtype=bool)
    for fold in np.unique(documents.folds):
        held = documents.folds == fold
        fold_rule = fit_rule(X[~held], y[~held])
        unseen_p[held] = fold_rule.probability(X[held])
        unseen_flagged[held] = unseen_p[held] >= fold_rule.threshold
    return {
        "features": list(FEATURE_NAMES[:k]),
        "threshold": rule.threshold,
        "precision_recall": precision_recall(flagged, y),
        "flagged_by_layout": flagged_by_layout(flagged, documents.layouts),
        "unseen_fold_precision_recall": precision_recall(unseen_flagged, y),
        "unseen_fold_recall_at_precision": recall_at_precision(unseen_p, y, PRECISION_FLOOR),
        "weights": np.round(rule.coef, 3).tolist(),
        "intercept": round(rule.intercept, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("datasets/source"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", file=sys.stderr)

    params = LineClassifier().get_params()
    log("training on the corpus train part")
    train_part = load_input(args.corpus, part="train")
    model = train([train_part], params=params).model
    documents = out_of_fold_documents(train_part.source, params, model.calibration, progress=log)
    results = {k: study(documents, k) for k in (len(FEATURE_NAMES) - 1, len(FEATURE_NAMES))}
    y = documents.paywalled
    out = [
        f"## The verdict rule on {len(y):,} out-of-fold verdict documents of the train part "
        f"({int(y.sum())} paywalled)",
        "",
        "| rule | threshold | P / R (fitted and judged on all) | flagged by layout | "
        f"P / R on the unseen fold | recall at P ≥ {PRECISION_FLOOR} on the unseen fold |",
        "|---|---|---|---|---|---|",
    ]
    for k, r in results.items():
        layouts = ", ".join(f"{name} {n}" for name, n in r["flagged_by_layout"].items())
        out.append(
            f"| {k} features (last: {r['features'][-1]}) | {r['threshold']:.3f} | "
            "{:.3f} / {:.3f} | ".format(*r["precision_recall"])
            + f"{layouts} | "
            + "{:.3f} / {:.3f} | ".format(*r["unseen_fold_precision_recall"])
            + f"{r['unseen_fold_recall_at_precision']:.3f} |"
        )
    weights = {k: r["weights"] for k, r in results.items()}
    out += ["", f"Weights (all documents): {json.dumps(weights)}"]
    out.append(f"\nTotal time {time.perf_counter() - started:.0f} s.")
    publish("\n".join(out), {str(k): r for k, r in results.items()}, args.out)


if __name__ == "__main__":
    main()
