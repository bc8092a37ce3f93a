"""From raw scores to reported probabilities.

The pipeline is: first isotonic map, HMM smoothing along the document, second isotonic
map (``ScoreCalibration``), checked on a two-line case worked by hand (each step changes
the answer, so none can be skipped unnoticed); and, end to end, the shipped model must
still give the scores it gave when it was saved (on held-out pages the raw stage-2 scores
are about as well calibrated as the final ones, so no statistical test can tell them
apart).
"""

from __future__ import annotations

import numpy as np
import pytest
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.score_calibration import ScoreCalibration


def calibration() -> ScoreCalibration:
    return ScoreCalibration(
        stay=0.9,
        prior=0.5,
        smoothing=True,
        line_certainty=None,
        calibrator=CalibrationMap([0, 1], [0.2, 1.0]),  # p = 0.2 + 0.8 r
        output_calibrator=CalibrationMap([0, 1], [0.1, 0.9]),  # q = 0.1 + 0.8 s
        threshold=0.5,
    )


def test_maps_and_smoothing_are_applied_in_order():
    raw = np.column_stack([[0.25, 0.75], [0.5, 0.5]])  # stage-2 scores, line-alone probs
    # First map: p = (0.4, 0.8). With prior 0.5 the emissions are proportional to
    # (1 - p, p): line 1 (0.6, 0.4), line 2 (0.2, 0.8); transitions stay 0.9 / switch 0.1.
    # P(line 1 boilerplate) ∝ 0.5 * 0.4 * (0.1 * 0.2 + 0.9 * 0.8) = 0.148
    # P(line 1 content)     ∝ 0.5 * 0.6 * (0.9 * 0.2 + 0.1 * 0.8) = 0.078
    # P(line 2 boilerplate) ∝ (0.5 * 0.6 * 0.1 + 0.5 * 0.4 * 0.9) * 0.8 = 0.168
    # P(line 2 content)     ∝ (0.5 * 0.6 * 0.9 + 0.5 * 0.4 * 0.1) * 0.2 = 0.058
    # so s = (0.148, 0.168) / 0.226, then the second map.
    s = np.array([0.148, 0.168]) / 0.226
    expected = 0.1 + 0.8 * s
    got = calibration().probabilities(raw, np.array([0, 2]))
    np.testing.assert_allclose(got, expected, atol=1e-3)  # the HMM clips at 1e-4
    assert got == pytest.approx([0.6239, 0.6947], abs=1e-3)


def test_documents_laid_end_to_end_are_smoothed_apart():
    raw = np.column_stack([[0.25, 0.75, 0.25], [0.5, 0.5, 0.5]])
    # The third line is a document of its own: no neighbour, so its posterior is its
    # calibrated probability, 0.4, mapped to 0.1 + 0.8 * 0.4.
    got = calibration().probabilities(raw, np.array([0, 2, 3]))
    assert got[2] == pytest.approx(0.42, abs=1e-3)
    assert got[:2] == pytest.approx(0.1 + 0.8 * np.array([0.148, 0.168]) / 0.226, abs=1e-3)


def test_the_shipped_model_predicts_what_it_predicted_when_it_was_saved():
    """The file stores the scores its model gave a few documents when training wrote it;
    today's prediction code (calibration, smoothing, line certainty included) must give
    them again."""
    from paysieve.model.persistence import default_model_path, load_model
    from paysieve.model.safe_unpickler import safe_loads

    stored = safe_loads(default_model_path().read_bytes())["self_check"]
    assert len(stored["documents"]) >= 2 and sum(map(len, stored["documents"])) >= 8
    model, _ = load_model()
    for got, want in zip(model.predict_proba_lines(stored["documents"]), stored["scores"]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
