"""Training runs: load inputs, cross-validate by group, calibrate, fit the final model.

A training input is either a hand-written corpus folder (``datasets/source``, composed into
documents with a fixed seed) or a labelled JSON Lines file (our format or the real-page
benchmark files). Grouped cross-validation (by site for real pages, by article for
composed ones) gives out-of-fold scores on which the isotonic calibrator and the decision
threshold are fitted, and which are reported as the model's held-out metrics.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from paysieve.model.line_classifier import LineClassifier
from paysieve.model.line_scorer import LineScorer, document_offsets
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.training.calibration import isotonic_map
from paysieve.training.compose import compose_documents, corpus_part
from paysieve.training.corpus_source import CorpusSource
from paysieve.training.html_stage import attach_html, fit_html_stage
from paysieve.training.labeled_data import LabeledDocument, document_from_record, read_labeled
from paysieve.training.metrics import best_threshold, line_scores
from paysieve.training.verdict_fit import fit_paywall_rule
from sklearn.model_selection import GroupKFold

from paysieve.errors import InputError
from paysieve.labels import BOILERPLATE, CONTENT

CORPUS_SOURCE = "paysieve-corpus"


@dataclass
class TrainingInput:
    """One input of a training run and its documents (and, for a corpus source folder, the
    part of the corpus they were composed from)."""

    path: str
    sha256: str
    documents: list[LabeledDocument] = field(repr=False)
    source: CorpusSource | None = field(default=None, repr=False)

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
    source = None
    if path.is_dir():
        source = corpus_part(CorpusSource.read(path), part)
        records = compose_documents(source, copies=copies, seed=seed)
        docs = [document_from_record(r, f"{path}:{r['id']}") for r in records]
    else:
        docs = read_labeled(path)
        attach_html(docs, path.parent)
    return TrainingInput(str(path), fingerprint(path), docs, source)


def is_real_lines(docs: Sequence[LabeledDocument]) -> np.ndarray:
    """Per line (flat): whether it comes from a real page rather than a composed one."""
    return np.concatenate(
        [np.full(len(d.lines), d.meta.get("source") != CORPUS_SOURCE) for d in docs]
    )


def document_weights(docs: Sequence[LabeledDocument], real_weight: float) -> np.ndarray:
    return np.array([1.0 if d.meta.get("source") == CORPUS_SOURCE else real_weight for d in docs])


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
    on_fold: Callable[[LineClassifier, np.ndarray], None] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Out-of-fold raw scores per document, from folds grouped by ``doc.group``.

    ``extra`` documents (e.g. other views of the same pages) are scored by the fold model
    that did not train on their group; those of groups absent from ``docs`` by the first.
    ``on_fold`` gets every fold's fitted model and the indices of the documents it did
    not train on (e.g. to keep the fold models).
    """
    groups = np.array([d.group for d in docs])
    weights = document_weights(docs, real_weight)
    oof: list[np.ndarray] = [np.zeros(0)] * len(docs)
    extra_scores: list[np.ndarray] = [np.zeros(0)] * len(extra)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    splits = list(splitter.split(np.zeros(len(docs)), groups=groups))
    fold_of_group = {g: k for k, (_, test) in enumerate(splits) for g in groups[test]}
    for k, (train, test) in enumerate(splits):
        if progress:
            progress(f"cross-validation fold {k + 1}/{len(splits)}")
        model = LineClassifier(**params).fit(
            [docs[i].lines for i in train],
            [docs[i].labels for i in train],
            groups=groups[train],
            document_weight=weights[train],
            kinds=[docs[i].kinds for i in train],
        )
        if on_fold:
            on_fold(model, test)
        mine = [i for i, d in enumerate(extra) if fold_of_group.get(d.group, 0) == k]
        targets = [docs[i] for i in test] + [extra[i] for i in mine]
        scores = _split(
            model.raw_scores([d.lines for d in targets]), [len(d.lines) for d in targets]
        )
        for i, s in zip(test, scores[: len(test)]):
            oof[i] = s
        for i, s in zip(mine, scores[len(test) :]):
            extra_scores[i] = s
    return oof, extra_scores


def calibrate(
    calibration: ScoreCalibration,
    raw_docs: Sequence[np.ndarray],
    y: np.ndarray,
    tune: np.ndarray,
) -> np.ndarray:
    """Fit the calibration maps on held-out raw scores (one (n_lines, 2) array per
    document, as ``LineScorer.raw_scores`` gives them) and pick the threshold on the
    ``tune`` lines; returns the final probabilities of all lines.

    The threshold is tuned on real pages when there are any: composed pages are easier
    and would pull it towards their own optimum. It is tuned on the final probabilities
    (calibrated, then smoothed along the documents), the ones it is compared with.
    """
    raw = np.concatenate(raw_docs) if len(raw_docs) else np.zeros((0, 2))
    known = y >= 0
    calibration.calibrator = isotonic_map(raw[known, 0], y[known])
    calibration.output_calibrator = None
    offsets = document_offsets(raw_docs)
    if calibration.smoothing:
        smoothed = calibration.smoothed(raw[:, 0], offsets)
        calibration.output_calibrator = isotonic_map(smoothed[known], y[known])
    proba = calibration.probabilities(raw, offsets)
    if not (tune & known).any():
        tune = np.ones(len(y), dtype=bool)
    calibration.threshold = best_threshold(proba[tune], y[tune])
    return proba


def _fit_verdict(
    scorer: LineScorer,
    inputs: Sequence[TrainingInput],
    params: dict,
    progress: Callable[[str], None] | None,
) -> dict | None:
    """Fit the scorer's paywall rule on the corpus inputs (``paysieve.training.verdict_fit``);
    its out-of-fold figures, or None when there is no corpus or no kind model."""
    sources = [inp.source for inp in inputs if inp.source is not None]
    if not sources or scorer.kind_model is None:
        return None
    merged = CorpusSource(
        [a for s in sources for a in s.articles], [b for s in sources for b in s.blocks]
    )
    scorer.paywall_rule, metrics = fit_paywall_rule(
        merged, params, scorer.calibration, progress=progress
    )
    return metrics


def _split(flat: np.ndarray, lengths: Sequence[int]) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []


def train(
    inputs: Sequence[TrainingInput],
    params: dict | None = None,
    folds: int = 5,
    real_weight: float = 2.0,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Cross-validate, calibrate and fit a model on all documents of ``inputs``."""
    params = {**LineClassifier().get_params(), **(params or {})}
    docs = [d for inp in inputs for d in inp.documents if d.lines]
    present = set(np.concatenate([d.labels for d in docs]).tolist()) if docs else set()
    if not {CONTENT, BOILERPLATE} <= present:
        raise InputError("training data needs labelled content and boilerplate lines")
    started = time.perf_counter()
    oof, _ = cross_val_scores(docs, params, folds, real_weight, progress)
    y = np.concatenate([d.labels for d in docs])
    if progress:
        progress("fitting the final model on all documents")
    model = LineClassifier(**params).fit(
        [d.lines for d in docs],
        [d.labels for d in docs],
        groups=[d.group for d in docs],
        document_weight=document_weights(docs, real_weight),
        kinds=[d.kinds for d in docs],
    )
    scorer = model.scorer_
    proba = calibrate(scorer.calibration, oof, y, is_real_lines(docs))
    verdict_metrics = _fit_verdict(scorer, inputs, params, progress)
    html_metrics = None
    if any(d.html is not None for d in docs):
        if progress:
            progress("fitting the HTML stage on the pages with their HTML")
        html_metrics = fit_html_stage(scorer, docs, _split(proba, [len(d.lines) for d in docs]))

    metrics = {}
    offset = 0
    for inp in inputs:
        n = sum(len(d.lines) for d in inp.documents if d.lines)
        pred = (proba[offset : offset + n] >= scorer.threshold_).astype(np.int64)
        metrics[inp.path] = line_scores(y[offset : offset + n], pred)
        offset += n
    metadata = {
        "trained_on": [inp.description for inp in inputs],
        "params": params,
        "cv_folds": folds,
        "real_weight": real_weight,
        "cross_validated_metrics": metrics,
        "html_stage": html_metrics,
        "paywall_verdict": verdict_metrics,
        "training_seconds": round(time.perf_counter() - started, 1),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "trained_with": {"scikit-learn": sklearn.__version__},
    }
    return TrainingResult(scorer, metadata)
