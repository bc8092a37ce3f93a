"""The fitted HTML stage: rescoring the lines of an HTML page with the page's structure.

For HTML input, every block line also has its structure (``paysieve.documents.html_lines``).
The HTML stage is a gradient-boosted tree ensemble over the text model's final probability
of each line and that structure (``paysieve.model.html_features``), followed by its own
isotonic calibration, so that the model's threshold means the same for its output.
``paysieve.training.html_stage`` fits it on the training pages that come with their HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from paysieve.model.calibration_map import CalibrationMap
from paysieve.model.html_features import HtmlStageRows
from paysieve.model.linear_model import logistic
from paysieve.model.tree_ensemble import TreeEnsemble

HtmlStructure = tuple[np.ndarray, np.ndarray]  # (structure rows, container ids) of a page


def html_stage_rows(
    documents: Sequence[Sequence[str]],
    proba: np.ndarray,
    html: Sequence[HtmlStructure],
    offsets: np.ndarray,
) -> HtmlStageRows:
    """HTML-stage input rows (``paysieve.model.html_features``) of documents laid end to
    end, from the text model's ``proba`` of their lines and each page's structure, made a
    chunk of lines at a time."""
    chars = np.fromiter(
        (len(line) for doc in documents for line in doc), dtype=np.float64, count=len(proba)
    )
    structure = _joined([s for s, _ in html], np.zeros((0, 0)))
    container = _joined([c for _, c in html], np.zeros(0, np.int64))
    if len(structure) != len(proba):
        raise ValueError("every line needs one row of HTML structure")
    return HtmlStageRows(proba, chars, structure, container, offsets)


def html_stage_features(
    documents: Sequence[Sequence[str]],
    proba: np.ndarray,
    html: Sequence[HtmlStructure],
    offsets: np.ndarray,
) -> np.ndarray:
    """HTML-stage input rows of every line (``html_stage_rows``)."""
    return html_stage_rows(documents, proba, html, offsets).matrix()


def _joined(arrays: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
    """``arrays`` laid end to end (one page's own array, not a copy of it)."""
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else empty


@dataclass(frozen=True, eq=False)
class HtmlStage:
    """The HTML stage's tree ensemble and the calibration of its scores."""

    model: TreeEnsemble
    calibrator: CalibrationMap

    def probabilities(
        self,
        documents: Sequence[Sequence[str]],
        proba: np.ndarray,
        html: Sequence[HtmlStructure],
        offsets: np.ndarray,
    ) -> np.ndarray:
        """Calibrated boilerplate probabilities of the lines of ``documents`` (laid end to
        end, ``offsets`` as ``document_offsets`` gives them) from the text model's
        ``proba`` and each page's structure."""
        rows = html_stage_rows(documents, proba, html, offsets)
        return self.calibrator(logistic(rows.decision_function(self.model)))
