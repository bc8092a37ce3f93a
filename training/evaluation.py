"""Scoring a detector on labelled documents, and finding the pages it gets most wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from paysieve.training.labeled_data import LabeledDocument
from paysieve.training.metrics import line_scores

from paysieve.labels import LABEL_NAMES, UNKNOWN


class _Predictor(Protocol):
    threshold: float

    def predict_many(self, documents): ...


def evaluate_documents(
    detector: _Predictor, docs: Sequence[LabeledDocument]
) -> tuple[dict, list[np.ndarray]]:
    """(line-level metrics, per-document boilerplate probabilities) of ``detector``."""
    preds = [p.scores for p in detector.predict_many(d.lines for d in docs)]
    y = np.concatenate([d.labels for d in docs]) if docs else np.zeros(0, dtype=np.int64)
    scores = np.concatenate(preds) if preds else np.zeros(0)
    return line_scores(y, (scores >= detector.threshold).astype(np.int64)), preds


def worst_pages(
    docs: Sequence[LabeledDocument], scores: Sequence[np.ndarray], n: int, threshold: float = 0.5
) -> list[dict]:
    """The ``n`` pages with the most wrong lines, each with its wrong lines spelled out."""
    pages = []
    for doc, s in zip(docs, scores):
        pred = (s >= threshold).astype(np.int64)
        wrong = np.flatnonzero((doc.labels != UNKNOWN) & (pred != doc.labels))
        if len(wrong):
            rows = [
                f"line {i}: gold {LABEL_NAMES[int(doc.labels[i])]}, p(boilerplate)={s[i]:.2f}: "
                f"{doc.lines[i][:100]}"
                for i in wrong
            ]
            pages.append(
                {"id": doc.id, "errors": len(wrong), "scored": doc.n_scored, "lines": rows}
            )
    return sorted(pages, key=lambda p: -p["errors"])[:n]
