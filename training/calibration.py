"""Fitting the score calibration on held-out scores: isotonic maps, smoothing statistics and
the decision threshold (the prediction side applies them as
``paysieve.model.score_calibration.ScoreCalibration``, without scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.sequence_smoothing import transition_statistics
from paysieve.model.text_model import document_offsets
from paysieve.training.metrics import best_threshold
from sklearn.isotonic import IsotonicRegression

from paysieve.labels import UNKNOWN


def isotonic_map(scores: np.ndarray, y: np.ndarray) -> CalibrationMap:
    """The non-decreasing map from ``scores`` to the probability that ``y`` is 1."""
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)
    return CalibrationMap(fitted.X_thresholds_, fitted.y_thresholds_)


def tempered_stay(stay: float, strength: float) -> float:
    """The chain's "stay in the same state" probability ``stay`` drawn towards 0.5 (where
    a line's neighbours say nothing about it) by ``strength``: ``stay`` itself at 1."""
    if not 0 <= strength <= 1:
        raise ValueError(f"smoothing must be between 0 and 1, got {strength}")
    return 0.5 + float(strength) * (stay - 0.5)


def fit_score_calibration(
    raw_docs: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    tune: np.ndarray,
    smoothing: float = 1.0,
    line_certainty: float | None = None,
) -> tuple[ScoreCalibration, np.ndarray]:
    """(calibration, final probabilities of all lines) fitted on held-out raw scores (one
    (n_lines, 2) array per document, as ``TextModel.raw_scores`` gives them) and the
    documents' labels; the threshold is picked on the ``tune`` lines (a flat mask).

    The smoothing statistics come from the labels' runs, the stay probability tempered by
    ``smoothing`` (0: no smoothing; see ``tempered_stay``). The threshold is tuned on real
    pages when there are any (composed pages are easier and would pull it towards their
    own optimum), on the final probabilities (calibrated, smoothed along the documents,
    mapped again), the ones it is compared with.
    """
    raw = np.concatenate(raw_docs) if len(raw_docs) else np.zeros((0, 2))
    y = np.concatenate(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    known = y != UNKNOWN
    offsets = document_offsets(raw_docs)
    stay, prior = transition_statistics(labels)
    calibration = ScoreCalibration(
        stay=tempered_stay(stay, smoothing),
        prior=prior,
        smoothing=bool(smoothing),
        line_certainty=line_certainty,
        calibrator=isotonic_map(raw[known, 0], y[known]),
        output_calibrator=None,
        threshold=0.5,  # a placeholder, replaced below: this object is not returned
    )
    smoothed = calibration.smoothed(raw[:, 0], offsets)
    if smoothing:
        calibration = replace(
            calibration, output_calibrator=isotonic_map(smoothed[known], y[known])
        )
    proba = calibration.final(smoothed, raw[:, 1])
    if not (tune & known).any():
        tune = np.ones(len(y), dtype=bool)
    return replace(calibration, threshold=best_threshold(proba[tune], y[tune])), proba
