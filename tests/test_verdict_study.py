"""benchmarks/verdict_study.py: the figures it reports for a rule on out-of-fold
verdict documents."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from paysieve.model.paywall_rule import FEATURE_NAMES
from paysieve.training.verdict_fit import VerdictDocuments

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
spec = importlib.util.spec_from_file_location("verdict_study", BENCHMARKS / "verdict_study.py")
verdict_study = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verdict_study)


def test_recall_at_precision_is_the_deepest_cut_that_keeps_the_floor():
    probability = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    gold = np.array([True, True, False, True, True, True])
    # precision of each cut: 1/1, 2/2, 2/3, 3/4, 4/5, 5/6; 5 positives
    assert verdict_study.recall_at_precision(probability, gold, 0.8) == pytest.approx(1.0)
    assert verdict_study.recall_at_precision(probability, gold, 0.84) == pytest.approx(0.4)
    assert verdict_study.recall_at_precision(probability, ~gold, 0.5) == pytest.approx(0.0)


def test_the_last_feature_separates_what_the_first_ones_cannot():
    """Documents whose last feature alone tells the answer: the rule over every feature
    finds it on folds it was not fitted on; the rule without it does not."""
    rng = np.random.default_rng(0)
    n = 400
    paywalled = rng.random(n) < 0.5
    features = rng.normal(size=(n, len(FEATURE_NAMES)))
    features[:, -1] = np.where(paywalled, 0.0, 3.0) + 0.1 * rng.normal(size=n)
    documents = VerdictDocuments(
        features, paywalled, np.where(paywalled, "teaser", "chrome"), np.arange(n) % 4
    )
    every = verdict_study.study(documents, len(FEATURE_NAMES))
    fewer = verdict_study.study(documents, len(FEATURE_NAMES) - 1)
    assert every["features"] == list(FEATURE_NAMES)
    assert every["unseen_fold_precision_recall"] == (1.0, 1.0)
    assert every["flagged_by_layout"] == {"chrome": 0, "teaser": int(paywalled.sum())}
    assert every["unseen_fold_recall_at_precision"] == 1.0
    assert fewer["unseen_fold_precision_recall"][0] < 0.8
