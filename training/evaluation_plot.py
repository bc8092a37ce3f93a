"""Plots of a model's scores on labelled lines: precision-recall and calibration curves.

matplotlib is an optional dependency (``pip install 'paysieve[plot]'``); it is imported
only when a plot is drawn, and its absence is reported as a clear ``PlotUnavailableError``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paysieve.documents.atomic_file import AtomicFile
from paysieve.errors import PaysieveError


class PlotUnavailableError(PaysieveError):
    """matplotlib is not installed."""


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailableError(
            "plotting needs matplotlib: pip install 'paysieve[plot]'"
        ) from None
    return plt


def precision_recall_points(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, ...]:
    """(precision, recall, thresholds) of the boilerplate class, thresholds descending."""
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], y[order] == 1
    distinct = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(t)[distinct]
    fp = (distinct + 1) - tp
    return tp / (tp + fp), tp / max(t.sum(), 1), s[distinct]


def calibration_points(
    y: np.ndarray, scores: np.ndarray, bins: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """(mean predicted probability, observed boilerplate share) per non-empty score bin."""
    which = np.minimum((scores * bins).astype(int), bins - 1)
    counts = np.bincount(which, minlength=bins)
    keep = counts > 0
    mean_p = np.bincount(which, weights=scores, minlength=bins)[keep] / counts[keep]
    observed = np.bincount(which, weights=(y == 1), minlength=bins)[keep] / counts[keep]
    return mean_p, observed


def plot_scores(
    y: np.ndarray, scores: np.ndarray, threshold: float, path: str | Path, title: str = ""
) -> None:
    """Write a PNG with the boilerplate precision-recall curve (threshold marked) and the
    calibration curve of ``scores`` against labels ``y`` (1 boilerplate, 0 content;
    unknown labels are dropped)."""
    plt = _pyplot()
    known = y >= 0
    y, scores = y[known], scores[known]
    precision, recall, thresholds = precision_recall_points(y, scores)
    at = int(np.argmin(np.abs(thresholds - threshold))) if len(thresholds) else 0
    fig, (ax_pr, ax_cal) = plt.subplots(1, 2, figsize=(11, 4.8))
    ax_pr.plot(recall, precision, lw=1.5)
    if len(thresholds):
        ax_pr.plot(recall[at], precision[at], "o", color="crimson")
        ax_pr.annotate(
            f"threshold {threshold:.3f}\nP {precision[at]:.3f}  R {recall[at]:.3f}",
            (recall[at], precision[at]),
            textcoords="offset points",
            xytext=(-120, -40),
            arrowprops={"arrowstyle": "->"},
        )
    ax_pr.set(xlabel="boilerplate recall", ylabel="boilerplate precision", xlim=(0, 1.01))
    ax_pr.set_title("Precision-recall (boilerplate score)")
    ax_pr.grid(alpha=0.3)
    mean_p, observed = calibration_points(y, scores)
    ax_cal.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    ax_cal.plot(mean_p, observed, "o-")
    ax_cal.set(xlabel="mean predicted probability", ylabel="observed boilerplate share")
    ax_cal.set_title("Calibration")
    ax_cal.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        with AtomicFile(path) as out:
            fig.savefig(out, format="png", dpi=110)
    finally:
        plt.close(fig)
