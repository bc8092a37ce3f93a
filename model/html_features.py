"""HTML-stage features: a line's text-model probability seen through the page's structure.

For a page given as HTML, each block line also has its structure (``paysieve.documents.html_lines``:
link share, block kind, depth, enclosing zones such as ``<nav>`` or ``<article>``, class and
id hints). The strongest signal is the container: the paragraphs of one article body share
the element that holds them, so a paragraph the text model doubted (cut off from the rest
of the article by a photo gallery, say) is pulled in by the confident paragraphs beside it,
and a teaser list is pushed out by its links. ``html_stage_matrix`` builds one row per line
for documents laid end to end.
"""

from __future__ import annotations

import numpy as np
from paysieve.model.context_features import (
    ANCHOR_MAX_P,
    RUN_FEATURE_NAMES,
    ChunkedRows,
    DocumentLines,
    Documents,
    FeatureColumns,
    Runs,
)

from paysieve.documents.html_lines import STRUCTURE_NAMES

HTML_STAGE_FEATURE_NAMES: tuple[str, ...] = (
    ("p", "logit", "p-1", "p+1", "p-2", "p+2", "log_chars")
    + ("container_line_share", "container_char_share", "container_mean_p")
    + ("container_char_weighted_p", "container_link_share")
    + STRUCTURE_NAMES
    + tuple(f"html_{name}" for name in RUN_FEATURE_NAMES)
)
_LINK = STRUCTURE_NAMES.index("link_share")
_TABLE = STRUCTURE_NAMES.index("in_table")
_LIST = STRUCTURE_NAMES.index("in_list")
# An article anchor in a page: a paragraph-length line outside tables and lists that the
# text model takes for content; tables and lists between anchors are runs between them.
ANCHOR_MIN_CHARS = 80


class HtmlStageRows(ChunkedRows):
    """Feature rows (``HTML_STAGE_FEATURE_NAMES``) of the lines of documents laid end to
    end: ``proba`` the text model's boilerplate probability, ``chars`` each line's length,
    ``structure`` and ``container`` as ``HtmlBlocks`` gives them, document d spanning lines
    ``offsets[d]:offsets[d + 1]``."""

    n_columns = len(HTML_STAGE_FEATURE_NAMES)

    def __init__(
        self,
        proba: np.ndarray,
        chars: np.ndarray,
        structure: np.ndarray,
        container: np.ndarray,
        offsets: np.ndarray,
    ) -> None:
        docs = Documents(np.asarray(offsets, dtype=np.int64))
        self.offsets = docs.offsets
        p = np.clip(np.asarray(proba, dtype=np.float64), 1e-4, 1 - 1e-4)
        chars = np.asarray(chars, dtype=np.float64)
        self.n_lines = len(p)
        self.p, self.chars, self.structure = p, chars, structure
        self.n_lines_total = docs.doc_total(np.ones(len(p)))
        self.chars_total = docs.doc_total(chars)
        # One group per (document, container): containers are numbered within their page.
        key = docs.doc * (int(container.max(initial=0)) + 1) + container
        _, self.group = np.unique(key, return_inverse=True)
        del key

        def per_group(values: np.ndarray) -> np.ndarray:
            return np.bincount(self.group, weights=values)

        self.count = per_group(np.ones(len(p)))
        self.group_chars = per_group(chars)
        self.group_p = per_group(p)
        self.group_p_chars = per_group(p * chars)
        self.group_links = per_group(structure[:, _LINK])
        structured = (structure[:, _TABLE] > 0) | (structure[:, _LIST] > 0)
        anchor = (p < ANCHOR_MAX_P) & (chars >= ANCHOR_MIN_CHARS) & ~structured
        self.runs = Runs(docs, p, anchor, structure[:, _LINK], structured.astype(np.float64))

    def write(self, lines: DocumentLines, cols: FeatureColumns) -> None:
        """Write the HTML-stage feature columns of ``lines`` into ``cols``."""
        idx, doc = lines.idx, lines.doc
        p, chars, group = self.p[idx], self.chars[idx], self.group[idx]
        count, group_chars = self.count[group], self.group_chars[group]
        cols.add(p, np.log(p / (1 - p)), *(lines.shift(self.p, o) for o in (-1, 1, -2, 2)))
        cols.add(
            np.log1p(chars),
            count / self.n_lines_total[doc],
            group_chars / np.maximum(self.chars_total[doc], 1.0),
            self.group_p[group] / count,
            self.group_p_chars[group] / np.maximum(group_chars, 1.0),
            self.group_links[group] / count,
        )
        cols.add(self.structure[idx])
        cols.add(*self.runs.columns(lines))


def html_stage_matrix(
    proba: np.ndarray,
    chars: np.ndarray,
    structure: np.ndarray,
    container: np.ndarray,
    offsets: np.ndarray,
) -> np.ndarray:
    """Feature rows (``HTML_STAGE_FEATURE_NAMES``) of the lines of documents laid end to end
    (see ``HtmlStageRows``)."""
    return HtmlStageRows(proba, chars, structure, container, offsets).matrix()
