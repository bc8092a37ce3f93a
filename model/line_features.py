"""Per-line features: what a line says (hashed tokens) and what kind of line it is (shape).

Both are functions of the line's text alone, so each distinct text is featurised once per
call (menus and footers repeat across the pages of a site). Context from neighbouring
lines is added later, in ``paysieve.model.context_features``.
"""

from __future__ import annotations

import numpy as np
from paysieve.model.character_classes import character_classes
from paysieve.model.line_shape import SHAPE_FEATURE_NAMES, shape_features, shape_matrix
from paysieve.model.sparse_rows import SparseRows
from paysieve.model.token_hashing import SHORT_LINE_TOKENS, TokenHasher, tokenize

__all__ = [
    "SHAPE_FEATURE_NAMES",
    "SHORT_LINE_TOKENS",
    "LineFeaturizer",
    "shape_features",
    "tokenize",
]


def distinct_texts(lines: list[str]) -> tuple[np.ndarray, list[str]]:
    """(index, texts): the distinct texts of ``lines`` in first-seen order, and for every
    line the position of its text among them."""
    position = {text: i for i, text in enumerate(dict.fromkeys(lines))}
    index = np.fromiter(map(position.__getitem__, lines), dtype=np.int64, count=len(lines))
    return index, list(position)


class LineFeaturizer:
    """Turns lines into hashed token features (sparse, l2-normalised) and shape features.

    Needs no fitting and holds no vocabulary. It keeps the code-point class table that
    tokens and shape are read with (saved with the model: features stay the same under
    another Python's Unicode data, and a loaded model need not rebuild it).
    """

    def __init__(self, n_features: int = 2**18) -> None:
        self.n_features = n_features
        self.character_classes = character_classes()
        self._hasher = TokenHasher(n_features)

    def transform_distinct(self, lines: list[str]) -> tuple[np.ndarray, SparseRows, np.ndarray]:
        """(index, hashed token rows, shape rows) of the distinct texts of ``lines``: line
        ``i`` has the features of row ``index[i]``. Featurise (and score) each text once."""
        index, texts = distinct_texts(lines)
        return (index, *self.transform_texts(texts))

    def transform_texts(self, texts: list[str]) -> tuple[SparseRows, np.ndarray]:
        """(hashed token rows, shape rows) of ``texts``, one row per text: each row is a
        function of its text alone, so any split of ``texts`` gives the same rows."""
        return (
            self._hasher.transform(texts, self.character_classes),
            shape_matrix(texts, self.character_classes),
        )

    def transform(self, lines: list[str]) -> tuple[SparseRows, np.ndarray]:
        """(hashed token rows, shape rows) of every line of ``lines``."""
        index, hashed, shape = self.transform_distinct(lines)
        return hashed.take(index), shape[index]
