"""A fitted gradient-boosted tree ensemble as plain arrays, evaluated with numpy alone.

Training fits scikit-learn's ``HistGradientBoostingClassifier``; ``from_hist_gradient_boosting``
copies its trees into flat arrays, so predicting needs neither scikit-learn nor its import
time (most of a cold start). Each tree is evaluated bottom-up over whole feature columns:
a leaf is its value, an inner node is ``where(x > threshold, right, left)`` of its
children. That touches every node once per batch instead of walking each row down the
tree, which is what makes it fast in numpy: every operation runs over a contiguous column
of the batch. Results equal scikit-learn's to rounding.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

import numpy as np

# Rows per evaluation chunk: large enough to amortise numpy's per-call cost, small enough
# for the columns of one chunk to stay in cache.
CHUNK_ROWS = 16_384


class TreeEnsemble:
    """Sum of binary regression trees plus a baseline: the raw (log-odds) score.

    Nodes of all trees are stored flat, tree by tree (``tree_starts``), each tree in
    breadth-first order so that children always follow their parent. For a node:
    ``feature``/``threshold`` split it (rows with ``x > threshold`` go right; NaN goes
    right where ``nan_right``), ``left``/``right`` are the children's positions within
    the tree (-1 for a leaf) and ``value`` is a leaf's output.
    """

    def __init__(
        self,
        tree_starts: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        nan_right: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        value: np.ndarray,
        baseline: float,
        n_features: int,
    ) -> None:
        self.tree_starts = tree_starts
        self.feature = feature
        self.threshold = threshold
        self.nan_right = nan_right
        self.left = left
        self.right = right
        self.value = value
        self.baseline = float(baseline)
        self.n_features = int(n_features)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_trees", None)  # derived; rebuilt on first use
        return state

    @classmethod
    def from_hist_gradient_boosting(cls, model: Any) -> TreeEnsemble:
        """Copy the trees of a fitted binary ``HistGradientBoostingClassifier``."""
        if getattr(model, "n_trees_per_iteration_", 1) != 1:
            raise ValueError("only binary gradient boosting models can be converted")
        parts: dict[str, list] = {k: [] for k in ("feature", "threshold", "nan", "lr", "value")}
        starts = [0]
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            order = _breadth_first(nodes)
            position = np.empty(len(nodes), dtype=np.int64)
            position[order] = np.arange(len(order))
            leaf = nodes["is_leaf"][order].astype(bool)
            children = np.where(
                leaf[:, None], -1, position[np.column_stack([nodes["left"], nodes["right"]])[order]]
            )
            parts["feature"].append(nodes["feature_idx"][order])
            parts["threshold"].append(nodes["num_threshold"][order])
            parts["nan"].append(~nodes["missing_go_to_left"][order].astype(bool))
            parts["lr"].append(children)
            parts["value"].append(nodes["value"][order])
            starts.append(starts[-1] + len(order))
        children = np.concatenate(parts["lr"]).astype(np.int32)
        return cls(
            tree_starts=np.asarray(starts, dtype=np.int64),
            feature=np.concatenate(parts["feature"]).astype(np.int32),
            threshold=np.concatenate(parts["threshold"]).astype(np.float64),
            nan_right=np.concatenate(parts["nan"]),
            left=children[:, 0].copy(),
            right=children[:, 1].copy(),
            value=np.concatenate(parts["value"]).astype(np.float64),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            n_features=int(model.n_features_in_),
        )

    @property
    def n_trees(self) -> int:
        return len(self.tree_starts) - 1

    @cached_property
    def _trees(self) -> list[list[tuple]]:
        """Per tree, its nodes as Python tuples (faster to loop over than array elements)."""
        rows = zip(
            self.feature.tolist(),
            self.threshold.tolist(),
            self.nan_right.tolist(),
            self.left.tolist(),
            self.right.tolist(),
            self.value.tolist(),
        )
        flat = list(rows)
        return [flat[a:b] for a, b in zip(self.tree_starts[:-1], self.tree_starts[1:])]

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Raw score (log-odds of the positive class) of every row of ``X``."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected a matrix with {self.n_features} columns")
        out = np.empty(len(X))
        for start, stop in _chunks(len(X)):
            columns = np.ascontiguousarray(X[start:stop].T)
            has_nan = np.isnan(columns).any(axis=1).tolist()
            total = np.full(stop - start, self.baseline)
            for tree in self._trees:
                total += _tree_values(tree, columns, has_nan)
            out[start:stop] = total
        return out


def _chunks(n: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, CHUNK_ROWS):
        yield start, min(n, start + CHUNK_ROWS)


def _tree_values(tree: list[tuple], columns: np.ndarray, has_nan: list[bool]) -> np.ndarray | float:
    values: list[Any] = [0.0] * len(tree)
    for k in range(len(tree) - 1, -1, -1):
        feature, threshold, nan_right, left, right, value = tree[k]
        if left < 0:
            values[k] = value
            continue
        x = columns[feature]
        # NaN fails both comparisons: ``x > t`` sends it left, ``~(x <= t)`` right.
        go_right = ~(x <= threshold) if nan_right and has_nan[feature] else x > threshold
        values[k] = np.where(go_right, values[right], values[left])
    return values[0]


def _breadth_first(nodes: np.ndarray) -> np.ndarray:
    order = [0]
    for k in order:  # the list grows while it is read
        if not nodes["is_leaf"][k]:
            order += [int(nodes["left"][k]), int(nodes["right"][k])]
    return np.asarray(order, dtype=np.int64)
