"""Context features: a line seen through its neighbours and its place in the document.

Boilerplate comes in blocks and the article is one dense run of long, punctuated lines, so
a lone "3 Months" or "Share" is recognisable only from the lines around it. Given, for
one document, each line's first-stage boilerplate probability and its shape features,
``context_matrix`` builds one row of context features per line. Missing neighbours (past
the document's edges) are NaN, which the gradient-boosted second stage handles natively.
"""

from __future__ import annotations

import numpy as np

from model.line_features import SHAPE_FEATURE_NAMES

NEIGHBOUR_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
WINDOWS: tuple[int, ...] = (2, 5, 10)
_CHARS = SHAPE_FEATURE_NAMES.index("log_chars")
_TERMINAL = SHAPE_FEATURE_NAMES.index("ends_terminal")
_LONG = SHAPE_FEATURE_NAMES.index("is_long")

CONTEXT_FEATURE_NAMES: tuple[str, ...] = (
    ("p", "logit")
    + tuple(f"p{o:+d}" for o in NEIGHBOUR_OFFSETS)
    + tuple(f"mean_p_w{w}" for w in WINDOWS)
    + ("min_p_w3", "max_p_w3")
    + tuple(f"shape_{n}" for n in SHAPE_FEATURE_NAMES)
    + ("chars-1", "chars+1", "terminal-1", "terminal+1")
    + ("rel_pos", "log_n_lines", "log_from_start", "log_to_end")
    + ("content_mass_before", "content_mass_after", "log_content_before", "log_content_after")
    + ("in_main_run", "signed_dist_main_run", "main_run_share", "log_dup_count")
    + ("doc_mean_p", "doc_content_share")
)


def _shift(values: np.ndarray, offset: int) -> np.ndarray:
    """values[i + offset] for every i, NaN where that falls outside the document."""
    out = np.full(values.shape, np.nan)
    n = len(values)
    if offset > 0 and offset < n:
        out[: n - offset] = values[offset:]
    elif offset < 0 and -offset < n:
        out[-offset:] = values[: n + offset]
    return out


def _window_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Mean of values[i-half : i+half+1], clipped to the document."""
    n = len(values)
    csum = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, n)
    return (csum[hi] - csum[lo]) / (hi - lo)


def _main_run(gain: np.ndarray) -> tuple[int, int]:
    """[start, end) of the contiguous run with the largest total gain (Kadane)."""
    best, best_lo, best_hi = -np.inf, 0, 0
    running, lo = 0.0, 0
    for i, g in enumerate(gain):
        if running <= 0:
            running, lo = g, i
        else:
            running += g
        if running > best:
            best, best_lo, best_hi = running, lo, i + 1
    return best_lo, best_hi


def context_matrix(proba: np.ndarray, shape: np.ndarray, dup_count: np.ndarray) -> np.ndarray:
    """Context feature rows of one document (see ``CONTEXT_FEATURE_NAMES``)."""
    n = len(proba)
    p = np.clip(proba.astype(np.float64), 1e-4, 1 - 1e-4)
    cols: list[np.ndarray] = [p, np.log(p / (1 - p))]
    cols += [_shift(p, o) for o in NEIGHBOUR_OFFSETS]
    cols += [_window_mean(p, w) for w in WINDOWS]
    near = np.stack([p] + [_shift(p, o) for o in (-3, -2, -1, 1, 2, 3)])
    cols += [np.nanmin(near, axis=0), np.nanmax(near, axis=0)]
    cols += list(shape.T)
    chars, terminal = shape[:, _CHARS], shape[:, _TERMINAL]
    cols += [_shift(chars, -1), _shift(chars, 1), _shift(terminal, -1), _shift(terminal, 1)]

    idx = np.arange(n, dtype=np.float64)
    cols += [idx / max(n - 1, 1), np.full(n, np.log1p(n)), np.log1p(idx), np.log1p(n - 1 - idx)]

    # Expected article mass: content probability weighted by line length.
    mass = (1 - p) * np.exp(chars * 7.0)
    total = mass.sum() + 1e-9
    before = np.concatenate(([0.0], np.cumsum(mass)[:-1]))
    after = total - before - mass
    confident = ((p < 0.35) & ((shape[:, _LONG] > 0) | (terminal > 0))).astype(np.float64)
    conf_before = np.concatenate(([0.0], np.cumsum(confident)[:-1]))
    conf_after = confident.sum() - conf_before - confident
    cols += [before / total, after / total, np.log1p(conf_before), np.log1p(conf_after)]

    lo, hi = _main_run((0.5 - p) * (1.0 + chars))
    inside = (idx >= lo) & (idx < hi)
    dist = np.where(idx < lo, idx - lo, np.where(idx >= hi, idx - hi + 1, 0.0))
    cols += [
        inside.astype(np.float64),
        np.sign(dist) * np.log1p(np.abs(dist)),
        np.full(n, (hi - lo) / n),
        np.log(dup_count.astype(np.float64)),
    ]
    cols += [np.full(n, p.mean()), np.full(n, (p < 0.5).mean())]
    return np.column_stack(cols)
