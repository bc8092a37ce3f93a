"""Block-context kinds: a line's kind read from the block it sits in, not only from its text.

The line-alone kind model names a line from its own tokens, and many lines of a plan block
say nothing of their block on their own: "Super Saver", "2 years", "Archives", "Repository
of articles since 1997" or "Complimentary access to <another paper>" are pricing because
of the lines around them. This second kind stage reads, for every line, the line-alone
kind probabilities of

* the line itself,
* its neighbours before and after (the next line, 2–3 lines, 4–8 lines away), each side
  on its own, so that a block's first and last lines see where the block ends;
* its block: the run of boilerplate-looking lines (stage-1 boilerplate probability of at
  least ``BLOCK_P``, one-line gaps bridged) that holds it;

every neighbour weighted by its stage-1 boilerplate probability (article lines next to a
block say little about the block's kind), plus where the line sits in its block (lines
from its start and to its end, the block's length), whether it comes before or after the
article (the document's main run of article-like lines) and how far, and the line's own
boilerplate probability. A multinomial logistic regression over the logarithms of these
pooled probabilities gives kind probabilities; a second one reads the same context of
those first-pass probabilities beside the line's own line-alone ones, so that a block
settles on one kind. Both are fitted (``fit_kind_context``) on out-of-fold line-alone kind
probabilities, grouped by line text, so that they learn how far to trust a line's own
text on wording the line model has not seen.

Everything is numpy over the flat line array of documents laid end to end; nothing leaks
across documents (``paysieve.model.context_features.Documents``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from paysieve.model.context_features import DocumentLines, Documents
from paysieve.model.row_chunks import row_chunks

# Neighbour windows, as (first, last) offsets from the line, each side on its own.
KIND_WINDOWS: tuple[tuple[int, int], ...] = ((-1, -1), (1, 1), (-3, -2), (2, 3), (-8, -4), (4, 8))
BLOCK_P = 0.5  # stage-1 boilerplate probability from which a line belongs to a block
# Fewer distinct kind-labelled texts than this and the out-of-fold kinds (each text scored
# by a kind model that never saw it) say too little to learn from: pool the neighbours'.
MIN_DISTINCT_TEXTS = 500
_EPS = 1e-3
_PRIOR_WEIGHT = 0.05  # pseudo-count of the uniform distribution in every pooled window
CHUNK_ROWS = 1024  # lines whose feature rows are built and scored at a time
N_SCALARS = 8  # columns of ``KindContextLayout.scalars``
_C = 0.1  # inverse L2 strength of both logistic regressions (chosen on a split of the train part)


def block_spans(docs: Documents, p1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line, [start, end) of its block: the run of lines with stage-1 boilerplate
    probability >= ``BLOCK_P`` (a single lower line between two such lines bridged) that
    holds it; a line outside every block is its own one-line block."""
    n = len(p1)
    member = p1 >= BLOCK_P
    prev_in = np.concatenate(([False], member[:-1])) & (docs.pos > 0)
    next_in = np.concatenate((member[1:], [False])) & (docs.pos < docs.size - 1)
    member = member | (prev_in & next_in)
    idx = np.arange(n)
    # A block starts where a member line follows a non-member or a document's first line.
    starts_here = member & (~np.concatenate(([False], member[:-1])) | (docs.pos == 0))
    start = np.maximum.accumulate(np.where(starts_here, idx, -1))
    ends_here = member & (~np.concatenate((member[1:], [False])) | (docs.pos == docs.size - 1))
    end = np.minimum.accumulate(np.where(ends_here, idx, n)[::-1])[::-1] + 1
    start = np.where(member, start, idx)
    end = np.where(member, end, idx + 1)
    return start, end


class KindContextLayout:
    """Where every line of a batch sits, for the kind-context features: its neighbour
    windows, its block and its place relative to the article, with the boilerplate weight
    each window and block holds. It depends on the stage-1 probabilities only, so both
    layers of the stage share one."""

    def __init__(self, p1: np.ndarray, offsets: np.ndarray) -> None:
        docs = Documents(np.asarray(offsets, dtype=np.int64))
        w = np.clip(np.asarray(p1, dtype=np.float64), 1e-4, 1 - 1e-4)
        wsum = np.concatenate(([0.0], np.cumsum(w)))
        self._wsum, self.offsets = wsum, docs.offsets
        start, end = block_spans(docs, w)
        self.block = (start, end, wsum[end] - wsum[start])
        self.main_run = docs.main_run_spans(0.5 - w)
        self.weight = w

    def scalars(self, lines: DocumentLines) -> np.ndarray:
        """The per-line columns that follow the pooled kinds, for ``lines``: the line's
        boilerplate weight, its place in its block, in its document and relative to the
        article (made a chunk at a time: eight columns a line)."""
        idx, w = lines.idx, self.weight[lines.idx]
        start, end = self.block[0][idx], self.block[1][idx]
        lo, hi = self.main_run[0][lines.doc], self.main_run[1][lines.doc]
        from_article = np.where(idx < lo, lo - idx, np.where(idx >= hi, idx - hi + 1, 0))
        return np.column_stack(
            [
                np.log(w / (1 - w)),
                np.log1p(idx - start),
                np.log1p(end - 1 - idx),
                np.log(end - start),
                (lines.pos + 0.5) / lines.size,
                idx < lo,
                idx >= hi,
                np.log1p(from_article),
            ]
        )

    def windows(self, lines: DocumentLines) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per ``KIND_WINDOWS`` window, for ``lines``: [lo, hi) of the window in the
        flat line array (clipped to the line's document) and the boilerplate weight it
        holds. Made a chunk of lines at a time: six windows of three numbers a line."""
        idx, doc_start, doc_end = lines.idx, lines.start, lines.end
        for first, last in KIND_WINDOWS:
            lo = np.clip(idx + first, doc_start, doc_end)
            hi = np.maximum(np.clip(idx + last + 1, doc_start, doc_end), lo)
            yield lo, hi, self._wsum[hi] - self._wsum[lo]

    def matrix(self, kind_proba: np.ndarray, lead: np.ndarray | None = None) -> np.ndarray:
        """Feature rows (see the module docstring) for (n_lines, n_kinds) ``kind_proba``,
        after the logarithms of ``lead`` probabilities when given (the second layer's own
        line-alone kinds)."""
        return next(self.matrices(kind_proba, lead, chunk=max(len(kind_proba), 1)))[1]

    def matrices(
        self, kind_proba: np.ndarray, lead: np.ndarray | None = None, chunk: int | None = None
    ) -> Iterator[tuple[slice, np.ndarray]]:
        """The feature rows of ``matrix``, ``chunk`` lines at a time, each with the lines
        it covers: the rows are wide (over a hundred columns), and a page of 100,000 lines
        would otherwise hold them all at once. Each chunk is written into one array."""
        kp = np.asarray(kind_proba, dtype=np.float64)
        n, k = kp.shape
        first = 0 if lead is None else lead.shape[1]
        logs = first + (len(KIND_WINDOWS) + 2) * k
        csum = np.zeros((n + 1, k))  # the weighted kinds' running sums, made in place
        np.multiply(kp, self.weight[:, None], out=csum[1:])
        np.cumsum(csum[1:], axis=0, out=csum[1:])
        # A window with no boilerplate-looking line pools to (nearly) the uniform distribution.
        prior = _PRIOR_WEIGHT / max(k, 1)
        for rows in row_chunks(n, chunk or CHUNK_ROWS):
            lines = DocumentLines(self.offsets, rows)
            out = np.empty((rows.stop - rows.start, logs + N_SCALARS))
            if lead is not None:
                out[:, :first] = lead[rows]
            out[:, first : first + k] = kp[rows]
            at = first + k
            for lo, hi, mass in self.windows(lines):
                pooled = csum[hi] - csum[lo] + prior
                out[:, at : at + k] = pooled / (mass + _PRIOR_WEIGHT)[:, None]
                at += k
            start, end, mass = (column[rows] for column in self.block)
            out[:, at : at + k] = (csum[end] - csum[start]) / mass[:, None]
            np.log(out[:, :logs] + _EPS, out=out[:, :logs])
            out[:, logs:] = self.scalars(lines)
            yield rows, out
            del out  # freed (once the caller lets go of it) before the next chunk's rows


def kind_context_matrix(kind_proba: np.ndarray, p1: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Feature rows of the kind-context stage (see the module docstring) for the lines of
    documents laid end to end, from (n_lines, n_kinds) ``kind_proba`` and the stage-1
    boilerplate probability ``p1``."""
    return KindContextLayout(p1, offsets).matrix(kind_proba)


class SoftmaxLayer:
    """A fitted multinomial logistic regression over standardised feature rows."""

    def __init__(
        self, coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray
    ) -> None:
        self.coef = coef  # (n_features, n_classes)
        self.intercept = intercept
        self.mean = mean
        self.scale = scale

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of the rows of ``X`` (standardised within the product)."""
        coef = self.coef / self.scale[:, None]
        z = X @ coef + (self.intercept - self.mean @ coef)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


class KindContextModel:
    """Kind probabilities of every line given its block: a first softmax layer over the
    context of the line-alone kinds, a second over the line-alone kinds of the line and
    the context of the first layer's kinds. Plain arrays, scored with numpy."""

    def __init__(self, first: SoftmaxLayer, second: SoftmaxLayer) -> None:
        self.first = first
        self.second = second

    def predict_proba(
        self, kind_proba: np.ndarray, p1: np.ndarray, offsets: np.ndarray
    ) -> np.ndarray:
        """(n_lines, n_kinds) kind probabilities of the lines of documents laid end to end."""
        if len(p1) == 0:
            return np.zeros((0, self.first.coef.shape[1]))
        layout = KindContextLayout(p1, offsets)
        settled = _layer_proba(self.first, layout.matrices(kind_proba), len(p1))
        return _layer_proba(self.second, layout.matrices(settled, lead=kind_proba), len(p1))


def _layer_proba(
    layer: SoftmaxLayer, matrices: Iterable[tuple[slice, np.ndarray]], n: int
) -> np.ndarray:
    """A layer's class probabilities of ``n`` lines whose feature rows come in chunks."""
    out = np.empty((n, layer.coef.shape[1]))
    for rows, X in matrices:
        out[rows] = layer.predict_proba(X)
        del X  # freed before the next chunk's rows are made
    return out


def _second_pass_matrix(
    kind_proba: np.ndarray, settled: np.ndarray, layout: KindContextLayout
) -> np.ndarray:
    return layout.matrix(settled, lead=kind_proba)


def _fit_layer(X: np.ndarray, target: np.ndarray, n_kinds: int) -> SoftmaxLayer:
    """A softmax layer fitted on the rows with a target (>= 0); kinds without a training
    row get a very low intercept, so they are never predicted."""
    from sklearn.linear_model import LogisticRegression

    rows = target >= 0
    mean = X[rows].mean(axis=0)
    scale = X[rows].std(axis=0) + 1e-6
    model = LogisticRegression(C=_C, max_iter=1000).fit((X[rows] - mean) / scale, target[rows])
    coef = np.zeros((X.shape[1], n_kinds))
    intercept = np.full(n_kinds, -1e3)
    if len(model.classes_) == 2:  # one logit: the second class against the first
        intercept[model.classes_] = 0.0, model.intercept_[0]
        coef[:, model.classes_[1]] = model.coef_[0]
    else:
        coef[:, model.classes_] = model.coef_.T
        intercept[model.classes_] = model.intercept_
    return SoftmaxLayer(coef, intercept, mean, scale)


def fit_kind_context(
    kind_proba: np.ndarray,
    p1: np.ndarray,
    offsets: np.ndarray,
    target: np.ndarray,
    n_kinds: int,
) -> KindContextModel:
    """Fit both layers on out-of-fold line-alone ``kind_proba`` and stage-1 ``p1`` of all
    lines; ``target`` is each line's kind index, -1 for lines that are not training rows
    (content, or boilerplate without a kind)."""
    layout = KindContextLayout(p1, offsets)
    context = layout.matrix(kind_proba)
    first = _fit_layer(context, target, n_kinds)
    settled = first.predict_proba(context)
    second = _fit_layer(_second_pass_matrix(kind_proba, settled, layout), target, n_kinds)
    return KindContextModel(first, second)


def enough_texts(target: np.ndarray, text_index: np.ndarray) -> bool:
    """Whether the lines with a kind (``target`` >= 0) hold at least ``MIN_DISTINCT_TEXTS``
    distinct texts (``text_index`` gives every line the id of its text), enough to fit the
    kind-context stage."""
    return len(np.unique(text_index[target >= 0])) >= MIN_DISTINCT_TEXTS


def out_of_fold_kind_proba(
    X, target: np.ndarray, text_index: np.ndarray, n_kinds: int, folds: int, fit
) -> np.ndarray:
    """Line-alone kind probabilities of every line from a kind model that never saw the
    line's text: folds grouped by text, ``fit(X_rows, targets)`` fits one kind model (a
    scikit-learn classifier with ``predict_proba``); ``target`` as in ``fit_kind_context``."""
    from sklearn.model_selection import GroupKFold

    out = np.full((X.shape[0], n_kinds), 1.0 / n_kinds)
    n_splits = min(folds, len(np.unique(text_index)))
    for train, test in GroupKFold(n_splits=n_splits).split(X, groups=text_index):
        train = train[target[train] >= 0]
        if len(np.unique(target[train])) < 2:
            continue
        model = fit(X[train], target[train])
        out[test] = 0.0
        out[np.ix_(test, model.classes_)] = model.predict_proba(X[test])
    return out
