"""Training runs: load inputs, run the training pipeline on them, record how it went.

A training input is either a hand-written corpus folder (``datasets/source``, composed into
documents with a fixed seed) or a labelled JSON Lines file (our format or the real-page
benchmark files). ``train`` hands their documents to the training pipeline,
``paysieve.training.line_classifier.LineClassifier``, which makes the finished model:
grouped cross-validation (by site for real pages, by article for composed ones) gives
out-of-fold scores on which the calibration and the decision threshold are fitted (tuned on
real pages), and which ``train`` reports as the model's held-out metrics, per input, beside
the metadata a model file keeps.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from paysieve.model.line_scorer import LineScorer
from paysieve.training.compose import compose_documents
from paysieve.training.corpus_source import CorpusSource
from paysieve.training.html_stage import attach_html
from paysieve.training.labeled_data import LabeledDocument, document_from_record, read_labeled
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import line_scores

CORPUS_SOURCE = "paysieve-corpus"


@dataclass
class TrainingInput:
    """One input of a training run and its documents."""

    path: str
    sha256: str
    documents: list[LabeledDocument] = field(repr=False)

    @property
    def description(self) -> dict:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "documents": len(self.documents),
            "scored_lines": sum(d.n_scored for d in self.documents),
            "pages_with_html": sum(d.html is not None for d in self.documents),
        }


def fingerprint(path: Path) -> str:
    """sha256 of a file, or of every file below a folder (names and contents, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def load_input(
    path: str | Path, copies: int = 4, seed: int = 20261128, part: str = "all"
) -> TrainingInput:
    """Documents of one training input: a corpus source folder or a labelled JSON Lines file."""
    path = Path(path)
    if path.is_dir():
        records = compose_documents(CorpusSource.read(path), copies=copies, seed=seed, part=part)
        docs = [document_from_record(r, f"{path}:{r['id']}") for r in records]
    else:
        docs = read_labeled(path)
        attach_html(docs, path.parent)
    return TrainingInput(str(path), fingerprint(path), docs)


def is_real(docs: Sequence[LabeledDocument]) -> np.ndarray:
    """Per document: whether it is a real page rather than a composed one."""
    return np.array([d.meta.get("source") != CORPUS_SOURCE for d in docs], dtype=bool)


def is_real_lines(docs: Sequence[LabeledDocument]) -> np.ndarray:
    """Per line (flat): whether it comes from a real page rather than a composed one."""
    return np.repeat(is_real(docs), [len(d.lines) for d in docs])


def document_weights(docs: Sequence[LabeledDocument], real_weight: float) -> np.ndarray:
    """Per document, the weight of its lines: 1 for composed pages, ``real_weight`` for real."""
    return np.where(is_real(docs), real_weight, 1.0)


@dataclass
class TrainingResult:
    """A fitted model (its numpy-only scorer, what a model file holds) and the record of
    how it was made."""

    model: LineScorer
    metadata: dict


def cross_val_scores(
    docs: Sequence[LabeledDocument],
    params: dict,
    folds: int,
    real_weight: float,
    progress: Callable[[str], None] | None = None,
    extra: Sequence[LabeledDocument] = (),
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Out-of-fold raw scores per document, from folds grouped by ``doc.group``, as
    ``train`` computes them (see ``LineClassifier.cross_val_raw_scores``; ``extra``
    documents are scored by the fold model that did not train on their group)."""
    return LineClassifier(**{**params, "folds": folds}).cross_val_raw_scores(
        [d.lines for d in docs],
        [d.labels for d in docs],
        [d.group for d in docs],
        document_weights(docs, real_weight),
        [d.kinds for d in docs],
        extra=[d.lines for d in extra],
        extra_groups=[d.group for d in extra],
        progress=progress,
    )


def train(
    inputs: Sequence[TrainingInput],
    params: dict | None = None,
    folds: int = 5,
    real_weight: float = 2.0,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Fit a model on all documents of ``inputs`` with the training pipeline
    (``LineClassifier`` with ``params``, ``folds`` cross-validation folds, real pages'
    lines weighted ``real_weight``) and record its cross-validated metrics per input."""
    estimator = LineClassifier(**{**(params or {}), "folds": folds})
    docs = [d for inp in inputs for d in inp.documents if d.lines]
    started = time.perf_counter()
    estimator.fit(
        [d.lines for d in docs],
        [d.labels for d in docs],
        groups=[d.group for d in docs],
        document_weight=document_weights(docs, real_weight),
        kinds=[d.kinds for d in docs],
        html=[d.html for d in docs],
        tune=is_real(docs),
        progress=progress,
    )
    scorer = estimator.scorer_
    metrics = {}
    at = 0
    for inp in inputs:
        n = sum(1 for d in inp.documents if d.lines)
        mine = docs[at : at + n]
        y = np.concatenate([d.labels for d in mine]) if mine else np.zeros(0, np.int64)
        proba = np.concatenate(estimator.held_out_proba_[at : at + n] or [np.zeros(0)])
        metrics[inp.path] = line_scores(y, (proba >= scorer.threshold_).astype(np.int64))
        at += n
    params = estimator.get_params()
    del params["folds"]  # recorded as cv_folds
    metadata = {
        "trained_on": [inp.description for inp in inputs],
        "params": params,
        "cv_folds": folds,
        "real_weight": real_weight,
        "cross_validated_metrics": metrics,
        "html_stage": estimator.html_stage_report_,
        "training_seconds": round(time.perf_counter() - started, 1),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "trained_with": {"scikit-learn": sklearn.__version__},
    }
    return TrainingResult(scorer, metadata)
