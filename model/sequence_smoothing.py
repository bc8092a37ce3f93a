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
    # Two states, so each message is one number, P(boilerplate); a line's evidence enters
    # as the likelihood ratio content : boilerplate of its emission.
    ratio = (1 - p) / p * (prior / (1 - prior))
    slope, floor = 2 * stay - 1, 1 - stay  # P(boilerplate next) = floor + slope * P(now)
    steps = _StepLayout(offsets)
    ratio = ratio[steps.order]

    # Past step ``alone`` only the longest document still runs: one line a step, which a
    # loop over Python floats does several times faster than numpy calls on one element
    # (same operations in the same order: the same floats).
    alone = int(np.searchsorted(-steps.active, -1))
    forward = np.empty(n)
    belief = np.full(steps.active[0], prior)
    for t, (a, k) in enumerate(zip(steps.start[:alone], steps.active[:alone])):
        if t:
            belief = floor + slope * forward[steps.start[t - 1] : steps.start[t - 1] + k]
        forward[a : a + k] = belief / (belief + ratio[a : a + k] * (1 - belief))
    tail = int(steps.start[alone]) if alone < len(steps.active) else n
    forward[tail:] = _forward_alone(
        ratio[tail:].tolist(),
        prior if alone == 0 else float(forward[steps.start[alone - 1]]),
        alone == 0,
        floor,
        slope,
    )

    backward = np.full(n, 0.5)
    last_shared = max(alone - 1, 0)  # the last step whose message comes from a shared step
    if tail < n:
        backward[steps.start[last_shared : len(steps.active) - 1]] = _backward_alone(
            ratio[tail:].tolist(), len(steps.active) - 1 - last_shared, floor, slope
        )
    for t in range(last_shared - 1, -1, -1):
        a, k = steps.start[t], steps.active[t + 1]
        b = steps.start[t + 1]
        later = backward[b : b + k]
        seen = later / (later + ratio[b : b + k] * (1 - later))
        backward[a : a + k] = floor + slope * seen

    joint = forward * backward
    posterior = np.empty(n)
    posterior[steps.order] = joint / (joint + (1 - forward) * (1 - backward))
    return posterior


def _forward_alone(
    ratio: list[float], before: float, first: bool, floor: float, slope: float
) -> list[float]:
    """Forward messages of the steps where one document runs alone (``ratio`` its lines'
    likelihood ratios): ``before`` is the message of the step before (the prior when
    ``first``)."""
    out = []
    previous = before
    for t, r in enumerate(ratio):
        belief = previous if first and t == 0 else floor + slope * previous
        previous = belief / (belief + r * (1 - belief))
        out.append(previous)
    return out


def _backward_alone(ratio: list[float], steps: int, floor: float, slope: float) -> list[float]:
    """Backward messages of the last ``steps`` steps before the end of a document running
    alone over the lines of likelihood ratios ``ratio`` (the message at its last line is
    0.5), in step order."""
    out = [0.0] * steps
    later = 0.5
    for j in range(steps):
        r = ratio[len(ratio) - 1 - j]
        seen = later / (later + r * (1 - later))
        later = floor + slope * seen
        out[steps - 1 - j] = later
    return out


class _StepLayout:
    """The lines of documents laid end to end, reordered step by step: all documents' first
    lines, then all second lines, ... (documents longest first), so that the lines of one
    step are one contiguous slice, and the documents still running at a step are a prefix
    of those running at the step before."""

    def __init__(self, offsets: np.ndarray) -> None:
        starts = np.asarray(offsets[:-1], dtype=np.int64)
        lengths = np.diff(np.asarray(offsets, dtype=np.int64))
        by_length = np.argsort(-lengths, kind="stable")
        starts, lengths = starts[by_length], lengths[by_length]
        n_steps = int(lengths.max(initial=0))
        # active[t]: how many documents have a line t.
        self.active = len(lengths) - np.searchsorted(lengths[::-1], np.arange(n_steps), "right")
        self.start = np.concatenate(([0], np.cumsum(self.active)[:-1])).astype(np.int64)
        rank = np.repeat(np.arange(len(lengths)), lengths)
        step = np.arange(len(rank)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        # line at (step t, document rank r) sits at start[t] + r of the new order.
        self.order = np.empty(len(rank), dtype=np.int64)
        self.order[self.start[step] + rank] = np.repeat(starts, lengths) + step
