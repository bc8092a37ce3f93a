"""Context features: a line seen through its neighbours and its place in the document.

Boilerplate comes in blocks and the article is one dense run of long, punctuated lines, so
a lone "3 Months" or "Share" is recognisable only from the lines around it. Given each
line's first-stage boilerplate probability and its shape features, ``context_matrix``
builds one row of context features per line, for many documents at once (all numpy over
the flat line array; documents are delimited by offsets, and nothing leaks across them).
Missing neighbours (past a document's edges) are NaN, which the gradient-boosted second
stage handles natively.
"""

from __future__ import annotations

import numpy as np
from paysieve.model.line_shape import SHAPE_FEATURE_NAMES

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

    def shift(self, values: np.ndarray, offset: int) -> np.ndarray:
        """values[i + offset] within i's document, NaN past its edges."""
        out = np.full(len(values), np.nan)
        target = np.arange(len(values)) + offset
        ok = (self.pos + offset >= 0) & (self.pos + offset < self.size)
        out[ok] = values[target[ok]]
        return out

    def window_mean(self, values: np.ndarray, half: int) -> np.ndarray:
        """Mean of values[i-half : i+half+1], clipped to i's document."""
        csum = np.concatenate(([0.0], np.cumsum(values)))
        idx = np.arange(len(values))
        lo = np.maximum(idx - half, self.start)
        hi = np.minimum(idx + half + 1, self.end)
        return (csum[hi] - csum[lo]) / (hi - lo)

    def before(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over the earlier lines of the same document."""
        csum = np.concatenate(([0.0], np.cumsum(values)))
        return csum[:-1] - csum[self.start]

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over the whole document, per line."""
        return np.bincount(self.doc, weights=values, minlength=len(self.offsets) - 1)[self.doc]

    def group_mean(self, group: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per line, the mean of ``values`` over the lines sharing its ``group`` id."""
        _, inverse = np.unique(group, return_inverse=True)
        count = np.bincount(inverse)
        return (np.bincount(inverse, weights=values) / count)[inverse]

    def main_runs(self, gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per line, [lo, hi) of its document's contiguous run with the largest total gain."""
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
        return lo[self.doc], hi[self.doc]


def run_features(
    docs: Documents, p: np.ndarray, anchor: np.ndarray, a: np.ndarray, b: np.ndarray
) -> list[np.ndarray]:
    """Columns ``RUN_FEATURE_NAMES``: each line seen in its run of non-anchor lines.

    A run is a maximal stretch of lines between two ``anchor`` lines (or a document edge):
    a table, a spec list or a few short list items inside an article sit between anchors
    on both sides, close to them, while menus and link lists run from an edge. An anchor
    line is a run of its own (length 0). ``a`` and ``b`` are two per-line values averaged
    over the run (e.g. the share of digits and of title-cased words). What a line does not
    have (no anchor before it; run values of an anchor) is -1, not NaN: on a small training
    set a column could otherwise be NaN throughout, which the boosting cannot bin.
    """
    n = len(p)
    idx = np.arange(n)
    # Last anchor at or before each line, first anchor at or after it, within its document.
    last = np.maximum.accumulate(np.where(anchor, idx, -1)) if n else idx
    first = np.minimum.accumulate(np.where(anchor, idx, n)[::-1])[::-1] if n else idx
    has_before = np.concatenate(([False], last[:-1] >= docs.start[1:])) if n else anchor
    has_after = np.concatenate((first[1:] < docs.end[:-1], [False])) if n else anchor
    before = np.where(has_before, np.concatenate(([0], last[:-1])), docs.start - 1)
    after = np.where(has_after, np.concatenate((first[1:], [0])), docs.end)
    run_start = np.where(anchor, idx, before + 1)
    run_end = np.where(anchor, idx, after)  # exclusive
    length = (run_end - run_start).astype(np.float64)
    # Run ids: an anchor's own index, else (document, start of the run) made unique.
    group = np.where(anchor, 2 * idx, 2 * run_start + 1)
    in_run = ~anchor

    def mean(values: np.ndarray) -> np.ndarray:
        return np.where(in_run, docs.group_mean(group, np.where(in_run, values, 0.0)), -1.0)

    _, inverse = np.unique(group, return_inverse=True)
    run_max = np.full(inverse.max(initial=-1) + 1, -np.inf)
    np.maximum.at(run_max, inverse, np.where(in_run, p, -np.inf))
    return [
        np.log1p(length),
        np.where(in_run, np.log1p(idx - run_start), -1.0),
        np.where(has_before, np.log1p(idx - before), -1.0),
        np.where(has_after, np.log1p(after - idx), -1.0),
        (has_before & has_after & in_run).astype(np.float64),
        mean(p),
        np.where(in_run, run_max[inverse], -1.0),
        mean(a),
        mean(b),
    ]


def context_matrix(
    proba: np.ndarray, shape: np.ndarray, dup_count: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Context feature rows (see ``CONTEXT_FEATURE_NAMES``) of the lines of documents laid
    end to end; document d spans lines ``offsets[d]:offsets[d + 1]``."""
    docs = Documents(np.asarray(offsets, dtype=np.int64))
    p = np.clip(proba.astype(np.float64), 1e-4, 1 - 1e-4)
    cols = FeatureColumns(len(p), len(CONTEXT_FEATURE_NAMES))
    shifted = [docs.shift(p, o) for o in NEIGHBOUR_OFFSETS]
    cols.add(p, np.log(p / (1 - p)), *shifted)
    cols.add(*(docs.window_mean(p, w) for w in WINDOWS))
    near = np.stack([p, *shifted])
    del shifted
    cols.add(np.nanmin(near, axis=0), np.nanmax(near, axis=0))
    del near
    cols.add(shape)
    chars, terminal = shape[:, _CHARS], shape[:, _TERMINAL]
    cols.add(docs.shift(chars, -1), docs.shift(chars, 1))
    cols.add(docs.shift(terminal, -1), docs.shift(terminal, 1))

    pos, size = docs.pos.astype(np.float64), docs.size.astype(np.float64)
    cols.add(pos / np.maximum(size - 1, 1), np.log1p(size), np.log1p(pos), np.log1p(size - 1 - pos))

    # Expected article mass: content probability weighted by line length.
    mass = (1 - p) * np.exp(chars * 7.0)
    total = docs.total(mass) + 1e-9
    before = docs.before(mass)
    after = total - before - mass
    confident = ((p < 0.35) & ((shape[:, _LONG] > 0) | (terminal > 0))).astype(np.float64)
    conf_before = docs.before(confident)
    conf_after = docs.total(confident) - conf_before - confident
    cols.add(before / total, after / total, np.log1p(conf_before), np.log1p(conf_after))
    del mass, total, before, after, confident, conf_before, conf_after  # (long pages)

    lo, hi = docs.main_runs((0.5 - p) * (1.0 + chars))
    idx = np.arange(len(p))
    inside = (idx >= lo) & (idx < hi)
    dist = np.where(idx < lo, idx - lo, np.where(idx >= hi, idx - hi + 1, 0)).astype(np.float64)
    cols.add(
        inside.astype(np.float64),
        np.sign(dist) * np.log1p(np.abs(dist)),
        (hi - lo) / size,
        np.log(dup_count.astype(np.float64)),
    )
    cols.add(docs.total(p) / size, docs.total((p < 0.5).astype(np.float64)) / size)
    del pos, size, lo, hi, idx, inside, dist
    prose = (shape[:, _LONG] > 0) | ((terminal > 0) & (shape[:, _WORDS] >= _EIGHT_WORDS))
    anchor = prose & (p < ANCHOR_MAX_P)
    cols.add(*run_features(docs, p, anchor, shape[:, _DIGITS], shape[:, _TITLE]))
    return cols.full()


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
