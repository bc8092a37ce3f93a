import dataclasses

import numpy as np
import pytest
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.training.calibration import fit_score_calibration, tempered_stay

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


def test_smoothing_strength_draws_the_chain_towards_independent_lines():
    assert tempered_stay(0.9, 1.0) == pytest.approx(0.9)
    assert tempered_stay(0.9, 0.5) == pytest.approx(0.7)
    assert tempered_stay(0.9, 0.0) == 0.5
    with pytest.raises(ValueError, match="between 0 and 1"):
        tempered_stay(0.9, 1.5)
    # One document, three labelled pairs of which two agree: the labels' stay is 2/3.
    raw = [np.column_stack([np.array([0.1, 0.2, 0.8, 0.9]), np.full(4, 0.5)])]
    labels = [np.array([0, 0, 1, 1])]
    tune = np.ones(4, dtype=bool)
    full, _ = fit_score_calibration(raw, labels, tune, smoothing=1.0)
    half, _ = fit_score_calibration(raw, labels, tune, smoothing=0.5)
    off, _ = fit_score_calibration(raw, labels, tune, smoothing=0)
    assert (full.stay, half.stay) == (pytest.approx(2 / 3), pytest.approx(7 / 12))
    assert full.smoothing and half.smoothing and not off.smoothing
    # A lone boilerplate-looking line between content lines: the weaker the chain, the
    # more of its own evidence it keeps.
    context = np.array([0.05, 0.05, 0.8, 0.05, 0.05])
    offsets = np.array([0, 5])
    lone = [calibration(stay=s).smoothed(context, offsets)[2] for s in (0.95, 0.725, 0.5)]
    assert lone[0] < lone[1] < lone[2] == pytest.approx(0.8)
