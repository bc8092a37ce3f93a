"""From raw scores to the probabilities and labels the model reports.

A line's raw scores are its stage-2 (context) score and its stage-1 (line-alone)
probability. The stage-2 score goes through an isotonic calibration map, then (when
smoothing is on) the two-state hidden Markov model of ``paysieve.model.sequence_smoothing`` along
its document, then a second isotonic map that keeps the smoothed probabilities calibrated.
Context must not talk the model out of a line whose own text settles it: a line the
line-alone model is certain of ("Advertisement" between two paragraphs) keeps at least its
line-alone probability. ``threshold`` turns the result into a label. The maps and the
threshold are fitted on held-out scores by the training run (``paysieve.training.fit.calibrate``);
until then the maps are the identity.
"""

from __future__ import annotations

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.sequence_smoothing import smooth


class ScoreCalibration:
    """Calibration maps, smoothing statistics and threshold of a model.

    ``stay`` and ``prior`` are the hidden Markov model's learned statistics (see
    ``paysieve.model.sequence_smoothing.transition_statistics``); ``line_certainty`` is the
    line-alone probability from which a line's own text overrules its context (None: never).
    """

    # Class default: models saved before it existed let context decide every line.
    line_certainty: float | None = None

    def __init__(
        self,
        stay: np.ndarray,
        prior: np.ndarray,
        smoothing: bool = True,
        line_certainty: float | None = None,
    ) -> None:
        self.stay = stay
        self.prior = prior
        self.smoothing = smoothing
        self.line_certainty = line_certainty
        self.calibrator: CalibrationMap | None = None
        self.output_calibrator: CalibrationMap | None = None
        self.threshold = 0.5

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores (identity before a map is fitted)."""
        if self.calibrator is None or len(scores) == 0:
            return scores
        return self.calibrator(scores)

    def smoothed(self, scores: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Calibrated and (when smoothing is on) smoothed probabilities from the stage-2
        scores of documents laid end to end (``offsets`` as
        ``paysieve.model.line_scorer.document_offsets`` gives them)."""
        proba = self.calibrate(scores)
        if not self.smoothing or len(proba) == 0:
            return proba
        proba = smooth(proba, offsets, self.stay, self.prior)
        return proba if self.output_calibrator is None else self.output_calibrator(proba)

    def probabilities(self, raw: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Final boilerplate probabilities from the raw scores of documents laid end to end:
        ``raw`` is (n_lines, 2), the stage-2 score and the line-alone probability."""
        proba = self.smoothed(raw[:, 0], offsets)
        if self.line_certainty is None:
            return proba
        alone = raw[:, 1]
        return np.where(alone >= self.line_certainty, np.maximum(proba, alone), proba)
