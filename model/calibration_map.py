"""A fitted isotonic calibration as a piecewise-linear map from score to probability.

Training fits scikit-learn's ``IsotonicRegression`` (clipped out of bounds); its
thresholds are all it needs to predict, and ``np.interp`` over them gives the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class CalibrationMap:
    """Monotone map through the points (``x``, ``y``); constant beyond either end."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", np.asarray(self.x, dtype=np.float64))
        object.__setattr__(self, "y", np.asarray(self.y, dtype=np.float64))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(scores, self.x, self.y)
