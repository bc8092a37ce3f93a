"""Fitting the HTML stage: rescoring the lines of HTML input with the page's structure.

Training records may name their page's HTML in an ``html`` field (a file name, resolved
beside the JSON Lines file or in its ``html/`` folder, gzipped or not; or the page source
itself). ``attach_html`` parses each page into block lines
(``paysieve.documents.html_lines``) and keeps its structure on the document when those lines
are the record's lines, so that the labels apply. ``fit_html_stage`` then learns, on those
pages only, a small gradient-boosted model from the text model's held-out probability of
each line plus the structure (``paysieve.model.html_features``) to the label, with its own
held-out calibration, site-grouped, and returns it as a finished
``paysieve.model.html_stage.HtmlStage`` for the training pipeline
(``paysieve.training.line_classifier``) to build the model with.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from paysieve.model.html_stage import HtmlStage, HtmlStructure, html_stage_features
from paysieve.model.text_model import document_offsets
from paysieve.model.tree_ensemble import TreeEnsemble
from paysieve.training.calibration import isotonic_map
from paysieve.training.labeled_data import LabeledDocument
from paysieve.training.metrics import line_scores
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from paysieve.documents.html_lines import html_blocks

MIN_PAGES = 20
STAGE_PARAMS = {
    "max_iter": 150,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
}


def _page_source(value: str, folder: Path) -> str | bytes | None:
    """The page an ``html`` field holds or names, None when it names no readable file."""
    if "<" in value:
        return value
    for path in (folder / value, folder / "html" / value):
        if path.is_file():
            data = path.read_bytes()
            return gzip.decompress(data) if path.suffix == ".gz" else data
    return None


def attach_html(docs: Sequence[LabeledDocument], folder: Path) -> None:
    """Parse the HTML page of every document whose record has an ``html`` field (see the
    module docstring) and keep its structure when its block lines equal the document's.
    A name that finds no file is passed over: the field may only record where the page
    came from."""
    for doc in docs:
        value = doc.meta.get("html")
        page = _page_source(value, folder) if isinstance(value, str) else None
        if page is None:
            continue
        blocks = html_blocks(page)
        if blocks.lines == list(doc.lines):
            doc.html = (blocks.structure, blocks.container)


def _classifier(random_state: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(**STAGE_PARAMS, random_state=random_state)


def fit_html_stage(
    documents: Sequence[Sequence[str]],
    labels: Sequence[np.ndarray],
    groups: Sequence[object],
    html: Sequence[HtmlStructure | None],
    proba: Sequence[np.ndarray],
    threshold: float,
    folds: int = 5,
    random_state: int = 0,
) -> tuple[HtmlStage, dict] | None:
    """The HTML stage fitted on the documents that have their page's structure in ``html``
    (None for the others), from ``proba``, the text model's held-out probabilities of
    their lines (one array per document), and its report: the stage's site-grouped
    (``groups``) cross-validated line scores at ``threshold`` beside the text model's on
    the same lines. None when there are too few pages to fit it."""
    pages = [i for i, h in enumerate(html) if h is not None and len(documents[i])]
    if len(pages) < MIN_PAGES:
        return None
    lines = [documents[i] for i in pages]
    offsets = document_offsets(lines)
    text_proba = np.concatenate([proba[i] for i in pages])
    rows = html_stage_features(lines, text_proba, [html[i] for i in pages], offsets)
    y = np.concatenate([labels[i] for i in pages])
    line_groups = np.repeat([groups[i] for i in pages], np.diff(offsets))
    known = y >= 0
    if len(np.unique(y[known])) < 2:
        return None

    held_out = np.zeros(len(y))
    n_splits = min(folds, len(np.unique(line_groups)))
    for train, test in GroupKFold(n_splits=n_splits).split(rows, y, line_groups):
        train = train[known[train]]
        model = _classifier(random_state).fit(rows[train], y[train])
        held_out[test] = model.predict_proba(rows[test])[:, 1]
    final = _classifier(random_state).fit(rows[known], y[known])
    # Calibrated on held-out scores, so that the model's threshold means the same here.
    stage = HtmlStage(
        TreeEnsemble.from_hist_gradient_boosting(final), isotonic_map(held_out[known], y[known])
    )
    stage_proba = stage.calibrator(held_out[known])
    report = {
        "pages": len(pages),
        "lines": int(known.sum()),
        "params": STAGE_PARAMS,
        "text_model": line_scores(y[known], (text_proba[known] >= threshold).astype(np.int64)),
        "html_stage": line_scores(y[known], (stage_proba >= threshold).astype(np.int64)),
    }
    return stage, report
