"""The training pipeline: from labelled documents to a finished ``LineScorer``.

``LineClassifier.fit`` is the one place a model is made, in this order:

1. grouped cross-validation of the text model (``paysieve.model.text_model``): out-of-fold
   raw scores of every line, from fold models that saw no document of its group;
2. the score calibration fitted on those held-out scores (isotonic maps, the smoothing
   statistics of the labels, the threshold; ``paysieve.training.calibration``);
3. the text model fitted on all documents;
4. when some documents come with their page's HTML structure, the HTML stage fitted on
   those pages from their held-out probabilities (``paysieve.training.html_stage``);
5. the immutable ``paysieve.model.line_scorer.LineScorer`` built from the parts.

A text model is fitted in two stages. Stage 1 is a linear model on each line's hashed
tokens and shape; stage 2, gradient boosting over each line's context, is fitted on
out-of-fold stage-1 probabilities (inner folds), so it learns how much to trust stage 1 on
text it has not seen. A linear kind model, learned from the kind annotations of the
boilerplate lines, names the kind of a boilerplate line; documents marked kinds-only train
it and the kind stage, and nothing else, so they teach kinds without moving a single
boilerplate probability. Fitting uses scikit-learn; the fitted parts are copied into
numpy-only classes.

The estimator follows scikit-learn's conventions without claiming its classifier contract
(it has no scikit-learn base class): a sample is a document, a list of lines, and its
target is one label per line, 1 (boilerplate), 0 (content) or -1 (unknown: used as
context, never as a training target). ``fit``, ``predict_proba``, ``predict`` and ``score``
all take documents and give one result per document. scikit-learn's estimator checks do
not apply: they feed two-dimensional numeric arrays with one label per row.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from paysieve.model.html_stage import HtmlStructure
from paysieve.model.kind_context import (
    KindContextModel,
    enough_texts,
    fit_kind_context,
    out_of_fold_kind_proba,
)
from paysieve.model.line_features import LineFeaturizer
from paysieve.model.line_scorer import LineScorer
from paysieve.model.linear_model import LinearModel
from paysieve.model.text_model import TextModel, document_offsets, line_context
from paysieve.model.tree_ensemble import TreeEnsemble
from paysieve.training.calibration import fit_score_calibration
from paysieve.training.html_stage import fit_html_stage
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold

from paysieve.errors import InputError
from paysieve.labels import BOILERPLATE, CONTENT, UNKNOWN

Progress = Callable[[str], None]


class LineClassifier:
    """Boilerplate probability for every line of a document, from its text and its context.

    Parameters
    ----------
    n_features : hashing space of the token features (the model's size grows with it).
    alpha : L2 regularisation of the stage-1 linear model.
    inner_folds : folds used to produce out-of-fold stage-1 probabilities for stage 2.
    max_iter, learning_rate, max_leaf_nodes, max_depth, min_samples_leaf : stage-2
        gradient boosting settings (kept small: numpy evaluates the trees at prediction).
    smoothing : how strongly to smooth calibrated probabilities along each document with
        the learned two-state hidden Markov model, from 0 (off) to 1 (the chain's "stay"
        probability as the labels' runs give it); in between, the stay probability is
        drawn towards 0.5 (``paysieve.training.calibration.tempered_stay``). Stage 2
        already reads each line's neighbours, so the full chain counts the context twice.
        True and False mean 1 and 0.
    html_smoothing : the smoothing strength of the probabilities the HTML stage reads and
        is fitted on (its own calibration in the model when it differs from
        ``smoothing``): the page structure settles the lines at a run's edge there, and a
        stronger chain serves it better.
    line_certainty : stage-1 probability from which a line's own text overrules its
        context: its final probability is at least its stage-1 one (None: context decides).
    kind_context : name kinds with the block-context kind stage
        (``paysieve.model.kind_context``) instead of pooling the line-alone kinds of each
        line's neighbours (when the training data holds enough distinct kind-labelled
        texts: ``paysieve.model.kind_context.MIN_DISTINCT_TEXTS``).
    folds : grouped cross-validation folds whose held-out scores the calibration and the
        threshold are fitted on.
    random_state : seed for every random choice, so fits are reproducible.

    Attributes (after ``fit``)
    --------------------------
    scorer_ : the finished model (what a model file holds).
    held_out_proba_ : per training document, the final probabilities of its lines from
        cross-validation (the text model's; the HTML stage reports its own; empty for the
        kinds-only documents).
    html_stage_report_ : the HTML stage's cross-validated scores (None without one).
    classes_ : the line labels, [content, boilerplate].
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
        smoothing: float = 0.5,
        html_smoothing: float = 1.0,
        line_certainty: float | None = 0.99,
        kind_context: bool = True,
        folds: int = 5,
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
        self.html_smoothing = html_smoothing
        self.line_certainty = line_certainty
        self.kind_context = kind_context
        self.folds = folds
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters and their values (``LineClassifier(**params)``
        makes an unfitted copy)."""
        return {name: getattr(self, name) for name in inspect.signature(type(self)).parameters}

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # -- the training pipeline -------------------------------------------------------------

    def fit(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        groups: Sequence[object] | None = None,
        document_weight: Sequence[float] | None = None,
        kinds: Sequence[Sequence[str | None] | None] | None = None,
        html: Sequence[HtmlStructure | None] | None = None,
        tune: Sequence[bool] | None = None,
        progress: Progress | None = None,
        kinds_only: Sequence[bool] | None = None,
    ) -> LineClassifier:
        """Fit the whole model on documents (lists of lines) and their per-line labels.

        ``groups`` (one per document, e.g. the site) keeps related documents in the same
        fold, in cross-validation and in the inner folds of stage 2; ``document_weight``
        weighs every labelled line of a document (e.g. real pages above composed ones);
        ``kinds`` (per document None or one kind name or None per line) trains the kind
        model on the boilerplate lines that have one; ``html`` (per document None or its
        page's (structure, container)) trains the HTML stage; ``tune`` (per document) picks
        the documents whose lines the threshold is tuned on (default: all); ``progress``
        receives a line of text at each step; ``kinds_only`` (per document) marks the
        documents that train the kind model and the kind stage and nothing else: the
        boilerplate model, its calibration and the HTML stage never see them, and they
        get no held-out probabilities.
        """
        given = _TrainingSet.of(
            documents, labels, groups, document_weight, kinds, html, tune, kinds_only
        )
        oof, _ = self.cross_val_raw_scores(
            given.documents,
            given.labels,
            given.groups,
            given.weights,
            given.kinds,
            progress=progress,
            kinds_only=given.kinds_only,
        )
        if progress:
            progress("fitting the final model on all documents")
        text = self.fit_text_model(
            given.documents,
            given.labels,
            given.groups,
            given.weights,
            given.kinds,
            kinds_only=given.kinds_only,
        )
        scored = np.flatnonzero(~given.kinds_only)
        data = given.subset(scored)
        oof = [oof[i] for i in scored]
        tune_lines = np.repeat(data.tune, [len(d) for d in data.documents])
        calibration, proba = fit_score_calibration(
            oof, data.labels, tune_lines, self.smoothing, self.line_certainty
        )
        lengths = [len(d) for d in data.documents]
        held_out = _split(proba, lengths)
        html_stage = report = html_calibration = None
        if any(h is not None for h in data.html):
            if progress:
                progress("fitting the HTML stage on the pages with their HTML")
            stage_input = held_out
            if self.html_smoothing != self.smoothing:
                html_calibration, html_proba = fit_score_calibration(
                    oof, data.labels, tune_lines, self.html_smoothing, self.line_certainty
                )
                stage_input = _split(html_proba, lengths)
            fitted = fit_html_stage(
                data.documents,
                data.labels,
                data.groups,
                data.html,
                stage_input,
                calibration.threshold,
                random_state=self.random_state,
            )
            if fitted is not None:
                html_stage, report = fitted
            else:
                html_calibration = None
        self.scorer_ = LineScorer(text, calibration, html_stage, html_calibration=html_calibration)
        self.held_out_proba_ = data.restore(held_out)
        self.html_stage_report_ = report
        self.classes_ = np.array([CONTENT, BOILERPLATE])
        return self

    def cross_val_raw_scores(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[np.ndarray],
        groups: Sequence[object],
        document_weight: Sequence[float],
        kinds: Sequence[Sequence[str | None] | None],
        extra: Sequence[Sequence[str]] = (),
        extra_groups: Sequence[object] = (),
        progress: Progress | None = None,
        on_fold: Callable[[TextModel, np.ndarray], None] | None = None,
        kinds_only: Sequence[bool] | None = None,
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Out-of-fold raw scores (``TextModel.raw_scores``) per document, from ``folds``
        text models fitted on folds grouped by ``groups``.

        ``extra`` documents (e.g. other views of the same pages) are scored by the fold
        model that did not train on their group (``extra_groups``); those of groups absent
        from ``groups`` by the first. ``on_fold`` gets every fold's text model and the
        indices of the documents it did not train on (e.g. to keep the fold models).
        ``kinds_only`` documents (as for ``fit``) take no part in the folds: each fold
        model trains its kinds on those of the other folds' groups (of groups no other
        document has: on all of them), and they get no scores.
        """
        groups = np.asarray(groups)
        weights = np.asarray(document_weight)
        only = np.zeros(len(documents), bool)
        if kinds_only is not None:
            only = np.asarray(kinds_only, dtype=bool)
        scored, kind_rows = np.flatnonzero(~only), np.flatnonzero(only)
        oof: list[np.ndarray] = [np.zeros(0)] * len(documents)
        extra_scores: list[np.ndarray] = [np.zeros(0)] * len(extra)
        splitter = GroupKFold(n_splits=min(self.folds, len(set(groups[scored]))))
        splits = [
            (scored[train], scored[test])
            for train, test in splitter.split(np.zeros(len(scored)), groups=groups[scored])
        ]
        fold_of_group = {g: k for k, (_, test) in enumerate(splits) for g in groups[test]}
        for k, (train, test) in enumerate(splits):
            if progress:
                progress(f"cross-validation fold {k + 1}/{len(splits)}")
            train = np.concatenate(
                [train, [i for i in kind_rows if fold_of_group.get(groups[i]) != k]]
            ).astype(np.int64)
            model = self.fit_text_model(
                [documents[i] for i in train],
                [labels[i] for i in train],
                groups=groups[train],
                document_weight=weights[train],
                kinds=[kinds[i] for i in train],
                kinds_only=only[train],
            )
            if on_fold:
                on_fold(model, test)
            mine = [i for i, g in enumerate(extra_groups) if fold_of_group.get(g, 0) == k]
            targets = [documents[i] for i in test] + [extra[i] for i in mine]
            scores = _split(model.raw_scores(targets), [len(d) for d in targets])
            for i, s in zip(test, scores[: len(test)]):
                oof[i] = s
            for i, s in zip(mine, scores[len(test) :]):
                extra_scores[i] = s
        return oof, extra_scores

    # -- the text model --------------------------------------------------------------------

    def fit_text_model(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        groups: Sequence[object] | None = None,
        document_weight: Sequence[float] | None = None,
        kinds: Sequence[Sequence[str | None] | None] | None = None,
        kinds_only: Sequence[bool] | None = None,
    ) -> TextModel:
        """The text model (both stages and the kind model) fitted on documents and their
        per-line labels (arguments as for ``fit``); what cross-validation fits per fold.
        Both stages are fitted exactly as without the ``kinds_only`` documents."""
        given = _TrainingSet.of(
            documents, labels, groups, document_weight, kinds, None, None, kinds_only
        )
        # The documents that train everything come first, so that their lines have the
        # rows, text ids and folds they have without the kinds-only documents.
        data = given.subset(np.argsort(given.kinds_only, kind="stable"))
        featurizer = LineFeaturizer(self.n_features)
        all_offsets = document_offsets(data.documents)
        X_all, shape, text_all = _stage1_matrix(featurizer, data.documents)
        y_all = np.concatenate(data.labels)
        doc_of_line = np.repeat(np.arange(len(data.documents)), np.diff(all_offsets))
        group_all = np.asarray(data.groups)[doc_of_line]
        n_docs = int((~data.kinds_only).sum())
        n = int(all_offsets[n_docs])
        offsets = all_offsets[: n_docs + 1]
        X = X_all if n == X_all.shape[0] else X_all[:n]
        y, text_index, shape = y_all[:n], text_all[:n], shape[:n]
        w = data.weights[doc_of_line[:n]]
        known = y != UNKNOWN
        group_of_line = group_all[:n]

        # Out-of-fold stage-1 probabilities: stage 2 must learn from honest inputs. The
        # kind stage reads them too, and the kinds-only lines get theirs from the fold
        # model that did not train on their group (from the final line model for groups
        # no other document has).
        p1 = np.zeros(len(y_all))
        pending = np.arange(n, len(y_all))
        n_splits = min(self.inner_folds, len(np.unique(group_of_line)))
        for train, test in GroupKFold(n_splits=n_splits).split(X, y, group_of_line):
            train = train[known[train]]
            m = self._fit_line_model(X[train], y[train], w[train])
            p1[test] = m.predict_proba(X[test])[:, 1]
            mine = np.isin(group_all[pending], group_of_line[test])
            if mine.any():
                p1[pending[mine]] = m.predict_proba(X_all[pending[mine]])[:, 1]
                pending = pending[~mine]
        line_model = self._fit_line_model(X[known], y[known], w[known])
        if len(pending):
            p1[pending] = line_model.predict_proba(X_all[pending])[:, 1]
        oof = p1[:n]
        kind_classes, kind_target = _kind_targets(y_all, data.kinds, all_offsets)
        kind_model = kind_context = None
        if len(kind_classes) >= 2:
            kind_model = self._fit_kind_model(X_all, kind_target)
            if self.kind_context and enough_texts(kind_target, text_all):
                kind_context = self._fit_kind_context(
                    X_all, kind_target, len(kind_classes), text_all, p1, all_offsets
                )

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
        n_hashed = featurizer.n_features
        return TextModel(
            featurizer=featurizer,
            line_model=LinearModel.from_coefficients(
                line_model.coef_, line_model.intercept_, n_hashed
            ),
            context_model=TreeEnsemble.from_hist_gradient_boosting(context_model),
            kind_model=None
            if kind_model is None
            else LinearModel.from_coefficients(kind_model.coef_, kind_model.intercept_, n_hashed),
            kind_classes=kind_classes,
            kind_context=kind_context,
        )

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

    def _fit_kind_model(self, X, target: np.ndarray) -> SGDClassifier:
        """The line-alone kind model, on the lines whose kind is known (``target`` >= 0)."""
        rows = target >= 0
        return self._fit_line_model(X[rows], target[rows], np.ones(int(rows.sum())))

    def _fit_kind_context(
        self,
        X,
        target: np.ndarray,
        n_kinds: int,
        text_index: np.ndarray,
        p1: np.ndarray,
        offsets: np.ndarray,
    ) -> KindContextModel:
        """The block-context kind stage (``paysieve.model.kind_context``), fitted on kind
        probabilities from kind models that never saw the line's text."""
        oof_kinds = out_of_fold_kind_proba(
            X,
            target,
            text_index,
            n_kinds,
            self.inner_folds,
            lambda rows, t: self._fit_line_model(rows, t, np.ones(len(t))),
        )
        return fit_kind_context(oof_kinds, p1, offsets, target, n_kinds)

    # -- prediction (by the fitted scorer) -------------------------------------------------

    def _scorer(self) -> LineScorer:
        if not hasattr(self, "scorer_"):
            raise NotFittedError("this LineClassifier is not fitted yet; call fit first")
        return self.scorer_

    def predict_proba(
        self, documents: Sequence[Sequence[str]], html: Sequence[HtmlStructure] | None = None
    ) -> list[np.ndarray]:
        """Per document, an (n_lines, 2) array of its lines' probabilities, columns as
        ``classes_`` ([content, boilerplate]); ``html`` as for ``LineScorer.score_documents``."""
        scores = self._scorer().score_documents(documents, with_kinds=False, html=html)
        return [np.column_stack([1 - s.proba, s.proba]) for s in scores]

    def predict(
        self, documents: Sequence[Sequence[str]], html: Sequence[HtmlStructure] | None = None
    ) -> list[np.ndarray]:
        """Per document, the 0/1 label (1 = boilerplate) of each line at the model's
        threshold."""
        threshold = self._scorer().threshold_
        return [
            (p[:, 1] >= threshold).astype(np.int64) for p in self.predict_proba(documents, html)
        ]

    def score(
        self,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        html: Sequence[HtmlStructure] | None = None,
    ) -> float:
        """Accuracy of ``predict`` over the labelled lines of ``documents`` (unknown, -1,
        lines are left out)."""
        y = np.concatenate([np.asarray(lab, dtype=np.int64) for lab in labels] or [np.zeros(0)])
        pred = np.concatenate(self.predict(documents, html) or [np.zeros(0)])
        if len(y) != len(pred):
            raise ValueError("every document needs exactly one label per line")
        known = y != UNKNOWN
        return float((pred[known] == y[known]).mean()) if known.any() else 0.0


@dataclass(frozen=True)
class _TrainingSet:
    """The arguments of ``LineClassifier.fit``, checked, with defaults filled in, for the
    documents that have lines (``keep``: their positions among the ``n_given``)."""

    documents: list[list[str]]
    labels: list[np.ndarray]
    groups: list[object]
    weights: np.ndarray
    kinds: list
    html: list
    tune: np.ndarray
    kinds_only: np.ndarray
    keep: list[int]
    n_given: int

    @classmethod
    def of(
        cls,
        documents: Sequence[Sequence[str]],
        labels: Sequence[Sequence[int]],
        groups: Sequence[object] | None,
        weights: Sequence[float] | None,
        kinds: Sequence[Sequence[str | None] | None] | None,
        html: Sequence[HtmlStructure | None] | None,
        tune: Sequence[bool] | None,
        kinds_only: Sequence[bool] | None = None,
    ) -> _TrainingSet:
        """The training set of ``fit``'s arguments; ValueError (InputError for labels
        without both classes outside the kinds-only documents) when they do not fit
        together."""
        n = len(documents)
        given = {"labels": labels, "groups": groups, "weights": weights, "kinds": kinds}
        given |= {"html": html, "tune": tune, "kinds_only": kinds_only}
        for name, values in given.items():
            if values is not None and len(values) != n:
                raise ValueError(f"{name} and documents differ in length")
        defaults = {"groups": range(n), "weights": [1.0] * n, "kinds": [None] * n}
        defaults |= {"html": [None] * n, "tune": [True] * n, "kinds_only": [False] * n}
        keep = [i for i, d in enumerate(documents) if len(d)]
        parts = {
            name: [(default if given[name] is None else given[name])[i] for i in keep]
            for name, default in defaults.items()
        }
        kept_labels = [np.asarray(labels[i], dtype=np.int64) for i in keep]
        if any(len(documents[i]) != len(y) for i, y in zip(keep, kept_labels)):
            raise ValueError("every document needs exactly one label per line")
        scored = [y for y, only in zip(kept_labels, parts["kinds_only"]) if not only]
        present = set(np.concatenate(scored).tolist()) if scored else set()
        if not {CONTENT, BOILERPLATE} <= present:
            beside = " besides the kinds-only documents" if len(scored) < len(keep) else ""
            raise InputError(f"training data needs labelled content and boilerplate lines{beside}")
        return cls(
            documents=[list(documents[i]) for i in keep],
            labels=kept_labels,
            groups=parts["groups"],
            weights=np.asarray(parts["weights"], dtype=np.float64),
            kinds=parts["kinds"],
            html=parts["html"],
            tune=np.asarray(parts["tune"], dtype=bool),
            kinds_only=np.asarray(parts["kinds_only"], dtype=bool),
            keep=keep,
            n_given=n,
        )

    def subset(self, rows: Sequence[int]) -> _TrainingSet:
        """The documents at ``rows`` (positions in this set), in that order."""
        return _TrainingSet(
            documents=[self.documents[i] for i in rows],
            labels=[self.labels[i] for i in rows],
            groups=[self.groups[i] for i in rows],
            weights=self.weights[rows],
            kinds=[self.kinds[i] for i in rows],
            html=[self.html[i] for i in rows],
            tune=self.tune[rows],
            kinds_only=self.kinds_only[rows],
            keep=[self.keep[i] for i in rows],
            n_given=self.n_given,
        )

    def restore(self, per_document: list[np.ndarray]) -> list[np.ndarray]:
        """Per-document results in the caller's order, empty for documents without lines
        (and for those left out of this set)."""
        out = [np.zeros(0)] * self.n_given
        for i, values in zip(self.keep, per_document):
            out[i] = values
        return out


def _stage1_matrix(
    featurizer: LineFeaturizer, documents: Sequence[Sequence[str]]
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """(stage-1 input matrix, shape rows, text index) of all lines of ``documents``."""
    lines = [line for doc in documents for line in doc]
    index, hashed, shape = featurizer.transform_distinct(lines)
    hashed, shape = hashed.take(index), shape[index]
    X = sparse.hstack([hashed.to_scipy(), sparse.csr_matrix(shape)], format="csr")
    return X, shape, index


def _split(flat: np.ndarray, lengths: Sequence[int]) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []


def _kind_targets(
    y: np.ndarray, kinds: Sequence[Sequence[str | None] | None], offsets: np.ndarray
) -> tuple[tuple[str, ...], np.ndarray]:
    """(kind names, per line the index of its kind among them or -1 for lines that train
    no kind model: content, and boilerplate without a kind)."""
    flat: list[str | None] = []
    for k, (a, b) in zip(kinds, pairwise(offsets)):
        flat.extend(k if k is not None else [None] * (b - a))
    rows = np.array([k is not None for k in flat], dtype=bool) & (y == BOILERPLATE)
    names = tuple(sorted({flat[i] for i in np.flatnonzero(rows)}))
    target = np.full(len(y), -1, dtype=np.int64)
    target[rows] = [names.index(flat[i]) for i in np.flatnonzero(rows)]
    return names, target
