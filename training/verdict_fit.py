"""Fitting the document paywall rule on held-out composed documents.

The verdict has to hold on pages whose wording the model never saw, so its rule
(``paysieve.model.paywall_rule.PaywallRule``) is fitted on out-of-fold evidence: the corpus's
articles *and* boilerplate blocks are split into folds (a stable hash of each article id and
block text); for each fold a line model is trained on documents composed from the other
folds, and it scores the verdict documents (``compose_verdict_documents``: teasers and
metered notices, which are paywalled; free articles among subscription chrome or ending
with a newsletter box or podcast prompt, and plain articles, which are not) composed from
the fold's own articles and blocks. A logistic regression over the documents' verdict
features gives the probability; the threshold maximises F-beta (``BETA`` 0.5: precision
counts twice as much as recall) on those out-of-fold documents.

The fold models are trained on the corpus alone (no real pages: they carry no kinds) with
the run's parameters, and their scores are calibrated with the final model's calibration.
The blocks that train the kinds only take no part in the rule's evidence: neither in the
fold models nor in the verdict documents. With the fold models trained on them too, the
rule chose a far higher threshold, and on held-out verdict documents its recall fell from
0.936 to 0.788 for a precision of 0.963 instead of 0.938 (means over three composition
seeds, docs/kinds-results.md).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from paysieve.model.line_scorer import LineScorer
from paysieve.model.paywall_rule import (
    FEATURE_NAMES,
    PaywallRule,
    document_verdict_features,
)
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.training.compose import compose_documents, compose_verdict_documents
from paysieve.training.corpus_source import CorpusSource
from paysieve.training.labeled_data import document_from_record
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import precision_recall_f1
from sklearn.linear_model import LogisticRegression

VERDICT_FOLDS = 4
# The threshold maximises F-beta with beta 0.5 on the out-of-fold documents: precision
# counts twice as much as recall, since a free article flagged as paywalled is the worse
# error for corpus filtering.
BETA = 0.5
# Fewer out-of-fold documents of either answer than this and no rule is fitted: the model
# keeps the default rule (a line that is a paywall prompt with probability >= 0.5).
MIN_DOCUMENTS_PER_ANSWER = 40


def _fold(key: str, folds: int) -> int:
    return zlib.crc32(f"verdict:{key}".encode()) % folds


def corpus_folds(source: CorpusSource, folds: int) -> list[tuple[CorpusSource, CorpusSource]]:
    """(training part, held-out part) per fold; articles and blocks are both held out."""
    out = []
    for k in range(folds):
        held_articles = [a for a in source.articles if _fold(a.id, folds) == k]
        held_blocks = [b for b in source.blocks if _fold("\n".join(b.lines), folds) == k]
        out.append(
            (
                CorpusSource(
                    [a for a in source.articles if _fold(a.id, folds) != k],
                    [b for b in source.blocks if _fold("\n".join(b.lines), folds) != k],
                ),
                CorpusSource(held_articles, held_blocks),
            )
        )
    return out


def document_features(scorer: LineScorer, documents: Sequence[Sequence[str]]) -> np.ndarray:
    """Verdict features (one row per document) of non-empty ``documents`` as ``scorer``
    scores them, with lines labelled at its threshold."""
    rows = []
    for lines, scores in zip(documents, scorer.score_documents(documents)):
        chars = np.array([len(line) for line in lines], dtype=np.float64)
        features, _ = document_verdict_features(
            scores.proba,
            scores.kind_proba,
            scorer.kind_classes_,
            scores.proba < scorer.threshold_,
            chars,
        )
        rows.append(features)
    return np.array(rows).reshape(len(rows), len(FEATURE_NAMES))


def f_beta_threshold(probability: np.ndarray, gold: np.ndarray, beta: float) -> float:
    """The threshold (documents flagged at probability >= threshold) with the highest
    F-beta score on ``gold``; halfway to the next lower probability, so that it does not
    sit on a training document. Tied documents are flagged together."""
    order = np.argsort(-probability, kind="stable")
    p, g = probability[order], gold[order].astype(np.float64)
    if len(p) == 0 or g.sum() == 0:
        return 0.5
    tp = np.cumsum(g)
    precision, recall = tp / np.arange(1, len(g) + 1), tp / g.sum()
    b2 = beta**2
    f = (1 + b2) * precision * recall / np.maximum(b2 * precision + recall, 1e-12)
    f[np.r_[p[1:] >= p[:-1], False]] = -1.0  # only cut between distinct probabilities
    last = int(np.argmax(f))
    below = p[last + 1] if last + 1 < len(p) else 0.0
    return float((p[last] + below) / 2)


@dataclass(frozen=True)
class VerdictDocuments:
    """Out-of-fold verdict documents: one row of ``features`` (``FEATURE_NAMES``) per
    document, whether it is paywalled, its layout and the verdict fold it was held out of."""

    features: np.ndarray
    paywalled: np.ndarray
    layouts: np.ndarray
    folds: np.ndarray


def out_of_fold_documents(
    source: CorpusSource,
    params: dict,
    calibration: ScoreCalibration,
    folds: int = VERDICT_FOLDS,
    progress: Callable[[str], None] | None = None,
) -> VerdictDocuments:
    """The verdict documents of every fold of ``source``, scored by a text model trained
    on the other folds (with ``params``) and calibrated with ``calibration``."""
    features, gold, layouts, fold_of = [], [], [], []
    for k, (train_part, held_part) in enumerate(corpus_folds(source, folds)):
        if progress:
            progress(f"paywall verdict fold {k + 1}/{folds}")
        docs = [document_from_record(r, r["id"]) for r in compose_documents(train_part)]
        text = LineClassifier(**params).fit_text_model(
            [d.lines for d in docs],
            [d.labels for d in docs],
            groups=[d.group for d in docs],
            kinds=[d.kinds for d in docs],
        )
        records = [r for r in compose_verdict_documents(held_part, part="all") if r["lines"]]
        if text.kind_model is None or not records:
            continue
        lines = [r["lines"] for r in records]
        features.append(document_features(LineScorer(text, calibration), lines))
        gold += [r["paywall"]["detected"] for r in records]
        layouts += [r["layout"] for r in records]
        fold_of += [k] * len(records)
    return VerdictDocuments(
        np.vstack(features) if features else np.zeros((0, len(FEATURE_NAMES))),
        np.array(gold, dtype=bool),
        np.array(layouts, dtype=str),
        np.array(fold_of, dtype=np.int64),
    )


def fit_rule(features: np.ndarray, paywalled: np.ndarray, beta: float = BETA) -> PaywallRule:
    """A logistic regression over ``features`` with the F-beta-optimal threshold on the
    same documents."""
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(features, paywalled)
    unthresholded = PaywallRule(lr.coef_[0], float(lr.intercept_[0]), 0.5)
    threshold = f_beta_threshold(unthresholded.probability(features), paywalled, beta)
    return PaywallRule(lr.coef_[0], float(lr.intercept_[0]), threshold)


def precision_recall(flagged: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Precision and recall of the documents ``flagged`` against the ``gold`` verdicts."""
    scores = precision_recall_f1(
        int((flagged & gold).sum()), int((flagged & ~gold).sum()), int((~flagged & gold).sum())
    )
    return scores["precision"], scores["recall"]


def flagged_by_layout(flagged: np.ndarray, layouts: np.ndarray) -> dict[str, int]:
    """How many documents of each composed layout are ``flagged``."""
    names = sorted(set(np.asarray(layouts).tolist()))
    return {layout: int(flagged[layouts == layout].sum()) for layout in names}


def fit_paywall_rule(
    source: CorpusSource,
    params: dict,
    calibration: ScoreCalibration,
    folds: int = VERDICT_FOLDS,
    beta: float = BETA,
    progress: Callable[[str], None] | None = None,
) -> tuple[PaywallRule | None, dict]:
    """The paywall rule fitted on out-of-fold verdict documents of ``source`` (None when
    there are too few of them), and its out-of-fold figures (documents, precision and
    recall at its threshold)."""
    documents = out_of_fold_documents(source, params, calibration, folds, progress)
    y = documents.paywalled
    if min(int(y.sum()), int((~y).sum())) < MIN_DOCUMENTS_PER_ANSWER:
        return None, {
            "documents": len(y),
            "paywalled": int(y.sum()),
            "rule": "default (too few out-of-fold verdict documents to fit one)",
        }
    rule = fit_rule(documents.features, y, beta)
    flagged = rule.probability(documents.features) >= rule.threshold
    precision, recall = precision_recall(flagged, y)
    metrics = {
        "documents": len(y),
        "paywalled": int(y.sum()),
        "folds": folds,
        "threshold": rule.threshold,
        "f_beta": beta,
        "out_of_fold_precision": precision,
        "out_of_fold_recall": recall,
        "flagged_by_layout": flagged_by_layout(flagged, documents.layouts),
        "features": dict(zip(FEATURE_NAMES, np.round(rule.coef, 4).tolist())),
    }
    return rule, metrics
