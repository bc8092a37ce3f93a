import dataclasses

import numpy as np
import pytest
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.score_calibration import ScoreCalibration

# Stage-2 scores say "content" around every line; the line-alone probabilities differ.
CONTEXT = np.array([0.1, 0.3, 0.1, 0.3, 0.1])
ALONE = np.array([0.2, 0.995, 0.2, 0.98, 0.2])
RAW = np.column_stack([CONTEXT, ALONE])
OFFSETS = np.array([0, 5])
IDENTITY = CalibrationMap(np.array([0.0, 1.0]), np.array([0.0, 1.0]))


def calibration(**changes) -> ScoreCalibration:
    base = ScoreCalibration(
        stay=0.95,
        prior=0.5,
        smoothing=True,
        line_certainty=0.99,
        calibrator=IDENTITY,
        output_calibrator=IDENTITY,
        threshold=0.5,
    )
    return dataclasses.replace(base, **changes)


def test_a_line_certain_on_its_own_keeps_its_probability_against_its_context():
    smoothed = calibration().smoothed(CONTEXT, OFFSETS)
    assert smoothed[1] < 0.5  # the context alone would keep it
    proba = calibration().probabilities(RAW, OFFSETS)
    assert proba[1] == 0.995
    uncertain = [0, 2, 3, 4]
    np.testing.assert_allclose(proba[uncertain], smoothed[uncertain])


def test_without_line_certainty_context_decides_every_line():
    calib = calibration(line_certainty=None)
    np.testing.assert_allclose(calib.probabilities(RAW, OFFSETS), calib.smoothed(CONTEXT, OFFSETS))


def test_maps_apply_before_and_after_the_smoothing():
    halve = CalibrationMap(np.array([0.0, 1.0]), np.array([0.0, 0.5]))
    smoothed = calibration(calibrator=halve).smoothed(CONTEXT, OFFSETS)
    # The calibrator maps the scores the smoothing reads: less boilerplate evidence.
    assert (smoothed < calibration().smoothed(CONTEXT, OFFSETS)).all()
    # The output map applies to the smoothed probabilities, before the line-certainty floor.
    final = calibration(output_calibrator=halve, line_certainty=None).final(smoothed, ALONE)
    np.testing.assert_allclose(final, smoothed / 2)
    unsmoothed = calibration(smoothing=False, calibrator=halve, output_calibrator=None)
    np.testing.assert_allclose(unsmoothed.smoothed(CONTEXT, OFFSETS), CONTEXT / 2)


def test_calibration_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        calibration().threshold = 0.7  # type: ignore[misc]
