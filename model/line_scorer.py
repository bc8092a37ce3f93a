"""The fitted paysieve model: scores every line of a document with numpy alone.

``paysieve.model.line_classifier.LineClassifier`` fits the model with scikit-learn and hands its
result to a ``LineScorer``: the featurizer, the stage-1 linear model, the stage-2 tree
ensemble, the kind model and the calibration (``paysieve.model.score_calibration``), all as plain
arrays. That is what a model file holds and what prediction runs, so loading and predicting
import neither scikit-learn nor scipy (they would take most of a cold start), and a model
file can be unpickled from an allowlist of paysieve and numpy classes.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.context_features import block_kind_proba, context_matrix
from paysieve.model.html_features import html_stage_matrix
from paysieve.model.kind_context import KindContextModel
from paysieve.model.line_features import LineFeaturizer
from paysieve.model.linear_model import LinearModel, logistic
from paysieve.model.paywall_rule import PaywallRule
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.tree_ensemble import TreeEnsemble


def document_offsets(documents: Sequence[Sized]) -> np.ndarray:
    """Start offset of every document (or per-document array) in the flat line array, plus
    the total at the end."""
    return np.concatenate(([0], np.cumsum([len(d) for d in documents]))).astype(np.int64)


def repeat_counts(index: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """How often each line's text occurs in its own document; ``index`` gives every line
    the id of its text (as ``paysieve.model.line_features.distinct_texts`` does)."""
    if len(index) == 0:
        return np.zeros(0)
    doc = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    _, inverse, counts = np.unique(
        doc * (int(index.max()) + 1) + index, return_inverse=True, return_counts=True
    )
    return counts[inverse].astype(np.float64)


def html_stage_features(
    documents: Sequence[Sequence[str]],
    proba: np.ndarray,
    html: Sequence[HtmlStructure],
    offsets: np.ndarray,
) -> np.ndarray:
    """HTML-stage input rows (``paysieve.model.html_features``) of documents laid end to end."""
    chars = np.fromiter(
        (len(line) for doc in documents for line in doc), dtype=np.float64, count=len(proba)
    )
    structure = np.concatenate([s for s, _ in html]) if html else np.zeros((0, 0))
    container = np.concatenate([c for _, c in html]) if html else np.zeros(0, np.int64)
    if len(structure) != len(proba):
        raise ValueError("every line needs one row of HTML structure")
    return html_stage_matrix(proba, chars, structure, container, offsets)


def line_context(
    p1: np.ndarray, shape: np.ndarray, index: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Stage-2 input: the context features of every line (see ``paysieve.model.context_features``);
    ``index`` gives every line the id of its text."""
    return context_matrix(p1, shape, repeat_counts(index, offsets), offsets)


@dataclass(frozen=True)
class DocumentScores:
    """Model output for one document: per-line boilerplate probability and kind probabilities.

    ``kind_proba`` has one column per name in ``LineScorer.kind_classes_`` (None when the
    model has no kind model).
    """

    proba: np.ndarray
    kind_proba: np.ndarray | None


@dataclass(frozen=True)
class Stage1:
    """Per-line outputs of the line-alone stage, for all lines laid end to end; ``index``
    gives every line the id of its text."""

    index: np.ndarray
    p1: np.ndarray
    shape: np.ndarray
    kind_proba: np.ndarray | None


HtmlStructure = tuple[np.ndarray, np.ndarray]  # (structure rows, container ids) of a page


class LineScorer:
    """Boilerplate probability (and kind) of every line of a document.

    Built by ``LineClassifier.fit``; the training run then fits ``calibration`` (maps and
    threshold) on held-out scores (``paysieve.training.fit.calibrate``) and, when it has pages with
    their HTML, the HTML stage (``html_model`` and its ``html_calibrator``,
    ``paysieve.training.html_stage``), which rescores the lines of HTML input using the page
    structure.
    """

    # Class defaults: models saved without an HTML stage (and before it existed) have none.
    html_model: TreeEnsemble | None = None
    html_calibrator: CalibrationMap | None = None
    # The block-context kind stage; models without one pool their neighbours' kinds.
    kind_context: KindContextModel | None = None
    # The document paywall rule (``paysieve.training.verdict_fit``); None: one line at 0.5.
    paywall_rule: PaywallRule | None = None

    def __init__(
        self,
        featurizer: LineFeaturizer,
        line_model: LinearModel,
        context_model: TreeEnsemble,
        kind_model: LinearModel | None,
        kind_classes: tuple[str, ...],
        calibration: ScoreCalibration,
    ) -> None:
        self.featurizer = featurizer
        self.line_model = line_model
        self.context_model = context_model
        self.kind_model = kind_model
        self.kind_classes_ = kind_classes
        self.calibration = calibration

    @property
    def threshold_(self) -> float:
        """Boilerplate probability at or above which a line is labelled boilerplate."""
        return self.calibration.threshold

    def stage1(self, documents: Sequence[Sequence[str]], with_kinds: bool) -> Stage1:
        """Stage-1 probability, shape and (``with_kinds``) kind probabilities of all lines;
        each distinct text is scored once."""
        lines = [line for doc in documents for line in doc]
        index, hashed, shape = self.featurizer.transform_distinct(lines)
        p1 = self.line_model.predict_proba(hashed, shape)
        kinds = None
        if with_kinds and self.kind_model is not None:
            kinds = self.kind_model.class_proba(hashed, shape)[index]
        return Stage1(index, p1[index], shape[index], kinds)

    def _score(
        self, documents: Sequence[Sequence[str]], offsets: np.ndarray, with_kinds: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(raw scores, kind probabilities or None) of all lines, flattened; the raw
        scores are (n_lines, 2): stage-2 score and stage-1 probability (see
        ``ScoreCalibration.probabilities``); ``offsets`` as ``document_offsets(documents)``
        gives them."""
        with_kinds = with_kinds and self.kind_model is not None
        if offsets[-1] == 0:
            no_kinds = np.zeros((0, len(self.kind_classes_))) if with_kinds else None
            return np.zeros((0, 2)), no_kinds
        first = self.stage1(documents, with_kinds)
        context = line_context(first.p1, first.shape, first.index, offsets)
        raw = np.column_stack([logistic(self.context_model.decision_function(context)), first.p1])
        if first.kind_proba is None:
            return raw, None
        if self.kind_context is not None:
            return raw, self.kind_context.predict_proba(first.kind_proba, first.p1, offsets)
        return raw, block_kind_proba(first.kind_proba, first.p1, offsets)

    def raw_scores(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Uncalibrated scores of all lines, flattened in order: (n_lines, 2), the stage-2
        boilerplate score and the stage-1 (line-alone) probability."""
        return self._score(documents, document_offsets(documents), with_kinds=False)[0]

    def score_documents(
        self,
        documents: Sequence[Sequence[str]],
        with_kinds: bool = True,
        html: Sequence[HtmlStructure] | None = None,
    ) -> list[DocumentScores]:
        """Final boilerplate probabilities and (``with_kinds``) kind probabilities, one entry
        per document. ``html``, one (structure, container) per document (the documents are
        then the block lines of HTML pages, see ``paysieve.documents.html_lines.HtmlBlocks``),
        lets the HTML stage rescore the lines when the model has one."""
        offsets = document_offsets(documents)
        raw, kind_proba = self._score(documents, offsets, with_kinds)
        proba = self.probabilities(raw, offsets)
        if html is not None and self.html_model is not None and len(proba):
            proba = self.html_probabilities(documents, proba, html, offsets)
        return [
            DocumentScores(proba[a:b], None if kind_proba is None else kind_proba[a:b])
            for a, b in pairwise(offsets)
        ]

    def html_probabilities(
        self,
        documents: Sequence[Sequence[str]],
        proba: np.ndarray,
        html: Sequence[HtmlStructure],
        offsets: np.ndarray,
    ) -> np.ndarray:
        """The HTML stage's calibrated probabilities, from the text model's ``proba`` of
        the lines of ``documents`` (laid end to end) and each page's structure."""
        if self.html_model is None or self.html_calibrator is None:
            raise ValueError("this model has no HTML stage")
        rows = html_stage_features(documents, proba, html, offsets)
        return self.html_calibrator(logistic(self.html_model.decision_function(rows)))

    def probabilities(self, raw: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Final boilerplate probabilities from the raw scores of documents laid end to end
        (see ``ScoreCalibration.probabilities``)."""
        return self.calibration.probabilities(raw, offsets)

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
