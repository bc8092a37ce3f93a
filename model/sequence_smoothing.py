"""Sequence smoothing: a two-state hidden Markov model over each document's lines.

Article and boilerplate come in runs, so a line's label depends on its neighbours' labels,
not only on its own evidence. The per-line calibrated probabilities are read as the
emissions of a two-state chain (content, boilerplate) whose "stay in the same state"
probability and boilerplate prior are learned from the training labels; forward-backward
gives each line's posterior probability of boilerplate given the whole document. It
fills gaps (a short sub-heading inside the article, a lone "3 Months" inside a pricing
table) that a line-by-line decision leaves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_EPS = 1e-4


def transition_statistics(labels: Sequence[np.ndarray]) -> tuple[float, float]:
    """(share of adjacent labelled line pairs with the same label, boilerplate share)."""
    same = pairs = boilerplate = known = 0
    for y in labels:
        y = np.asarray(y)
        both = (y[1:] >= 0) & (y[:-1] >= 0)
        same += int((y[1:][both] == y[:-1][both]).sum())
        pairs += int(both.sum())
        boilerplate += int((y == 1).sum())
        known += int((y >= 0).sum())
    stay = same / pairs if pairs else 0.5
    prior = boilerplate / known if known else 0.5
    return float(np.clip(stay, 0.5, 0.999)), float(np.clip(prior, 0.01, 0.99))


def smooth(proba: np.ndarray, offsets: np.ndarray, stay: float, prior: float) -> np.ndarray:
    """Posterior P(boilerplate) of every line of documents laid end to end (``offsets`` as
    in ``context_matrix``), given per-line probabilities ``proba`` as emissions."""
    n = len(proba)
    if n == 0:
        return np.zeros(0)
    p = np.clip(np.asarray(proba, dtype=np.float64), _EPS, 1 - _EPS)
    emit = np.column_stack([(1 - p) / (1 - prior), p / prior])
    trans = np.array([[stay, 1 - stay], [1 - stay, stay]])
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    lengths = np.diff(offsets)
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    # Documents sorted by length: at step t the first ``active[t]`` of them are still going.
    ascending = lengths[::-1]
    steps = np.arange(int(lengths.max(initial=0)))
    active = len(lengths) - np.searchsorted(ascending, steps, side="right")

    fwd = np.empty((n, 2))
    idx = starts[: active[0]]
    f = emit[idx] * np.array([1 - prior, prior])
    fwd[idx] = f / f.sum(axis=1, keepdims=True)
    for t in range(1, len(active)):
        k = active[t]
        idx = starts[:k] + t
        f = emit[idx] * (fwd[idx - 1] @ trans)
        fwd[idx] = f / f.sum(axis=1, keepdims=True)

    bwd = np.empty((n, 2))
    ends = starts + lengths - 1
    bwd[ends[lengths > 0]] = 0.5
    for t in range(len(active) - 2, -1, -1):
        k = active[t + 1]
        idx = starts[:k] + t
        b = (emit[idx + 1] * bwd[idx + 1]) @ trans.T
        bwd[idx] = b / b.sum(axis=1, keepdims=True)

    post = fwd * bwd
    return post[:, 1] / post.sum(axis=1)
