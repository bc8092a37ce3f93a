"""Isotonic calibration maps, fitted on held-out scores (the prediction side applies them
as ``paysieve.model.calibration_map.CalibrationMap``, without scikit-learn)."""

from __future__ import annotations

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from sklearn.isotonic import IsotonicRegression


def isotonic_map(scores: np.ndarray, y: np.ndarray) -> CalibrationMap:
    """The non-decreasing map from ``scores`` to the probability that ``y`` is 1."""
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)
    return CalibrationMap(fitted.X_thresholds_, fitted.y_thresholds_)
