"""The numpy prediction path reproduces the scikit-learn estimators it was copied from,
and predicting needs neither scikit-learn nor scipy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.linear_model import LinearModel
from paysieve.model.sparse_rows import SparseRows
from paysieve.model.tree_ensemble import TreeEnsemble
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import SGDClassifier


def _random_rows(rng: np.random.Generator, n_rows: int, n_columns: int) -> SparseRows:
    nnz = n_rows * 4
    row = rng.integers(0, n_rows, nnz)
    col = rng.integers(0, n_columns, nnz)
    return SparseRows.from_signed_entries(row, col, rng.random(nnz) < 0.5, n_rows, n_columns)


def test_sparse_rows_match_scipy():
    rng = np.random.default_rng(0)
    row = rng.integers(0, 50, 200)
    col = rng.integers(0, 30, 200)
    positive = rng.random(200) < 0.5
    rows = SparseRows.from_signed_entries(row, col, positive, 50, 30)
    value = np.where(positive, 1.0, -1.0)
    reference = sparse.coo_matrix((value, (row, col)), shape=(50, 30)).toarray()
    assert np.allclose(rows.to_scipy().toarray(), reference)
    assert np.all(np.diff(rows.indptr) >= 0) and rows.indptr[-1] == len(rows.indices)
    for a, b in zip(rows.indptr[:-1], rows.indptr[1:]):
        assert np.all(np.diff(rows.indices[a:b]) > 0)  # sorted, repeated entries summed
    pick = np.array([3, 3, 0, 49, 7])
    assert np.allclose(rows.take(pick).to_scipy().toarray(), reference[pick])
    weights = rng.normal(size=(30, 4))
    assert np.allclose(rows.row_sums(weights[rows.indices]), reference @ weights)
    assert np.allclose(rows.row_sums(weights[rows.indices, 0]), reference @ weights[:, 0])
    kept = rows.indices % 2 == 0
    assert np.allclose(
        rows.row_sums(weights[rows.indices[kept]], entries=kept),
        reference[:, ::2] @ weights[::2],
    )
    norms = np.linalg.norm(rows.normalized().to_scipy().toarray(), axis=1)
    assert np.allclose(norms[np.linalg.norm(reference, axis=1) > 0], 1.0)


def test_row_sums_without_a_copy_write_the_products_into_the_weights():
    rows = _random_rows(np.random.default_rng(1), 40, 25)
    weights = np.random.default_rng(2).normal(size=(len(rows.indices), 3)).astype(np.float32)
    reference = rows.row_sums(weights)
    scratch = weights.copy()
    assert np.array_equal(rows.row_sums(scratch, copy=False), reference)  # the same floats
    expected = weights * rows.data.astype(np.float32)[:, None]
    assert np.array_equal(scratch, expected)  # ... made in the caller's temporary
    assert not np.array_equal(scratch, weights)


def test_sparse_rows_of_nothing():
    empty = SparseRows.from_signed_entries(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool), 3, 8
    )
    assert empty.indptr.tolist() == [0, 0, 0, 0]
    assert empty.normalized().row_sums(np.ones(0)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("max_depth", [None, 3])
def test_tree_ensemble_matches_hist_gradient_boosting(max_depth):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 6))
    y = ((X[:, 0] > 0) ^ (X[:, 1] * X[:, 2] > 0.3)).astype(int)
    # NaN in training teaches each split where missing values go (either side)
    X[rng.random(X.shape) < 0.1] = np.nan
    model = HistGradientBoostingClassifier(max_iter=40, max_depth=max_depth, random_state=0)
    model.fit(X, y)
    trees = TreeEnsemble.from_hist_gradient_boosting(model)
    assert trees.n_trees == model.n_iter_
    assert trees.nan_right.any() and not trees.nan_right.all()
    test = rng.normal(size=(500, 6))
    test[rng.random(test.shape) < 0.2] = np.nan
    expected = model.decision_function(test)
    assert np.allclose(trees.decision_function(test), expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="6 columns"):
        trees.decision_function(test[:, :5])


def test_linear_model_matches_sgd_binary_and_multiclass():
    rng = np.random.default_rng(2)
    hashed = _random_rows(rng, 400, 64).normalized()
    shape = rng.normal(size=(400, 3))
    X = sparse.hstack([hashed.to_scipy(), sparse.csr_matrix(shape)], format="csr")
    binary = SGDClassifier(loss="log_loss", random_state=0).fit(X, rng.integers(0, 2, 400))
    linear = LinearModel.from_coefficients(binary.coef_, binary.intercept_, 64)
    assert np.allclose(linear.predict_proba(hashed, shape), binary.predict_proba(X)[:, 1])
    multi = SGDClassifier(loss="log_loss", random_state=0).fit(X, rng.integers(0, 4, 400))
    multi.sparsify()
    kinds = LinearModel.from_coefficients(multi.coef_, multi.intercept_, 64)
    assert np.allclose(kinds.class_proba(hashed, shape), multi.predict_proba(X))


def test_linear_model_keeps_only_columns_with_weights():
    coef = np.zeros((3, 10))
    coef[:, [2, 7]] = 1.0
    model = LinearModel.from_coefficients(coef, np.zeros(3), n_hashed=8)
    assert model.coef.shape == (3, 3)  # two kept columns and the zero row
    assert model.column_map.tolist() == [2, 2, 0, 2, 2, 2, 2, 1, 2, 2]


def test_calibration_map_matches_isotonic_regression():
    rng = np.random.default_rng(3)
    scores = rng.random(300)
    y = (rng.random(300) < scores).astype(int)
    fitted = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scores, y)
    mapped = CalibrationMap(fitted.X_thresholds_, fitted.y_thresholds_)
    probe = np.linspace(-0.5, 1.5, 101)
    assert np.allclose(mapped(probe), fitted.predict(probe))


def test_predicting_imports_neither_scikit_learn_nor_scipy(small_model_path):
    code = (
        "import sys\n"
        "from paysieve import Detector\n"
        f"d = Detector({str(small_model_path)!r})\n"
        "d.predict_lines(['Subscribe now', 'The council met on Tuesday to vote.'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
