"""The paysieve model: a per-line text classifier stacked under a document-context classifier.

Stage 1 reads each line alone (hashed word n-grams, affixes and shape) with a linear model.
Stage 2 is a gradient-boosted classifier over the context of every line: its neighbours'
stage-1 probabilities, its place in the document and the run of article-like lines around
it. Stage 2 is fitted on out-of-fold stage-1 probabilities, so it learns how much to trust
stage 1 on text it has not seen. An optional isotonic calibrator maps the stage-2 score to
a calibrated probability, and ``threshold_`` turns it into a label.

Documents are lists of lines; labels are per line 1 (boilerplate), 0 (content) or -1
(unknown: used as context, never as a training target).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold

from model.context_features import context_matrix
from model.line_features import LineFeaturizer

BOILERPLATE, CONTENT, UNKNOWN = 1, 0, -1


def document_offsets(documents: Sequence[Sequence[str]]) -> np.ndarray:
    """Start offset of every document in the flat line array, plus the total at the end."""
    return np.concatenate(([0], np.cumsum([len(d) for d in documents]))).astype(np.int64)


def _dup_counts(lines: Sequence[str]) -> np.ndarray:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return np.fromiter((counts[line] for line in lines), dtype=np.float64, count=len(lines))


class LineClassifier(ClassifierMixin, BaseEstimator):
    """Boilerplate probability for every line of a document, from its text and its context.

    Parameters
    ----------
    n_features : hashing space of the token features (the model's size grows with it).
    alpha : L2 regularisation of the stage-1 linear model.
    inner_folds : folds used to produce out-of-fold stage-1 probabilities for stage 2.
    max_iter, learning_rate, max_leaf_nodes : stage-2 gradient boosting settings.
    random_state : seed for every random choice, so fits are reproducible.
    """

    def __init__(
        self,
        n_features: int = 2**18,
        alpha: float = 1e-5,
        inner_folds: int = 4,
        max_iter: int = 300,
        learning_rate: float = 0.08,
        max_leaf_nodes: int = 31,
        random_state: int = 0,
    ) -> None:
        self.n_features = n_features
        self.alpha = alpha
        self.inner_folds = inner_folds
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------

    def _fit_line_model(self, X, y: np.ndarray, w: np.ndarray) -> SGDClassifier:
        model = SGDClassifier(
            loss="log_loss",
            alpha=self.alpha,
            max_iter=50,
            tol=1e-4,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            # A few epochs short of full convergence cost nothing measurable; stage 2 and
            # the calibrator correct the scale of the scores anyway.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(X, y, sample_weight=w)

    def _stage1_matrix(self, documents: Sequence[Sequence[str]]):
        lines = [line for doc in documents for line in doc]
        hashed, shape = self.featurizer_.transform(lines)
        return sparse.hstack([hashed, sparse.csr_matrix(shape)], format="csr"), shape, lines

    def _context(
        self,
        proba: np.ndarray,
        shape: np.ndarray,
        lines: Sequence[str],
        offsets: np.ndarray,
    ) -> np.ndarray:
        rows = [
            context_matrix(proba[a:b], shape[a:b], _dup_counts(lines[a:b]))
            for a, b in pairwise(offsets)
            if b > a
        ]
        return np.vstack(rows)

    def fit(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        groups: Sequence[object] | None = None,
        document_weight: Sequence[float] | None = None,
    ) -> LineClassifier:
        """Fit both stages on documents (lists of lines) and their per-line labels.

        ``groups`` (one per document, e.g. the site) keeps related documents in the same
        fold when building out-of-fold stage-1 probabilities; ``document_weight`` weighs
        every labelled line of a document (e.g. real pages above composed ones).
        """
        documents = [list(d) for d in documents if len(d)]
        labels_kept = [np.asarray(y, dtype=np.int64) for d, y in zip(documents, labels) if len(d)]
        if len(documents) != len(labels_kept):
            raise ValueError("documents and labels differ in length")
        self.featurizer_ = LineFeaturizer(self.n_features)
        offsets = document_offsets(documents)
        X, shape, lines = self._stage1_matrix(documents)
        y = np.concatenate(labels_kept)
        if len(y) != X.shape[0]:
            raise ValueError("every document needs exactly one label per line")
        doc_of_line = np.repeat(np.arange(len(documents)), np.diff(offsets))
        weight_per_doc = (
            np.ones(len(documents)) if document_weight is None else np.asarray(document_weight)
        )
        w = weight_per_doc[doc_of_line]
        known = y != UNKNOWN
        if len(np.unique(y[known])) < 2:
            raise ValueError("training data needs both content and boilerplate lines")
        group_of_doc = np.arange(len(documents)) if groups is None else np.asarray(groups)
        group_of_line = group_of_doc[doc_of_line]

        # Out-of-fold stage-1 probabilities: stage 2 must learn from honest inputs.
        oof = np.zeros(len(y))
        n_splits = min(self.inner_folds, len(np.unique(group_of_line)))
        for train, test in GroupKFold(n_splits=n_splits).split(X, y, group_of_line):
            train = train[known[train]]
            m = self._fit_line_model(X[train], y[train], w[train])
            oof[test] = m.predict_proba(X[test])[:, 1]
        self.line_model_ = self._fit_line_model(X[known], y[known], w[known])

        C = self._context(oof, shape, lines, offsets)
        self.context_model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=1.0,
            random_state=self.random_state,
        ).fit(C[known], y[known], sample_weight=w[known])
        self.calibrator_: IsotonicRegression | None = None
        self.threshold_ = 0.5
        self.classes_ = np.array([CONTENT, BOILERPLATE])
        return self

    # -- prediction ----------------------------------------------------------------------

    def raw_scores(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Uncalibrated stage-2 boilerplate scores of all lines, flattened in order."""
        documents = [list(d) for d in documents]
        offsets = document_offsets(documents)
        if offsets[-1] == 0:
            return np.zeros(0)
        X, shape, lines = self._stage1_matrix(documents)
        p1 = self.line_model_.predict_proba(X)[:, 1]
        return self.context_model_.predict_proba(self._context(p1, shape, lines, offsets))[:, 1]

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores (identity before ``set_calibration``)."""
        if self.calibrator_ is None or len(scores) == 0:
            return scores
        return self.calibrator_.predict(scores)

    def set_calibration(self, scores: np.ndarray, y: np.ndarray, threshold: float) -> None:
        """Fit the isotonic calibrator on held-out (score, label) pairs and set the threshold."""
        self.calibrator_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            scores, y
        )
        self.threshold_ = float(threshold)

    def predict_proba_lines(self, documents: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Calibrated boilerplate probability of every line, one array per document."""
        documents = [list(d) for d in documents]
        scores = self.raw_scores(documents)
        proba = self.calibrate(scores)
        offsets = document_offsets(documents)
        return [proba[a:b] for a, b in pairwise(offsets)]

    def predict_proba(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """scikit-learn shape: (n_lines, 2) columns [content, boilerplate], all lines flat."""
        flat = np.concatenate(self.predict_proba_lines(documents) or [np.zeros(0)])
        return np.column_stack([1 - flat, flat])

    def predict(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Flat 0/1 labels (1 = boilerplate) of all lines at the stored threshold."""
        return (self.predict_proba(documents)[:, 1] >= self.threshold_).astype(np.int64)
