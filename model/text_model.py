"""The text stages of a fitted model: raw boilerplate scores of lines, with numpy alone.

Stage 1 reads each line alone (hashed word n-grams, affixes and shape) with a linear model.
Stage 2 is a gradient-boosted tree ensemble over the context of every line: its
neighbours' stage-1 probabilities, its place in the document and the run of article-like
lines around it (``paysieve.model.context_features``). Beside them, a linear kind model
reads the same line features and names the kind of boilerplate a line is (paywall,
pricing, account, navigation...).

A ``TextModel`` gives raw scores: the stage-2 score and the stage-1 probability of every
line. Turning them into the probabilities the model reports is the calibration's part
(``paysieve.model.score_calibration``); ``paysieve.model.line_scorer.LineScorer`` holds
both. ``paysieve.training.line_classifier`` fits text models (one per cross-validation fold,
then one on all documents).
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import dataclass

import numpy as np
from paysieve.model.context_features import ContextRows, block_kind_proba
from paysieve.model.kind_context import KindContextModel
from paysieve.model.line_features import SHAPE_FEATURE_NAMES, LineFeaturizer, distinct_texts
from paysieve.model.linear_model import LinearModel, logistic
from paysieve.model.row_chunks import row_chunks
from paysieve.model.tree_ensemble import TreeEnsemble

# Distinct texts featurised and scored at a time: their hashed token rows (tens of entries a
# line, several arrays of them while they are built) are the largest arrays of stage 1, and
# a page of 100,000 lines would otherwise hold them all at once.
STAGE1_TEXTS = 1024


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


def context_rows(
    p1: np.ndarray, shape: np.ndarray, index: np.ndarray, offsets: np.ndarray
) -> ContextRows:
    """Stage-2 input: the context features of every line (see
    ``paysieve.model.context_features``), made a chunk of lines at a time; ``index``
    gives every line the id of its text."""
    return ContextRows(p1, shape, repeat_counts(index, offsets), offsets)


def line_context(
    p1: np.ndarray, shape: np.ndarray, index: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Stage-2 input: the context feature rows of every line (``context_rows``)."""
    return context_rows(p1, shape, index, offsets).matrix()


@dataclass(frozen=True)
class Stage1:
    """Per-line outputs of the line-alone stage, for all lines laid end to end; ``index``
    gives every line the id of its text."""

    index: np.ndarray
    p1: np.ndarray
    shape: np.ndarray
    kind_proba: np.ndarray | None


@dataclass(frozen=True, eq=False)
class TextModel:
    """Stage 1, stage 2 and the kind model of a fitted model.

    ``kind_model`` is None when the training data named fewer than two kinds;
    ``kind_classes`` are the kind names of its probability columns.
    """

    featurizer: LineFeaturizer
    line_model: LinearModel
    context_model: TreeEnsemble
    kind_model: LinearModel | None
    kind_classes: tuple[str, ...]
    # The block-context kind stage; None: a line's kinds pool its neighbours' (older files).
    kind_context: KindContextModel | None = None

    def __post_init__(self) -> None:
        if self.kind_model is not None:
            columns = max(self.kind_model.n_classes, 2)  # a binary model scores two kinds
            if len(self.kind_classes) != columns:
                raise ValueError(
                    f"{len(self.kind_classes)} kind names for a kind model of {columns} kinds"
                )

    def stage1(self, documents: Sequence[Sequence[str]], with_kinds: bool) -> Stage1:
        """Stage-1 probability, shape and (``with_kinds``) kind probabilities of all lines;
        each distinct text is scored once."""
        index, texts = distinct_texts([line for doc in documents for line in doc])
        p1 = np.empty(len(texts))
        shape = np.empty((len(texts), len(SHAPE_FEATURE_NAMES)))
        scoring_kinds = with_kinds and self.kind_model is not None
        kinds = np.empty((len(texts), len(self.kind_classes))) if scoring_kinds else None
        for rows in row_chunks(len(texts), STAGE1_TEXTS):
            hashed, shape[rows] = self.featurizer.transform_texts(texts[rows])
            p1[rows] = self.line_model.predict_proba(hashed, shape[rows])
            if kinds is not None:
                kinds[rows] = self.kind_model.class_proba(hashed, shape[rows])
        if len(texts) == len(index):  # every text distinct: first-seen order is line order
            return Stage1(index, p1, shape, kinds)
        return Stage1(index, p1[index], shape[index], None if kinds is None else kinds[index])

    def scores(
        self, documents: Sequence[Sequence[str]], offsets: np.ndarray, with_kinds: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(raw scores, kind probabilities or None) of all lines, flattened; the raw
        scores are (n_lines, 2): stage-2 score and stage-1 probability (see
        ``ScoreCalibration.probabilities``); ``offsets`` as ``document_offsets(documents)``
        gives them. Kind probabilities are pooled over each line's block."""
        with_kinds = with_kinds and self.kind_model is not None
        if offsets[-1] == 0:
            no_kinds = np.zeros((0, len(self.kind_classes))) if with_kinds else None
            return np.zeros((0, 2)), no_kinds
        first = self.stage1(documents, with_kinds)
        p1, kind_proba = first.p1, first.kind_proba
        # The context rows (56 columns a line) are made and scored a chunk of lines at a
        # time, and the line shapes are freed before the kind stage's rows are made.
        stage2 = context_rows(p1, first.shape, first.index, offsets).decision_function(
            self.context_model
        )
        del first
        raw = np.column_stack([logistic(stage2), p1])
        if kind_proba is None:
            return raw, None
        if self.kind_context is not None:
            return raw, self.kind_context.predict_proba(kind_proba, p1, offsets)
        return raw, block_kind_proba(kind_proba, p1, offsets)

    def raw_scores(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Raw scores of all lines, flattened in order: (n_lines, 2), the stage-2
        boilerplate score and the stage-1 (line-alone) probability."""
        return self.scores(documents, document_offsets(documents), with_kinds=False)[0]

    def input_sizes(self) -> dict[str, int]:
        """Columns each part reads (keys as ``FeatureSchema.sizes``; ``kind`` only with a
        kind model)."""
        sizes = {
            "tokens": self.featurizer.n_features,
            "line": len(self.line_model.column_map),
            "context": self.context_model.n_features,
        }
        if self.kind_model is not None:
            sizes["kind"] = len(self.kind_model.column_map)
        return sizes
