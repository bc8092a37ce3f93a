"""The paysieve model: a per-line text classifier stacked under a document-context classifier.

Stage 1 reads each line alone (hashed word n-grams, affixes and shape) with a linear model.
Stage 2 is a gradient-boosted classifier over the context of every line: its neighbours'
stage-1 probabilities, its place in the document and the run of article-like lines around
it. Stage 2 is fitted on out-of-fold stage-1 probabilities, so it learns how much to trust
stage 1 on text it has not seen. Calibration, smoothing along the document with a two-state
hidden Markov model learned from the training labels, and the threshold are
``paysieve.model.score_calibration`` (fitted on held-out scores by
``paysieve.training.fit``). Beside them, a linear kind model reads the same line features
and names the kind of boilerplate a line is (paywall, pricing, account, navigation...),
learned from the kind annotations of the training corpus.

Documents are lists of lines; labels are per line 1 (boilerplate), 0 (content) or -1
(unknown: used as context, never as a training target).

This module fits (with scikit-learn); the fitted model is a
``paysieve.model.line_scorer.LineScorer`` (``scorer_``), which predicts with numpy alone and
is what a model file holds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from paysieve.model.kind_context import (
    KindContextModel,
    fit_kind_context,
    out_of_fold_kind_proba,
)
from paysieve.model.line_features import LineFeaturizer
from paysieve.model.line_scorer import (
    DocumentScores,
    LineScorer,
    document_offsets,
    line_context,
)
from paysieve.model.linear_model import LinearModel
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.sequence_smoothing import transition_statistics
from paysieve.model.tree_ensemble import TreeEnsemble
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold

from paysieve.labels import BOILERPLATE, CONTENT, UNKNOWN


class LineClassifier(ClassifierMixin, BaseEstimator):
    """Boilerplate probability for every line of a document, from its text and its context.

    Parameters
    ----------
    n_features : hashing space of the token features (the model's size grows with it).
    alpha : L2 regularisation of the stage-1 linear model.
    inner_folds : folds used to produce out-of-fold stage-1 probabilities for stage 2.
    max_iter, learning_rate, max_leaf_nodes, max_depth, min_samples_leaf : stage-2
        gradient boosting settings (kept small: numpy evaluates the trees at prediction).
    smoothing : smooth calibrated probabilities along each document with the learned
        two-state hidden Markov model.
    line_certainty : stage-1 probability from which a line's own text overrules its
        context: its final probability is at least its stage-1 one (None: context decides).
    kind_context : name kinds with the block-context kind stage
        (``paysieve.model.kind_context``) instead of pooling the line-alone kinds of each
        line's neighbours.
    random_state : seed for every random choice, so fits are reproducible.
    """

    def __init__(
        self,
        n_features: int = 2**18,
        alpha: float = 1e-5,
        inner_folds: int = 4,
        max_iter: int = 150,
        learning_rate: float = 0.15,
        max_leaf_nodes: int = 15,
        max_depth: int | None = 5,
        min_samples_leaf: int = 20,
        smoothing: bool = True,
        line_certainty: float | None = 0.99,
        kind_context: bool = True,
        random_state: int = 0,
    ) -> None:
        self.n_features = n_features
        self.alpha = alpha
        self.inner_folds = inner_folds
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.smoothing = smoothing
        self.line_certainty = line_certainty
        self.kind_context = kind_context
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
        index, hashed, shape = self.featurizer_.transform_distinct(lines)
        hashed, shape = hashed.take(index), shape[index]
        X = sparse.hstack([hashed.to_scipy(), sparse.csr_matrix(shape)], format="csr")
        return X, shape, index

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
        X, shape, text_index = self._stage1_matrix(documents)
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
        line_model = self._fit_line_model(X[known], y[known], w[known])
        kind_target = self._kind_targets(y, kinds_kept, offsets)
        kind_model = kind_context = None
        if len(self.kind_classes_) >= 2:
            kind_model = self._fit_kind_model(X, kind_target)
            if self.kind_context:
                kind_context = self._fit_kind_context(X, kind_target, text_index, oof, offsets)

        C = line_context(oof, shape, text_index, offsets)
        context_model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=1.0,
            random_state=self.random_state,
        ).fit(C[known], y[known], sample_weight=w[known])
        n_hashed = self.featurizer_.n_features
        self.scorer_ = LineScorer(
            featurizer=self.featurizer_,
            line_model=LinearModel.from_coefficients(
                line_model.coef_, line_model.intercept_, n_hashed
            ),
            context_model=TreeEnsemble.from_hist_gradient_boosting(context_model),
            kind_model=None
            if kind_model is None
            else LinearModel.from_coefficients(kind_model.coef_, kind_model.intercept_, n_hashed),
            kind_classes=self.kind_classes_,
            calibration=self.calibration_for(labels_kept),
        )
        self.scorer_.kind_context = kind_context
        self.classes_ = np.array([CONTENT, BOILERPLATE])
        return self

    def _fit_kind_context(
        self, X, target: np.ndarray, text_index: np.ndarray, p1: np.ndarray, offsets: np.ndarray
    ) -> KindContextModel:
        """The block-context kind stage (``paysieve.model.kind_context``), fitted on kind
        probabilities from kind models that never saw the line's text."""
        n_kinds = len(self.kind_classes_)
        oof_kinds = out_of_fold_kind_proba(
            X,
            target,
            text_index,
            n_kinds,
            self.inner_folds,
            lambda rows, t: self._fit_line_model(rows, t, np.ones(len(t))),
        )
        return fit_kind_context(oof_kinds, p1, offsets, target, n_kinds)

    def calibration_for(self, labels: Sequence[Sequence[int]]) -> ScoreCalibration:
        """An unfitted ``ScoreCalibration`` with this estimator's settings and the smoothing
        statistics of ``labels`` (its maps and threshold are fitted by
        ``paysieve.training.fit``)."""
        return ScoreCalibration(*transition_statistics(labels), self.smoothing, self.line_certainty)

    def _kind_targets(self, y: np.ndarray, kinds: list, offsets: np.ndarray) -> np.ndarray:
        """Per line, the index of its kind in ``kind_classes_`` (which this sets), or -1
        for lines that do not train the kind models (content, boilerplate without a kind)."""
        flat: list[str | None] = []
        for k, (a, b) in zip(kinds, pairwise(offsets)):
            flat.extend(k if k is not None else [None] * (b - a))
        rows = np.array([k is not None for k in flat], dtype=bool) & (y == BOILERPLATE)
        names = sorted({flat[i] for i in np.flatnonzero(rows)})
        self.kind_classes_ = tuple(names)
        target = np.full(len(y), -1, dtype=np.int64)
        target[rows] = [names.index(flat[i]) for i in np.flatnonzero(rows)]
        return target

    def _fit_kind_model(self, X, target: np.ndarray) -> SGDClassifier:
        rows = target >= 0
        return self._fit_line_model(X[rows], target[rows], np.ones(int(rows.sum())))

    # -- prediction (by the fitted scorer) -------------------------------------------------

    def raw_scores(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Uncalibrated scores of all lines, flattened in order: (n_lines, 2), the stage-2
        score and the stage-1 probability."""
        return self.scorer_.raw_scores(documents)

    def score_documents(
        self, documents: Sequence[Sequence[str]], with_kinds: bool = True
    ) -> list[DocumentScores]:
        """Per document, boilerplate and kind probabilities of its lines."""
        return self.scorer_.score_documents(documents, with_kinds)

    def predict_proba(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """(n_lines, 2) columns [content, boilerplate], all lines flat."""
        return self.scorer_.predict_proba(documents)

    def predict(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Flat 0/1 labels (1 = boilerplate) of all lines at the stored threshold."""
        return self.scorer_.predict(documents)
