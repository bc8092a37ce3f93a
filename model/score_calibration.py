"""From raw scores to the probabilities and labels the model reports.

A line's raw scores are its stage-2 (context) score and its stage-1 (line-alone)
probability. The stage-2 score goes through an isotonic calibration map, then (when
smoothing is on) the two-state hidden Markov model of ``paysieve.model.sequence_smoothing``
along its document, then a second isotonic map that keeps the smoothed probabilities
calibrated. Context must not talk the model out of a line whose own text settles it: a
line the line-alone model is certain of ("Advertisement" between two paragraphs) keeps at
least its line-alone probability. ``threshold`` turns the result into a label.

A ``ScoreCalibration`` is immutable and complete: the training run
(``paysieve.training.calibration.fit_score_calibration``) fits its maps and threshold on
held-out scores and only then builds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.sequence_smoothing import smooth


@dataclass(frozen=True, eq=False)
class ScoreCalibration:
    """Calibration maps, smoothing statistics and threshold of a model.

    ``stay`` and ``prior`` are the hidden Markov model's statistics, learned from the
    training labels (``paysieve.model.sequence_smoothing.transition_statistics``; the stay
    probability as training tempered it, ``paysieve.training.calibration.tempered_stay``);
    ``smoothing`` turns the
    smoothing on; ``line_certainty`` is the line-alone probability from which a line's own
    text overrules its context (None: never); ``calibrator`` maps stage-2 scores to
    probabilities, ``output_calibrator`` (None: no second map) the smoothed ones;
    ``threshold`` is the probability at or above which a line is boilerplate.
    """

    stay: float
    prior: float
    smoothing: bool
    line_certainty: float | None
    calibrator: CalibrationMap
    output_calibrator: CalibrationMap | None
    threshold: float

    def smoothed(self, scores: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Calibrated and (when smoothing is on) smoothed probabilities from the stage-2
        scores of documents laid end to end (``offsets`` as
        ``paysieve.model.text_model.document_offsets`` gives them), before the output map."""
        proba = self.calibrator(scores)
        if not self.smoothing or len(proba) == 0:
            return proba
        return smooth(proba, offsets, self.stay, self.prior)

    def final(self, smoothed: np.ndarray, alone: np.ndarray) -> np.ndarray:
        """Final probabilities from ``smoothed`` (as ``smoothed`` gives them) and the
        line-alone probabilities ``alone``: the output map, then the line-certainty floor."""
        proba = smoothed if self.output_calibrator is None else self.output_calibrator(smoothed)
        if self.line_certainty is None:
            return proba
        return np.where(alone >= self.line_certainty, np.maximum(proba, alone), proba)

    def probabilities(self, raw: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Final boilerplate probabilities from the raw scores of documents laid end to end:
        ``raw`` is (n_lines, 2), the stage-2 score and the line-alone probability."""
        return self.final(self.smoothed(raw[:, 0], offsets), raw[:, 1])
