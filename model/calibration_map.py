"""A fitted isotonic calibration as a piecewise-linear map from score to probability.

Training fits scikit-learn's ``IsotonicRegression`` (clipped out of bounds); its
thresholds are all it needs to predict, and ``np.interp`` over them gives the same values.
"""

from __future__ import annotations

import numpy as np


class CalibrationMap:
    """Monotone map through the points (``x``, ``y``); constant beyond either end."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(scores, self.x, self.y)
