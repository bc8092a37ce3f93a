import numpy as np
from paysieve.model.score_calibration import ScoreCalibration

# Stage-2 scores say "content" around every line; the line-alone probabilities differ.
CONTEXT = np.array([0.1, 0.3, 0.1, 0.3, 0.1])
ALONE = np.array([0.2, 0.995, 0.2, 0.98, 0.2])
RAW = np.column_stack([CONTEXT, ALONE])
OFFSETS = np.array([0, 5])


def test_a_line_certain_on_its_own_keeps_its_probability_against_its_context():
    calibration = ScoreCalibration(stay=0.95, prior=0.5, smoothing=True, line_certainty=0.99)
    smoothed = calibration.smoothed(CONTEXT, OFFSETS)
    assert smoothed[1] < 0.5  # the context alone would keep it
    proba = calibration.probabilities(RAW, OFFSETS)
    assert proba[1] == 0.995
    uncertain = [0, 2, 3, 4]
    np.testing.assert_allclose(proba[uncertain], smoothed[uncertain])


def test_without_line_certainty_context_decides_every_line():
    calibration = ScoreCalibration(stay=0.95, prior=0.5, smoothing=True, line_certainty=None)
    np.testing.assert_allclose(
        calibration.probabilities(RAW, OFFSETS), calibration.smoothed(CONTEXT, OFFSETS)
    )


def test_models_saved_before_line_certainty_behave_as_before():
    calibration = ScoreCalibration(stay=0.95, prior=0.5, line_certainty=0.99)
    del calibration.__dict__["line_certainty"]  # as unpickled from an older model file
    assert calibration.line_certainty is None
    np.testing.assert_allclose(
        calibration.probabilities(RAW, OFFSETS), calibration.smoothed(CONTEXT, OFFSETS)
    )
