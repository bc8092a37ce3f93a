import itertools

import numpy as np
from paysieve.model.sequence_smoothing import smooth, transition_statistics


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
    # The longest document runs alone past the others' ends (Python floats there, numpy
    # over the documents before): a document gets the same floats alone and in a batch.
    rng = np.random.default_rng(1)
    lengths = [4, 1, 0, 40, 9, 2]
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    p = rng.random(offsets[-1])
    together = smooth(p, offsets, 0.9, 0.6)
    for a, b in itertools.pairwise(offsets):
        if b > a:
            alone = smooth(p[a:b], np.array([0, b - a]), 0.9, 0.6)
            assert together[a:b].tobytes() == alone.tobytes()
    assert len(smooth(np.zeros(0), np.array([0]), 0.9, 0.6)) == 0


def test_uninformative_transitions_leave_calibrated_probabilities_alone():
    p = np.array([0.2, 0.7, 0.4])
    np.testing.assert_allclose(smooth(p, np.array([0, 3]), stay=0.5, prior=0.5), p)


def _forward_backward(p: np.ndarray, stay: float, prior: float) -> np.ndarray:
    """Textbook two-state forward-backward over one document (the reference)."""
    emit = np.column_stack([(1 - p) / (1 - prior), p / prior])
    trans = np.array([[stay, 1 - stay], [1 - stay, stay]])
    fwd = np.empty((len(p), 2))
    fwd[0] = emit[0] * [1 - prior, prior]
    fwd[0] /= fwd[0].sum()
    for t in range(1, len(p)):
        fwd[t] = emit[t] * (fwd[t - 1] @ trans)
        fwd[t] /= fwd[t].sum()
    bwd = np.full((len(p), 2), 0.5)
    for t in range(len(p) - 2, -1, -1):
        bwd[t] = trans @ (emit[t + 1] * bwd[t + 1])
        bwd[t] /= bwd[t].sum()
    post = fwd * bwd
    return post[:, 1] / post.sum(axis=1)


def test_posteriors_equal_textbook_forward_backward():
    rng = np.random.default_rng(7)
    lengths = [13, 0, 1, 7, 13, 2, 30]
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    p = rng.uniform(0.001, 0.999, offsets[-1])
    for stay, prior in [(0.92, 0.66), (0.6, 0.2), (0.999, 0.5)]:
        out = smooth(p, offsets, stay, prior)
        for a, b in itertools.pairwise(offsets):
            if b > a:
                np.testing.assert_allclose(
                    out[a:b], _forward_backward(p[a:b], stay, prior), rtol=0, atol=1e-12
                )
