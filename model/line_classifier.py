"""The paysieve model: a per-line text classifier stacked under a document-context classifier.

Stage 1 reads each line alone (hashed word n-grams, affixes and shape) with a linear model.
Stage 2 is a gradient-boosted classifier over the context of every line: its neighbours'
stage-1 probabilities, its place in the document and the run of article-like lines around
it. Stage 2 is fitted on out-of-fold stage-1 probabilities, so it learns how much to trust
stage 1 on text it has not seen. An optional isotonic calibrator maps the stage-2 score to
a calibrated probability, a two-state hidden Markov model learned from the training
labels smooths those along the document (``model.sequence_smoothing``), and
``threshold_`` turns the result into a label. Beside them, a
linear kind model reads the same line features and names the kind of boilerplate a line
is (paywall, pricing, account, navigation...), learned from the kind annotations of the
training corpus.

Documents are lists of lines; labels are per line 1 (boilerplate), 0 (content) or -1
(unknown: used as context, never as a training target).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence, Sized
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold

from model.context_features import block_kind_proba, context_matrix
from model.line_features import LineFeaturizer
from model.sequence_smoothing import smooth, transition_statistics

BOILERPLATE, CONTENT, UNKNOWN = 1, 0, -1


def document_offsets(documents: Sequence[Sized]) -> np.ndarray:
    """Start offset of every document (or per-document array) in the flat line array, plus
    the total at the end."""
    return np.concatenate(([0], np.cumsum([len(d) for d in documents]))).astype(np.int64)


@dataclass(frozen=True)
class DocumentScores:
    """Model output for one document: per-line boilerplate probability and kind probabilities.

    ``kind_proba`` has one column per name in ``LineClassifier.kind_classes_`` (None when
    the model has no kind model).
    """

    proba: np.ndarray
    kind_proba: np.ndarray | None


def _dup_counts(lines: Sequence[str], offsets: np.ndarray) -> np.ndarray:
    """How often each line's text occurs in its own document."""
    doc = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    keys = list(zip(doc.tolist(), lines))
    counts: dict[tuple[int, str], int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return np.fromiter((counts[k] for k in keys), dtype=np.float64, count=len(keys))


def _isotonic(scores: np.ndarray, y: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)


class LineClassifier(ClassifierMixin, BaseEstimator):
    """Boilerplate probability for every line of a document, from its text and its context.

    Parameters
    ----------
    n_features : hashing space of the token features (the model's size grows with it).
    alpha : L2 regularisation of the stage-1 linear model.
    inner_folds : folds used to produce out-of-fold stage-1 probabilities for stage 2.
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf : stage-2 gradient boosting
        settings.
    smoothing : smooth calibrated probabilities along each document with the learned
        two-state hidden Markov model.
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
        min_samples_leaf: int = 20,
        smoothing: bool = True,
        random_state: int = 0,
    ) -> None:
        self.n_features = n_features
        self.alpha = alpha
        self.inner_folds = inner_folds
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.smoothing = smoothing
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

    @staticmethod
    def _context(
        proba: np.ndarray, shape: np.ndarray, lines: Sequence[str], offsets: np.ndarray
    ) -> np.ndarray:
        return context_matrix(proba, shape, _dup_counts(lines, offsets), offsets)

    def fit(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        groups: Sequence[object] | None = None,
        document_weight: Sequence[float] | None = None,
        kinds: Sequence[Sequence[str | None] | None] | None = None,
    ) -> LineClassifier:
        """Fit both stages on documents (lists of lines) and their per-line labels.

        ``groups`` (one per document, e.g. the site) keeps related documents in the same
        fold when building out-of-fold stage-1 probabilities; ``document_weight`` weighs
        every labelled line of a document (e.g. real pages above composed ones); ``kinds``
        (per document None or one kind name or None per line) trains the kind model on
        the boilerplate lines that have one.
        """
        if len(documents) != len(labels) or (kinds is not None and len(kinds) != len(labels)):
            raise ValueError("documents, labels and kinds differ in length")
        keep = [i for i, d in enumerate(documents) if len(d)]
        documents = [list(documents[i]) for i in keep]
        labels_kept = [np.asarray(labels[i], dtype=np.int64) for i in keep]
        kinds_kept = [kinds[i] if kinds is not None else None for i in keep]
        if groups is not None:
            groups = [groups[i] for i in keep]
        if document_weight is not None:
            document_weight = [document_weight[i] for i in keep]
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
        self._fit_kind_model(X, y, kinds_kept, offsets)

        C = self._context(oof, shape, lines, offsets)
        self.context_model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=1.0,
            random_state=self.random_state,
        ).fit(C[known], y[known], sample_weight=w[known])
        self.calibrator_: IsotonicRegression | None = None
        self.output_calibrator_: IsotonicRegression | None = None
        self.threshold_ = 0.5
        self.stay_, self.prior_ = transition_statistics(labels_kept)
        self.classes_ = np.array([CONTENT, BOILERPLATE])
        return self

    def _fit_kind_model(self, X, y: np.ndarray, kinds: list, offsets: np.ndarray) -> None:
        flat: list[str | None] = []
        for k, (a, b) in zip(kinds, pairwise(offsets)):
            flat.extend(k if k is not None else [None] * (b - a))
        rows = np.array([k is not None for k in flat]) & (y == BOILERPLATE)
        names = sorted({flat[i] for i in np.flatnonzero(rows)})
        self.kind_classes_ = tuple(names)
        self.kind_model_: SGDClassifier | None = None
        if len(names) < 2:
            return
        target = np.array([names.index(flat[i]) for i in np.flatnonzero(rows)])
        self.kind_model_ = self._fit_line_model(X[rows], target, np.ones(len(target)))
        # Most hashed features never occur in a boilerplate line: a sparse coefficient
        # matrix keeps the model file and its memory small (predictions are unchanged).
        self.kind_model_.sparsify()

    # -- prediction ----------------------------------------------------------------------

    def _score(self, documents: list[list[str]], with_kinds: bool):
        """(raw stage-2 scores, kind probabilities or None) of all lines, flattened."""
        offsets = document_offsets(documents)
        with_kinds = with_kinds and getattr(self, "kind_model_", None) is not None
        if offsets[-1] == 0:
            return np.zeros(0), np.zeros((0, len(self.kind_classes_))) if with_kinds else None
        X, shape, lines = self._stage1_matrix(documents)
        p1 = self.line_model_.predict_proba(X)[:, 1]
        raw = self.context_model_.predict_proba(self._context(p1, shape, lines, offsets))[:, 1]
        if not with_kinds:
            return raw, None
        return raw, block_kind_proba(self.kind_model_.predict_proba(X), p1, offsets)

    def raw_scores(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Uncalibrated stage-2 boilerplate scores of all lines, flattened in order."""
        return self._score([list(d) for d in documents], with_kinds=False)[0]

    def score_documents(
        self, documents: Sequence[Sequence[str]], with_kinds: bool = True
    ) -> list[DocumentScores]:
        """Final boilerplate probabilities and (``with_kinds``) kind probabilities, one entry
        per document."""
        documents = [list(d) for d in documents]
        raw, kind_proba = self._score(documents, with_kinds)
        offsets = document_offsets(documents)
        proba = self.probabilities(raw, offsets)
        return [
            DocumentScores(proba[a:b], None if kind_proba is None else kind_proba[a:b])
            for a, b in pairwise(offsets)
        ]

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores (identity before ``set_calibration``)."""
        if self.calibrator_ is None or len(scores) == 0:
            return scores
        return self.calibrator_.predict(scores)

    def probabilities(self, raw: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Final boilerplate probabilities from the raw scores of documents laid end to end:
        calibrated, then smoothed along each document when ``smoothing`` is on."""
        proba = self.calibrate(raw)
        if not self.smoothing or len(proba) == 0:
            return proba
        proba = smooth(proba, offsets, self.stay_, self.prior_)
        output_calibrator = getattr(self, "output_calibrator_", None)
        return proba if output_calibrator is None else output_calibrator.predict(proba)

    def set_calibration(self, scores: np.ndarray, y: np.ndarray, threshold: float) -> None:
        """Fit the isotonic calibrator on held-out (score, label) pairs and set the threshold."""
        self.calibrator_ = _isotonic(scores, y)
        self.output_calibrator_ = None
        self.threshold_ = float(threshold)

    def set_output_calibration(self, smoothed: np.ndarray, y: np.ndarray) -> None:
        """Fit a second isotonic map on held-out (smoothed probability, label) pairs, so the
        probabilities the model reports stay calibrated after smoothing."""
        self.output_calibrator_ = _isotonic(smoothed, y)

    def predict_proba_lines(self, documents: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Calibrated boilerplate probability of every line, one array per document."""
        return [d.proba for d in self.score_documents(documents, with_kinds=False)]

    def predict_proba(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """scikit-learn shape: (n_lines, 2) columns [content, boilerplate], all lines flat."""
        flat = np.concatenate(self.predict_proba_lines(documents) or [np.zeros(0)])
        return np.column_stack([1 - flat, flat])

    def predict(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Flat 0/1 labels (1 = boilerplate) of all lines at the stored threshold."""
        return (self.predict_proba(documents)[:, 1] >= self.threshold_).astype(np.int64)
