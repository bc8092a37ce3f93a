"""A fitted linear model over a line's hashed tokens and shape, scored with numpy alone.

Stage 1 (boilerplate or not) and the kind model (which kind of boilerplate) are linear
models fitted by scikit-learn's ``SGDClassifier`` on the columns
``[hashed tokens | shape features]``. Their coefficients are copied here, so predicting
needs neither scikit-learn nor scipy. The kind model's coefficients are mostly zero (most
hashed features never occur in a boilerplate line): only the columns with a non-zero
weight are kept, behind a column map. Weights are stored as float32 (half the file and the
load time; scores move by about 1e-7).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from paysieve.model.sparse_rows import SparseRows


def logistic(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class LinearModel:
    """Logistic-regression style scores: one-vs-rest over ``n_classes`` columns (one column
    for a binary model).

    ``coef`` has one row per kept column; ``column_map`` maps a hashed column to its row
    (``len(coef) - 1``, an all-zero row, for columns whose weights are all zero).
    """

    def __init__(
        self, coef: np.ndarray, intercept: np.ndarray, column_map: np.ndarray, n_hashed: int
    ) -> None:
        self.coef = coef
        self.intercept = intercept
        self.column_map = column_map
        self.n_hashed = int(n_hashed)

    @classmethod
    def from_coefficients(cls, coef: Any, intercept: np.ndarray, n_hashed: int) -> LinearModel:
        """From scikit-learn's ``coef_`` (n_classes, n_hashed + n_shape), dense or sparse."""
        dense = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef, np.float64)
        weights = dense.T  # (n_columns, n_classes)
        used = np.flatnonzero(np.any(weights != 0, axis=1))
        column_map = np.full(weights.shape[0], len(used), dtype=np.int32)
        column_map[used] = np.arange(len(used), dtype=np.int32)
        kept = np.vstack([weights[used], np.zeros((1, weights.shape[1]))]).astype(np.float32)
        return cls(kept, np.asarray(intercept, np.float64).ravel(), column_map, n_hashed)

    @property
    def n_classes(self) -> int:
        """Classes scored: 1 for a binary model (the positive class)."""
        return self.coef.shape[1]

    def decision_function(self, hashed: SparseRows, shape: np.ndarray) -> np.ndarray:
        """(n_rows, n_classes) linear scores of rows given as hashed tokens plus shape."""
        rows = self.column_map[hashed.indices]
        weighted = rows < len(self.coef) - 1  # entries of columns with all-zero weights add 0
        token_part = hashed.row_sums(self.coef[rows[weighted]], entries=weighted, copy=False)
        shape_part = shape @ self.coef[self.column_map[self.n_hashed :]]
        return token_part + shape_part + self.intercept

    def predict_proba(self, hashed: SparseRows, shape: np.ndarray) -> np.ndarray:
        """Positive-class probability (binary: shape (n_rows,)), or one-vs-rest
        probabilities normalised over the classes (multiclass: (n_rows, n_classes))."""
        proba = logistic(self.decision_function(hashed, shape))
        if self.n_classes == 1:
            return proba[:, 0]
        total = proba.sum(axis=1, keepdims=True)
        return np.divide(proba, total, out=np.full_like(proba, 1 / self.n_classes), where=total > 0)

    def class_proba(self, hashed: SparseRows, shape: np.ndarray) -> np.ndarray:
        """(n_rows, n_labels) probability of every label, as scikit-learn's
        ``predict_proba`` gives it (a binary model has the two columns [negative, positive])."""
        proba = self.predict_proba(hashed, shape)
        return np.column_stack([1 - proba, proba]) if proba.ndim == 1 else proba
