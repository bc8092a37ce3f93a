import itertools

import numpy as np

from model.sequence_smoothing import smooth, transition_statistics


def test_statistics_come_from_adjacent_labelled_pairs():
    stay, prior = transition_statistics([np.array([1, 1, 0, 0, -1, 0]), np.array([1])])
    assert stay == 2 / 3  # pairs (1,1) (1,0) (0,0); pairs touching an unknown label skipped
    assert prior == 3 / 6


def test_a_lone_line_inside_a_run_follows_its_neighbours():
    p = np.array([0.9, 0.95, 0.4, 0.9, 0.92, 0.1, 0.05, 0.6, 0.1, 0.08])
    out = smooth(p, np.array([0, 10]), stay=0.95, prior=0.5)
    assert out[2] > 0.5 and out[7] < 0.5
    assert (out[:5] > 0.5).all() and (out[5:] < 0.5).all()
    assert ((out >= 0) & (out <= 1)).all()


def test_documents_are_smoothed_independently():
    rng = np.random.default_rng(1)
    lengths = [4, 1, 0, 9, 2]
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    p = rng.random(offsets[-1])
    together = smooth(p, offsets, 0.9, 0.6)
    for a, b in itertools.pairwise(offsets):
        if b > a:
            alone = smooth(p[a:b], np.array([0, b - a]), 0.9, 0.6)
            np.testing.assert_allclose(together[a:b], alone)
    assert len(smooth(np.zeros(0), np.array([0]), 0.9, 0.6)) == 0


def test_uninformative_transitions_leave_calibrated_probabilities_alone():
    p = np.array([0.2, 0.7, 0.4])
    np.testing.assert_allclose(smooth(p, np.array([0, 3]), stay=0.5, prior=0.5), p)
