import numpy as np
import pytest
from paysieve.model.line_classifier import LineClassifier
from paysieve.model.persistence import load_model, save_model
from paysieve.training.metrics import best_threshold, line_scores


def test_probabilities_are_per_line_and_in_range(small_model_path):
    model, _ = load_model(small_model_path)
    docs = [["Home", "News", "A sentence of text that reads like an article."], [], ["Share"]]
    out = model.predict_proba_lines(docs)
    assert [len(p) for p in out] == [3, 0, 1]
    flat = np.concatenate(out)
    assert ((flat >= 0) & (flat <= 1)).all()
    assert model.predict_proba(docs).shape == (4, 2)
    assert model.predict(docs).tolist() == (flat >= model.threshold_).astype(int).tolist()


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


def test_fit_rejects_single_class_and_mismatched_labels():
    with pytest.raises(ValueError, match="both content and boilerplate"):
        LineClassifier(n_features=2**8, inner_folds=2).fit([["a", "b"], ["c"]], [[0, 0], [0]])
    with pytest.raises(ValueError, match="one label per line"):
        LineClassifier(n_features=2**8, inner_folds=2).fit([["a", "b"]], [[0]])


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
