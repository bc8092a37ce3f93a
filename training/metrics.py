"""Line-level scores: precision, recall and F1 of both classes, accuracy, confusion matrix."""

from __future__ import annotations

import numpy as np

from paysieve.labels import BOILERPLATE, CONTENT, UNKNOWN


def precision_recall_f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from true positives, false positives and false negatives
    (0 where a denominator is 0)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def line_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Scores of predicted 0/1 labels against true labels; UNKNOWN (-1) lines are ignored."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    known = y_true != UNKNOWN
    t, p = y_true[known], y_pred[known]
    cc = int(((t == CONTENT) & (p == CONTENT)).sum())
    cb = int(((t == CONTENT) & (p == BOILERPLATE)).sum())
    bc = int(((t == BOILERPLATE) & (p == CONTENT)).sum())
    bb = int(((t == BOILERPLATE) & (p == BOILERPLATE)).sum())
    n = cc + cb + bc + bb
    return {
        "lines": n,
        "accuracy": (cc + bb) / n if n else 0.0,
        "content": precision_recall_f1(cc, bc, cb),
        "boilerplate": precision_recall_f1(bb, cb, bc),
        # rows: true content, true boilerplate; columns: predicted content, boilerplate
        "confusion": [[cc, cb], [bc, bb]],
    }


def best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The boilerplate-probability threshold for the best content-class F1 on (proba, y).

    For calibrated probabilities the F1-optimal rule is "content when P(content) is at
    least half the best reachable F1" (Lipton, Elkan and Naryanaswamy, 2014), so the
    threshold is ``1 - F*/2``. The best F1 itself is found by scanning the splits, but the
    threshold is not that scan's argmax: near its optimum F1 is flat over a wide range of
    thresholds, and the argmax wanders across it from one training run to the next.
    """
    known = y != UNKNOWN
    proba, y = proba[known], y[known]
    values = np.unique(proba)
    # Midpoints between the distinct scores: every distinct split once, none on a score.
    candidates = (values[:-1] + values[1:]) / 2 if len(values) > 1 else np.array([0.5])
    if len(candidates) > 400:
        candidates = np.quantile(candidates, np.linspace(0.0, 1.0, 400))
    best_f1 = max(
        line_scores(y, (proba >= th).astype(np.int64))["content"]["f1"] for th in candidates
    )
    return 1.0 - best_f1 / 2
