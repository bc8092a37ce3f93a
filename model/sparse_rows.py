"""Compressed sparse rows in plain numpy: the hashed token features of a batch of lines.

The prediction path needs only three things from a sparse matrix (build it from
hashed (row, column, sign) entries, gather rows, sum weighted entries per row), and doing them
in numpy keeps scipy out of the processes that only predict. Training hands the same
arrays to scipy (``to_scipy``) for the scikit-learn estimators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SparseRows:
    """CSR arrays: row ``i`` holds ``data[indptr[i]:indptr[i+1]]`` at columns
    ``indices[indptr[i]:indptr[i+1]]`` (sorted, no duplicates)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_columns: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_signed_entries(
        cls, row: np.ndarray, col: np.ndarray, positive: np.ndarray, n_rows: int, n_columns: int
    ) -> SparseRows:
        """Rows from unordered entries of value +1 (``positive``) or -1, as feature hashing
        makes them; repeated (row, column) entries are summed.

        The sign rides in the lowest bit of one packed sort key, so one ``np.sort`` orders
        everything (an arg-sort and a gather cost several times more on millions of entries).
        """
        packed = row.astype(np.int64)  # (row * n_columns + col) * 2 + positive, in place
        packed *= n_columns
        packed += col
        packed *= 2
        packed += positive
        packed.sort()
        sign = (packed & 1).astype(np.float64)
        sign *= 2.0
        sign -= 1.0
        key = packed
        key >>= 1
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        data = np.add.reduceat(sign, starts) if len(key) else sign
        key = key[starts]
        counts = np.bincount(key // n_columns, minlength=n_rows)
        indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return cls(indptr, key % n_columns, data, n_columns)

    def row_ids(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def normalized(self) -> SparseRows:
        """Every non-empty row scaled to unit Euclidean length."""
        norms = np.sqrt(np.bincount(self.row_ids(), self.data**2, minlength=self.n_rows))
        norms[norms == 0] = 1.0
        data = self.data / np.repeat(norms, np.diff(self.indptr))
        return SparseRows(self.indptr, self.indices, data, self.n_columns)

    def take(self, rows: np.ndarray) -> SparseRows:
        """The given rows, in that order (rows may repeat)."""
        lengths = np.diff(self.indptr)[rows]
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        source = np.repeat(self.indptr[rows] - indptr[:-1], lengths) + np.arange(indptr[-1])
        return SparseRows(indptr, self.indices[source], self.data[source], self.n_columns)

    def row_sums(
        self, weights: np.ndarray, entries: np.ndarray | None = None, copy: bool = True
    ) -> np.ndarray:
        """Per row, the sum of its values times ``weights``, one weight per stored entry
        ((nnz,) gives (n_rows,); (nnz, k) gives (n_rows, k)). With ``entries`` (a mask
        over the stored entries), only those count and ``weights`` has one row per kept
        entry. ``copy=False`` writes the products into ``weights`` (a temporary the caller
        made for this call: a wide one is the largest array of a batch's scoring)."""
        rows, data = self.row_ids(), self.data
        if entries is not None:
            rows, data = rows[entries], data[entries]
        # In the weights' precision: float32 weights halve the memory traffic of a wide sum.
        data = data.astype(weights.dtype, copy=False)
        products = np.multiply(
            weights, data if weights.ndim == 1 else data[:, None], out=None if copy else weights
        )
        sums = np.zeros((self.n_rows, *products.shape[1:]), dtype=products.dtype)
        if len(rows):
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            sums[rows[starts]] = np.add.reduceat(products, starts, axis=0)
        return sums

    def to_scipy(self):
        """The same matrix as a ``scipy.sparse.csr_matrix`` (imports scipy)."""
        from scipy import sparse

        return sparse.csr_matrix(
            (self.data, self.indices, self.indptr), shape=(self.n_rows, self.n_columns)
        )
