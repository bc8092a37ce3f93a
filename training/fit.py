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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sklearn
from paysieve.model.line_scorer import LineScorer
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.text_model import TextModel
from paysieve.training.calibration import fit_score_calibration
from paysieve.training.compose import compose_documents, compose_kind_documents, corpus_part
from paysieve.training.corpus_source import CorpusSource
from paysieve.training.html_stage import attach_html
from paysieve.training.labeled_data import LabeledDocument, document_from_record, read_labeled
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import line_scores
from paysieve.training.verdict_fit import fit_paywall_rule

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
            "documents": sum(not d.kinds_only for d in self.documents),
            "kinds_only_documents": sum(d.kinds_only for d in self.documents),
            "scored_lines": sum(d.n_scored for d in self.documents if not d.kinds_only),
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
    """Documents of one training input: a corpus source folder (its composed documents,
    then, except for the held-out part, which only evaluates, those that train the kinds
    only) or a labelled JSON Lines file."""
    path = Path(path)
    source = None
    if path.is_dir():
        source = corpus_part(CorpusSource.read(path), part)
        records = compose_documents(source, copies=copies, seed=seed)
        if part != "heldout":
            records += compose_kind_documents(source, copies=copies, seed=seed)
        docs = [document_from_record(r, f"{path}:{r['id']}") for r in records]
    else:
        docs = read_labeled(path)
        attach_html(docs, path.parent)
    return TrainingInput(str(path), fingerprint(path), docs, source)


def is_real(docs: Sequence[LabeledDocument]) -> np.ndarray:
    """Per document: whether it is a real page rather than a composed one."""
    return np.array([d.meta.get("source") != CORPUS_SOURCE for d in docs], dtype=bool)


def is_real_lines(docs: Sequence[LabeledDocument]) -> np.ndarray:
    """Per line (flat): whether it comes from a real page rather than a composed one."""
    return np.repeat(is_real(docs), [len(d.lines) for d in docs])


def document_weights(
    docs: Sequence[LabeledDocument],
    real_weight: float,
    source_weights: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Per document, the weight of its lines: 1 for composed pages, ``real_weight`` for real
    ones, times ``source_weights[source]`` for the sources it names."""
    scale = source_weights or {}
    per_source = np.array([scale.get(str(d.meta.get("source")), 1.0) for d in docs])
    return np.where(is_real(docs), real_weight * per_source, 1.0)


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
    source_weights: Mapping[str, float] | None = None,
    on_fold: Callable[[TextModel, np.ndarray], None] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Out-of-fold raw scores per document, from folds grouped by ``doc.group``, as
    ``train`` computes them (see ``LineClassifier.cross_val_raw_scores``; ``extra``
    documents are scored by the fold model that did not train on their group; ``on_fold``
    gets each fold's text model and the documents it did not train on)."""
    return LineClassifier(**{**params, "folds": folds}).cross_val_raw_scores(
        [d.lines for d in docs],
        [d.labels for d in docs],
        [d.group for d in docs],
        document_weights(docs, real_weight, source_weights),
        [d.kinds for d in docs],
        extra=[d.lines for d in extra],
        extra_groups=[d.group for d in extra],
        progress=progress,
        on_fold=on_fold,
        kinds_only=[d.kinds_only for d in docs],
    )


def train(
    inputs: Sequence[TrainingInput],
    params: dict | None = None,
    folds: int = 5,
    real_weight: float = 2.0,
    progress: Callable[[str], None] | None = None,
    source_weights: Mapping[str, float] | None = None,
) -> TrainingResult:
    """Fit a model on all documents of ``inputs`` with the training pipeline
    (``LineClassifier`` with ``params``, ``folds`` cross-validation folds, real pages'
    lines weighted ``real_weight`` times their source's ``source_weights`` entry; a source
    weighted 0 is left out) and record its cross-validated metrics per input."""
    estimator = LineClassifier(**{**(params or {}), "folds": folds})
    weights = dict(source_weights or {})

    def trained(d: LabeledDocument) -> bool:
        return bool(d.lines) and weights.get(str(d.meta.get("source")), 1.0) > 0

    docs = [d for inp in inputs for d in inp.documents if trained(d)]
    started = time.perf_counter()
    estimator.fit(
        [d.lines for d in docs],
        [d.labels for d in docs],
        groups=[d.group for d in docs],
        document_weight=document_weights(docs, real_weight, weights),
        kinds=[d.kinds for d in docs],
        html=[d.html for d in docs],
        tune=is_real(docs),
        progress=progress,
        kinds_only=[d.kinds_only for d in docs],
    )
    scorer, verdict_metrics = _with_paywall_rule(estimator.scorer_, inputs, params, progress)
    metrics = {}
    at = 0
    for inp in inputs:
        n = sum(1 for d in inp.documents if trained(d))
        mine = [
            (d, p)
            for d, p in zip(docs[at : at + n], estimator.held_out_proba_[at : at + n])
            if not d.kinds_only
        ]
        y = np.concatenate([d.labels for d, _ in mine]) if mine else np.zeros(0, np.int64)
        proba = np.concatenate([p for _, p in mine] or [np.zeros(0)])
        metrics[inp.path] = line_scores(y, (proba >= scorer.threshold_).astype(np.int64))
        at += n
    params = estimator.get_params()
    del params["folds"]  # recorded as cv_folds
    metadata = {
        "trained_on": [inp.description for inp in inputs],
        "params": params,
        "cv_folds": folds,
        "real_weight": real_weight,
        "source_weights": weights,
        "cross_validated_metrics": metrics,
        "html_stage": estimator.html_stage_report_,
        "paywall_verdict": verdict_metrics,
        "training_seconds": round(time.perf_counter() - started, 1),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "trained_with": {"scikit-learn": sklearn.__version__},
    }
    return TrainingResult(scorer, metadata)


def _with_paywall_rule(
    scorer: LineScorer,
    inputs: Sequence[TrainingInput],
    params: dict | None,
    progress: Callable[[str], None] | None,
) -> tuple[LineScorer, dict | None]:
    """The scorer with its paywall rule fitted on the corpus inputs
    (``paysieve.training.verdict_fit``) and the rule's out-of-fold figures; the scorer as
    it is, and None, when there is no corpus input or no kind model."""
    sources = [inp.source for inp in inputs if inp.source is not None]
    if not sources or scorer.text.kind_model is None:
        return scorer, None
    merged = CorpusSource(
        [a for s in sources for a in s.articles], [b for s in sources for b in s.blocks]
    )
    rule, metrics = fit_paywall_rule(merged, params or {}, scorer.calibration, progress=progress)
    return replace(scorer, paywall_rule=rule), metrics


def held_out_calibration(
    docs: Sequence[LabeledDocument], oof: Sequence[np.ndarray], params: Mapping
) -> ScoreCalibration:
    """The calibration and threshold ``train`` fits, from the out-of-fold raw scores
    ``oof`` of ``docs`` (as ``cross_val_scores`` gives them; the kinds-only documents,
    which have none, left out) and the estimator ``params``."""
    scored = [(d, s) for d, s in zip(docs, oof) if not d.kinds_only]
    calibration, _ = fit_score_calibration(
        [s for _, s in scored],
        [d.labels for d, _ in scored],
        is_real_lines([d for d, _ in scored]),
        smoothing=params["smoothing"],
        line_certainty=params["line_certainty"],
    )
    return calibration
