"""Context features: a line seen through its neighbours and its place in the document.

Boilerplate comes in blocks and the article is one dense run of long, punctuated lines, so
a lone "3 Months" or "Share" is recognisable only from the lines around it. Given each
line's first-stage boilerplate probability and its shape features, ``ContextRows``
builds one row of context features per line, for many documents at once (all numpy over
the flat line array; documents are delimited by offsets, and nothing leaks across them),
a chunk of lines at a time (``ChunkedRows``: the same floats as all at once).
Missing neighbours (past a document's edges) are NaN, which the gradient-boosted second
stage handles natively.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from paysieve.model.line_shape import SHAPE_FEATURE_NAMES
from paysieve.model.row_chunks import row_chunks
from paysieve.model.tree_ensemble import TreeEnsemble

NEIGHBOUR_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
WINDOWS: tuple[int, ...] = (2, 5, 10)
_CHARS = SHAPE_FEATURE_NAMES.index("log_chars")
_TERMINAL = SHAPE_FEATURE_NAMES.index("ends_terminal")
_LONG = SHAPE_FEATURE_NAMES.index("is_long")
_WORDS = SHAPE_FEATURE_NAMES.index("log_words")
_DIGITS = SHAPE_FEATURE_NAMES.index("digit_share")
_TITLE = SHAPE_FEATURE_NAMES.index("title_case_share")
# An article anchor: a line of prose (long, or ending a sentence of 8+ words) that stage 1
# takes for content. Runs of other lines sit between anchors.
ANCHOR_MAX_P = 0.5
_EIGHT_WORDS = np.log1p(8) / 5.0
# Lines whose feature rows are made and scored at a time (56 columns: 1.8 MB of rows).
CHUNK_LINES = 4096

RUN_FEATURE_NAMES: tuple[str, ...] = (
    "run_log_len",
    "run_log_pos",
    "log_dist_anchor_before",
    "log_dist_anchor_after",
    "run_between_anchors",
    "run_mean_p",
    "run_max_p",
    "run_mean_a",
    "run_mean_b",
)

CONTEXT_FEATURE_NAMES: tuple[str, ...] = (
    ("p", "logit")
    + tuple(f"p{o:+d}" for o in NEIGHBOUR_OFFSETS)
    + tuple(f"mean_p_w{w}" for w in WINDOWS)
    + ("min_p_w3", "max_p_w3")
    + tuple(f"shape_{n}" for n in SHAPE_FEATURE_NAMES)
    + ("chars-1", "chars+1", "terminal-1", "terminal+1")
    + ("rel_pos", "log_n_lines", "log_from_start", "log_to_end")
    + ("content_mass_before", "content_mass_after", "log_content_before", "log_content_after")
    + ("in_main_run", "signed_dist_main_run", "main_run_share", "log_dup_count")
    + ("doc_mean_p", "doc_content_share")
    + RUN_FEATURE_NAMES
)


class FeatureColumns:
    """Feature columns written one after another into one preallocated matrix (stacking a
    list of columns would hold every column twice: a page of 100,000 lines has
    megabytes of each)."""

    def __init__(self, n_rows: int, n_columns: int) -> None:
        self.matrix = np.empty((n_rows, n_columns))
        self.filled = 0

    def add(self, *columns: np.ndarray) -> None:
        """Write ``columns`` (each one value per row, or a matrix of several columns)."""
        for column in columns:
            width = 1 if column.ndim == 1 else column.shape[1]
            target = self.matrix[:, self.filled : self.filled + width]
            target[...] = column if column.ndim == 2 else column[:, None]
            self.filled += width

    def full(self) -> np.ndarray:
        """The matrix, once every column is written."""
        if self.filled != self.matrix.shape[1]:
            raise ValueError(f"{self.filled} columns written of {self.matrix.shape[1]}")
        return self.matrix


class DocumentLines:
    """Lines ``rows`` of a flat line array, each with its document's span: the features of
    a chunk of lines read the whole batch's arrays through it, so they equal the whole
    batch's features bit for bit (a line's neighbours may lie outside the chunk)."""

    def __init__(self, offsets: np.ndarray, rows: slice) -> None:
        self.idx = np.arange(rows.start, rows.stop)
        self.doc = np.searchsorted(offsets, self.idx, side="right") - 1
        self.start = offsets[self.doc]
        self.end = offsets[self.doc + 1]
        self.pos = self.idx - self.start
        self.size = self.end - self.start

    def shift(self, values: np.ndarray, offset: int) -> np.ndarray:
        """values[i + offset] within i's document, NaN past its edges (``values`` of the
        whole batch)."""
        out = np.full(len(self.idx), np.nan)
        ok = (self.pos + offset >= 0) & (self.pos + offset < self.size)
        out[ok] = values[self.idx[ok] + offset]
        return out

    def window_mean(self, csum: np.ndarray, half: int) -> np.ndarray:
        """Mean of values[i-half : i+half+1], clipped to i's document; ``csum`` is the
        cumulative sum of the whole batch's values, after a 0."""
        lo = np.maximum(self.idx - half, self.start)
        hi = np.minimum(self.idx + half + 1, self.end)
        return (csum[hi] - csum[lo]) / (hi - lo)


def cumulative(values: np.ndarray) -> np.ndarray:
    """0, then the running sums of ``values``: the sum of values[a:b] is csum[b] - csum[a]."""
    return np.concatenate(([0.0], np.cumsum(values)))


class Documents:
    """Where every line of the flat array sits: its document, and that document's span."""

    def __init__(self, offsets: np.ndarray) -> None:
        lengths = np.diff(offsets)
        self.offsets = offsets
        self.doc = np.repeat(np.arange(len(lengths)), lengths)
        self.start = offsets[:-1][self.doc]
        self.end = offsets[1:][self.doc]
        self.pos = np.arange(offsets[-1]) - self.start
        self.size = self.end - self.start

    def lines(self) -> DocumentLines:
        """All lines of the batch, as ``DocumentLines``."""
        return DocumentLines(self.offsets, slice(0, int(self.offsets[-1])))

    def shift(self, values: np.ndarray, offset: int) -> np.ndarray:
        """values[i + offset] within i's document, NaN past its edges."""
        return self.lines().shift(values, offset)

    def window_mean(self, values: np.ndarray, half: int) -> np.ndarray:
        """Mean of values[i-half : i+half+1], clipped to i's document."""
        return self.lines().window_mean(cumulative(values), half)

    def before(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over the earlier lines of the same document."""
        csum = cumulative(values)
        return csum[:-1] - csum[self.start]

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over the whole document, per line."""
        return self.doc_total(values)[self.doc]

    def doc_total(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over each document, per document."""
        return np.bincount(self.doc, weights=values, minlength=len(self.offsets) - 1)

    def group_mean(self, group: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per line, the mean of ``values`` over the lines sharing its ``group`` id."""
        _, inverse = np.unique(group, return_inverse=True)
        count = np.bincount(inverse)
        return (np.bincount(inverse, weights=values) / count)[inverse]

    def main_runs(self, gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per line, [lo, hi) of its document's contiguous run with the largest total gain."""
        lo, hi = self.main_run_spans(gain)
        return lo[self.doc], hi[self.doc]

    def main_run_spans(self, gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per document, [lo, hi) of its contiguous run with the largest total gain."""
        lo = np.empty(len(self.offsets) - 1, dtype=np.int64)
        hi = np.empty_like(lo)
        for d, (a, b) in enumerate(zip(self.offsets[:-1], self.offsets[1:])):
            if a == b:
                continue
            prefix = np.concatenate(([0.0], np.cumsum(gain[a:b])))
            low = np.minimum.accumulate(prefix)
            j = int(np.argmax(prefix[1:] - low[:-1])) + 1  # end of the best run
            i = int(np.flatnonzero(prefix[:j] == low[j - 1])[-1])  # its start
            lo[d], hi[d] = a + i, a + j
        return lo, hi


class Runs:
    """Each line seen in its run of non-anchor lines (columns ``RUN_FEATURE_NAMES``).

    A run is a maximal stretch of lines between two ``anchor`` lines (or a document edge):
    a table, a spec list or a few short list items inside an article sit between anchors
    on both sides, close to them, while menus and link lists run from an edge. An anchor
    line is a run of its own (length 0). ``a`` and ``b`` are two per-line values averaged
    over the run (e.g. the share of digits and of title-cased words). What a line does not
    have (no anchor before it; run values of an anchor) is -1, not NaN: on a small training
    set a column could otherwise be NaN throughout, which the boosting cannot bin. The
    anchors around each line and the runs' statistics are found for the whole batch; the
    columns are made for any lines of it (``columns``).
    """

    def __init__(
        self, docs: Documents, p: np.ndarray, anchor: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> None:
        n = len(p)
        idx = np.arange(n)
        self.anchor = anchor
        # Last anchor at or before each line, first anchor at or after it (any document).
        self.last = np.maximum.accumulate(np.where(anchor, idx, -1)) if n else idx
        self.first = np.minimum.accumulate(np.where(anchor, idx, n)[::-1])[::-1] if n else idx
        span = self.spans(DocumentLines(docs.offsets, slice(0, n)))
        # Run ids: an anchor's own index, else (document, start of the run) made unique.
        group = np.where(anchor, 2 * idx, 2 * span[0] + 1)
        del span
        in_run = ~anchor
        _, self.run = np.unique(group, return_inverse=True)
        del group
        count = np.bincount(self.run)
        self.mean_p, self.mean_a, self.mean_b = (
            np.bincount(self.run, weights=np.where(in_run, values, 0.0)) / count
            for values in (p, a, b)
        )
        self.max_p = np.full(len(count), -np.inf)
        np.maximum.at(self.max_p, self.run, np.where(in_run, p, -np.inf))

    def spans(
        self, lines: DocumentLines
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For ``lines``: the start and (exclusive) end of each line's run, whether an
        anchor of its document precedes and follows it, and where (the document's edge
        past it when not)."""
        idx, n = lines.idx, len(self.last)
        previous = self.last[np.maximum(idx - 1, 0)]
        following = self.first[np.minimum(idx + 1, max(n - 1, 0))]
        has_before = (idx > 0) & (previous >= lines.start)
        has_after = (idx < n - 1) & (following < lines.end)
        before = np.where(has_before, previous, lines.start - 1)
        after = np.where(has_after, following, lines.end)
        anchor = self.anchor[lines.idx]
        run_start = np.where(anchor, idx, before + 1)
        run_end = np.where(anchor, idx, after)
        return run_start, run_end, has_before, has_after, before, after

    def columns(self, lines: DocumentLines) -> list[np.ndarray]:
        """The columns ``RUN_FEATURE_NAMES`` of ``lines``."""
        idx = lines.idx
        run_start, run_end, has_before, has_after, before, after = self.spans(lines)
        in_run = ~self.anchor[idx]
        run = self.run[idx]
        return [
            np.log1p((run_end - run_start).astype(np.float64)),
            np.where(in_run, np.log1p(idx - run_start), -1.0),
            np.where(has_before, np.log1p(idx - before), -1.0),
            np.where(has_after, np.log1p(after - idx), -1.0),
            (has_before & has_after & in_run).astype(np.float64),
            np.where(in_run, self.mean_p[run], -1.0),
            np.where(in_run, self.max_p[run], -1.0),
            np.where(in_run, self.mean_a[run], -1.0),
            np.where(in_run, self.mean_b[run], -1.0),
        ]


class ChunkedRows:
    """Feature rows of a batch of lines made a chunk of lines at a time: what needs a
    whole document (its totals, its article run, the runs between anchors) is found once,
    per line or per document in a few narrow arrays, and each chunk's wide rows read them,
    so the rows equal the whole batch's bit for bit, and a page of 100,000 lines holds the
    rows of one chunk only. Subclasses give ``n_lines``, ``n_columns`` and ``write``."""

    n_lines: int
    n_columns: int
    offsets: np.ndarray

    def write(self, lines: DocumentLines, cols: FeatureColumns) -> None:
        """Write the feature columns of ``lines`` into ``cols``."""
        raise NotImplementedError

    def rows(self, rows: slice) -> np.ndarray:
        """The feature rows of the lines ``rows``."""
        cols = FeatureColumns(rows.stop - rows.start, self.n_columns)
        self.write(DocumentLines(self.offsets, rows), cols)
        return cols.full()

    def matrix(self) -> np.ndarray:
        """The feature rows of every line."""
        return self.rows(slice(0, self.n_lines))

    def chunks(self, size: int | None = None) -> Iterator[tuple[slice, np.ndarray]]:
        """(lines, their feature rows), about ``size`` (default ``CHUNK_LINES``) lines at
        a time."""
        for rows in row_chunks(self.n_lines, size or CHUNK_LINES):
            yield rows, self.rows(rows)

    def decision_function(self, model: TreeEnsemble, size: int | None = None) -> np.ndarray:
        """``model``'s raw score of every line, from its rows made ``size`` lines at a time
        (a tree ensemble scores each row alone: the scores do not depend on the chunks)."""
        out = np.empty(self.n_lines)
        for rows, matrix in self.chunks(size):
            out[rows] = model.decision_function(matrix)
            del matrix  # freed before the next chunk's rows are made
        return out


class ContextRows(ChunkedRows):
    """Context feature rows (see ``CONTEXT_FEATURE_NAMES``) of the lines of documents laid
    end to end; document d spans lines ``offsets[d]:offsets[d + 1]``."""

    n_columns = len(CONTEXT_FEATURE_NAMES)

    def __init__(
        self, proba: np.ndarray, shape: np.ndarray, dup_count: np.ndarray, offsets: np.ndarray
    ) -> None:
        docs = Documents(np.asarray(offsets, dtype=np.int64))
        self.offsets = docs.offsets
        p = np.clip(proba.astype(np.float64), 1e-4, 1 - 1e-4)
        self.n_lines = len(p)
        self.p, self.shape, self.dup_count = p, shape, dup_count
        self.p_sum = cumulative(p)
        chars, terminal = shape[:, _CHARS], shape[:, _TERMINAL]
        # Expected article mass: content probability weighted by line length.
        mass = (1 - p) * np.exp(chars * 7.0)
        self.mass_total = docs.doc_total(mass) + 1e-9
        self.mass_sum = cumulative(mass)
        del mass
        confident = ((p < 0.35) & ((shape[:, _LONG] > 0) | (terminal > 0))).astype(np.float64)
        self.confident_total = docs.doc_total(confident)
        self.confident_sum = cumulative(confident)
        del confident
        self.main_run = docs.main_run_spans((0.5 - p) * (1.0 + chars))
        self.p_total = docs.doc_total(p)
        self.content_total = docs.doc_total((p < 0.5).astype(np.float64))
        prose = (shape[:, _LONG] > 0) | ((terminal > 0) & (shape[:, _WORDS] >= _EIGHT_WORDS))
        anchor = prose & (p < ANCHOR_MAX_P)
        del prose
        self.runs = Runs(docs, p, anchor, shape[:, _DIGITS], shape[:, _TITLE])

    def write(self, lines: DocumentLines, cols: FeatureColumns) -> None:
        """Write the context feature columns of ``lines`` into ``cols``."""
        idx, doc = lines.idx, lines.doc
        p, shape = self.p[idx], self.shape[idx]
        shifted = [lines.shift(self.p, o) for o in NEIGHBOUR_OFFSETS]
        cols.add(p, np.log(p / (1 - p)), *shifted)
        cols.add(*(lines.window_mean(self.p_sum, w) for w in WINDOWS))
        near = np.stack([p, *shifted])
        del shifted
        cols.add(np.nanmin(near, axis=0), np.nanmax(near, axis=0))
        del near
        cols.add(shape)
        all_chars, all_terminal = self.shape[:, _CHARS], self.shape[:, _TERMINAL]
        chars, terminal = all_chars[idx], all_terminal[idx]
        cols.add(lines.shift(all_chars, -1), lines.shift(all_chars, 1))
        cols.add(lines.shift(all_terminal, -1), lines.shift(all_terminal, 1))

        pos, size = lines.pos.astype(np.float64), lines.size.astype(np.float64)
        cols.add(
            pos / np.maximum(size - 1, 1), np.log1p(size), np.log1p(pos), np.log1p(size - 1 - pos)
        )

        mass = (1 - p) * np.exp(chars * 7.0)
        total = self.mass_total[doc]
        before = self.mass_sum[idx] - self.mass_sum[lines.start]
        after = total - before - mass
        confident = ((p < 0.35) & ((shape[:, _LONG] > 0) | (terminal > 0))).astype(np.float64)
        conf_before = self.confident_sum[idx] - self.confident_sum[lines.start]
        conf_after = self.confident_total[doc] - conf_before - confident
        cols.add(before / total, after / total, np.log1p(conf_before), np.log1p(conf_after))

        lo, hi = self.main_run[0][doc], self.main_run[1][doc]
        inside = (idx >= lo) & (idx < hi)
        dist = np.where(idx < lo, idx - lo, np.where(idx >= hi, idx - hi + 1, 0)).astype(np.float64)
        cols.add(
            inside.astype(np.float64),
            np.sign(dist) * np.log1p(np.abs(dist)),
            (hi - lo) / size,
            np.log(self.dup_count[idx].astype(np.float64)),
        )
        cols.add(self.p_total[doc] / size, self.content_total[doc] / size)
        cols.add(*self.runs.columns(lines))


def context_matrix(
    proba: np.ndarray, shape: np.ndarray, dup_count: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Context feature rows (see ``CONTEXT_FEATURE_NAMES``) of the lines of documents laid
    end to end; document d spans lines ``offsets[d]:offsets[d + 1]``."""
    return ContextRows(proba, shape, dup_count, offsets).matrix()


def block_kind_proba(
    kind_proba: np.ndarray, weight: np.ndarray, offsets: np.ndarray, half: int = 3
) -> np.ndarray:
    """Kind probabilities of each line pooled with its neighbours' (``half`` lines each
    side, same document), weighted by ``weight`` (their boilerplate probability): the lines
    of one block share a kind, and a lone "Digital" or "Sign in" is named by its block."""
    docs = Documents(np.asarray(offsets, dtype=np.int64))
    w = np.asarray(weight, dtype=np.float64) + 1e-6
    den = docs.window_mean(w, half) + w
    pooled = [
        (docs.window_mean(kind_proba[:, k] * w, half) + kind_proba[:, k] * w) / den
        for k in range(kind_proba.shape[1])
    ]
    return np.column_stack(pooled) if pooled else kind_proba
