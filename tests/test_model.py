import copy
import dataclasses

import numpy as np
import pytest
from paysieve.model.persistence import load_model, save_model
from paysieve.model.sequence_smoothing import transition_statistics
from paysieve.training.calibration import fit_score_calibration
from paysieve.training.fit import load_input
from paysieve.training.labeled_data import LabeledDocument
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import best_threshold, line_scores
from sklearn.exceptions import NotFittedError

from paysieve.errors import InputError

ESTIMATOR_PARAMS = {
    "n_features": 2**14,
    "max_iter": 60,
    "inner_folds": 2,
    "min_samples_leaf": 5,
    "folds": 2,
}


@pytest.fixture(scope="module")
def fitted(corpus_dir):
    """(estimator fitted on the fixture corpus, its training documents)."""
    docs = load_input(corpus_dir, copies=3).documents
    empty = LabeledDocument("empty", [], np.zeros(0, dtype=np.int64), group="none")
    docs.insert(1, empty)  # documents without lines are left out of training
    estimator = LineClassifier(**ESTIMATOR_PARAMS)
    returned = estimator.fit(
        [d.lines for d in docs],
        [d.labels for d in docs],
        groups=[d.group for d in docs],
        kinds=[d.kinds for d in docs],
    )
    assert returned is estimator
    return estimator, docs


def test_probabilities_are_per_line_and_in_range(small_model_path):
    model, _ = load_model(small_model_path)
    docs = [["Home", "News", "A sentence of text that reads like an article."], [], ["Share"]]
    out = model.predict_proba_lines(docs)
    assert [len(p) for p in out] == [3, 0, 1]
    flat = np.concatenate(out)
    assert ((flat >= 0) & (flat <= 1)).all()


def test_estimator_samples_are_documents_in_fit_predict_and_score(fitted):
    estimator, _ = fitted
    docs = [
        ["Home", "News", "The mayor said the bridge will reopen in May after repairs."],
        [],
        ["Subscribe now", "Sign in"],
    ]
    labels = [[1, 1, 0], [], [1, -1]]
    proba = estimator.predict_proba(docs)
    assert [p.shape for p in proba] == [(3, 2), (0, 2), (2, 2)]
    assert estimator.classes_.tolist() == [0, 1]
    for p, q in zip(proba, estimator.scorer_.predict_proba_lines(docs)):
        np.testing.assert_array_equal(p[:, 1], q)
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    threshold = estimator.scorer_.threshold_
    predicted = estimator.predict(docs)
    assert [p.tolist() for p in predicted] == [
        (p[:, 1] >= threshold).astype(int).tolist() for p in proba
    ]
    # predict labels at the model's threshold, whatever it is
    flat_proba = np.concatenate(proba)[:, 1]
    assert flat_proba.min() < 0.5 <= flat_proba.max()
    for threshold, everything in [(flat_proba.min(), 1), (np.nextafter(flat_proba.max(), 2), 0)]:
        other = copy.copy(estimator)
        calibration = dataclasses.replace(estimator.scorer_.calibration, threshold=threshold)
        other.scorer_ = dataclasses.replace(estimator.scorer_, calibration=calibration)
        assert np.concatenate(other.predict(docs)).tolist() == [everything] * len(flat_proba)
    # score: accuracy over the labelled lines only (the -1 line is left out)
    flat = np.concatenate(predicted)
    hits = (flat[:4] == np.array([1, 1, 0, 1])).sum()
    assert estimator.score(docs, labels) == pytest.approx(hits / 4)


def test_estimator_parameters_are_kept_and_copyable(fitted):
    estimator, _ = fitted
    assert estimator.get_params() == {**LineClassifier().get_params(), **ESTIMATOR_PARAMS}
    copy = LineClassifier(**estimator.get_params())
    assert copy.get_params() == estimator.get_params()
    assert not hasattr(copy, "scorer_")
    assert repr(LineClassifier(alpha=0.1, folds=3)) == "LineClassifier(alpha=0.1, folds=3)"
    with pytest.raises(NotFittedError, match="not fitted"):
        copy.predict([["Home"]])


def test_fit_leaves_a_finished_immutable_scorer(fitted):
    estimator, docs = fitted
    scorer = estimator.scorer_
    for target, name in [
        (scorer, "calibration"),
        (scorer, "html_stage"),
        (scorer.calibration, "threshold"),
        (scorer.calibration, "calibrator"),
        (scorer.text, "context_model"),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(target, name, None)
    # Calibrated and thresholded at construction: not the identity map, not 0.5.
    calibration = scorer.calibration
    assert calibration.threshold != 0.5
    assert calibration.output_calibrator is not None
    probe = np.linspace(0, 1, 11)
    assert not np.allclose(calibration.calibrator(probe), probe)
    assert scorer.html_stage is None and estimator.html_stage_report_ is None
    assert [len(p) for p in estimator.held_out_proba_] == [len(d.lines) for d in docs]


def test_fit_rejects_single_class_and_mismatched_labels():
    estimator = LineClassifier(n_features=2**8, inner_folds=2, folds=2)
    with pytest.raises(InputError, match="content and boilerplate"):
        estimator.fit([["a", "b"], ["c"]], [[0, 0], [0]])
    with pytest.raises(ValueError, match="one label per line"):
        estimator.fit([["a", "b"], ["c"]], [[0], [1]])
    with pytest.raises(ValueError, match="groups and documents differ"):
        estimator.fit([["a", "b"], ["c"]], [[0, 1], [1]], groups=["x"])
    with pytest.raises(InputError, match="content and boilerplate"):
        estimator.fit_text_model([["a", "b"], ["c"]], [[0, 0], [0]])
    with pytest.raises(ValueError, match="one label per line"):
        estimator.fit_text_model([["a", "b"]], [[0]])


def test_calibration_runs_the_smoothing_once_and_gives_what_the_model_computes(monkeypatch):
    import paysieve.model.score_calibration as score_calibration

    rng = np.random.default_rng(4)
    labels = [(rng.random(n) < 0.4).astype(np.int64) for n in (30, 12, 45)]
    labels[0][3] = -1
    raw = [np.column_stack([0.3 + 0.4 * y + rng.normal(0, 0.2, len(y)), rng.random(len(y))])
           for y in labels]  # fmt: skip
    runs = []
    real_smooth = score_calibration.smooth
    monkeypatch.setattr(score_calibration, "smooth", lambda *a: runs.append(1) or real_smooth(*a))
    tune = np.ones(sum(map(len, labels)), dtype=bool)
    calibration, proba = fit_score_calibration(raw, labels, tune, line_certainty=0.9)
    assert len(runs) == 1
    offsets = np.cumsum([0] + [len(y) for y in labels])
    np.testing.assert_array_equal(proba, calibration.probabilities(np.concatenate(raw), offsets))
    y = np.concatenate(labels)
    assert calibration.threshold == best_threshold(proba, y)


def test_save_load_round_trip_predicts_identically(small_model_path, tmp_path):
    model, meta = load_model(small_model_path)
    copy = tmp_path / "copy.joblib"
    save_model(model, copy, {k: v for k, v in meta.items() if k != "versions"})
    again, meta2 = load_model(copy)
    docs = [["Subscribe now", "The mayor said the bridge will reopen in May.", "Sign in"]]
    assert np.array_equal(model.predict_proba_lines(docs)[0], again.predict_proba_lines(docs)[0])
    assert meta2["threshold"] == pytest.approx(model.threshold_)
    assert set(meta2["versions"]) == {"paysieve", "numpy"}
    assert "scikit-learn" in meta2["trained_with"]
    assert not list(tmp_path.glob("*.tmp"))


def test_precision_recall_and_calibration_points():
    from paysieve.training.evaluation_plot import calibration_points, precision_recall_points

    y = np.array([1, 1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    precision, recall, thresholds = precision_recall_points(y, s)
    assert thresholds.tolist() == s.tolist()
    assert recall.tolist() == [1 / 3, 2 / 3, 2 / 3, 1, 1, 1]
    assert precision[:2].tolist() == [1.0, 1.0] and precision[2] == 2 / 3
    mean_p, observed = calibration_points(y, s, bins=2)
    assert observed.tolist() == [0.0, 0.75]
    assert np.allclose(mean_p, [0.15, 0.75])


def test_threshold_is_half_the_best_f1_away_from_one():
    rng = np.random.default_rng(5)
    p = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < p).astype(np.int64)  # calibrated: P(boilerplate) = p
    y[::50] = -1  # unknown labels are ignored
    known = y >= 0
    grid = np.linspace(0.01, 0.99, 99)
    best = max(
        line_scores(y[known], (p[known] >= t).astype(np.int64))["content"]["f1"] for t in grid
    )
    threshold = best_threshold(p, y)
    assert threshold == pytest.approx(1 - best / 2, abs=0.002)
    # Content F1 at the rule's threshold is within a hair of the best.
    at_rule = line_scores(y[known], (p[known] >= threshold).astype(np.int64))["content"]["f1"]
    assert at_rule > best - 0.005
    # A perfect separation gives F1 = 1, hence a threshold of one half.
    perfect = np.array([0.1, 0.2, 0.8, 0.9])
    assert best_threshold(perfect, np.array([0, 0, 1, 1])) == pytest.approx(0.5)


def test_the_smoothing_strength_reaches_the_fitted_chain(fitted):
    estimator, docs = fitted
    assert estimator.get_params()["smoothing"] == 0.5  # the default: the chain half-strength
    learned, _ = transition_statistics([d.labels for d in docs if d.lines])
    assert learned > 0.8  # runs of one label: a strong chain, were it not tempered
    assert estimator.scorer_.calibration.stay == pytest.approx(0.5 + 0.5 * (learned - 0.5))
    assert estimator.scorer_.calibration.smoothing
