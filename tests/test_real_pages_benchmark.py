import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from paysieve.training.fit import document_weights
from paysieve.training.labeled_data import LabeledDocument

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
spec = importlib.util.spec_from_file_location("real_pages", BENCHMARKS / "real_pages_benchmark.py")
real_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(real_pages)


def page(n_content: int, n_boilerplate: int, source: str = "s") -> LabeledDocument:
    labels = np.array([0] * n_content + [1] * n_boilerplate + [-1])
    lines = [f"line {i}" for i in range(len(labels))]
    return LabeledDocument(id=source, lines=lines, labels=labels, meta={"source": source})


def test_lost_article_counts_pages_losing_more_than_half_of_ten_or_more_lines():
    docs = [page(10, 2), page(10, 2), page(10, 2), page(9, 2)]
    keep = [np.ones(13, bool) for _ in docs]
    keep[0][:6] = False  # 6 of 10 lost: counts
    keep[1][:5] = False  # exactly half: does not count
    keep[3][:9] = False  # all lost, but under 10 article lines: not a counted page
    share, lost, pages = real_pages.lost_article_share(docs, keep)
    assert (lost, pages) == (1, 3)
    assert share == pytest.approx(1 / 3)


def test_expected_calibration_error_of_a_calibrated_and_a_confident_model():
    y = np.array([1] * 30 + [0] * 70 + [-1])
    assert real_pages.expected_calibration_error(y, np.full(101, 0.3)) == pytest.approx(0.0)
    # Every line scored 0.95: one bin, mean 0.95 against a rate of 0.3.
    assert real_pages.expected_calibration_error(y, np.full(101, 0.95)) == pytest.approx(0.65)


def test_subsets_group_sources():
    docs = [page(1, 1, "scrapinghub"), page(1, 1, "dragnet"), page(1, 1, "cleaneval")]
    sets = real_pages.subsets(docs)
    assert sets["scrapinghub"] == [0]
    assert sets["recent news (scrapinghub + readability)"] == [0]
    assert sets["older pages (dragnet + l3s-gn1)"] == [1]
    assert sets["all but cleaneval"] == [0, 1]
    assert sets["all sources"] == [0, 1, 2]


def test_source_weights_scale_real_pages_only():
    docs = [page(1, 1, "paysieve-corpus"), page(1, 1, "dragnet"), page(1, 1, "cleaneval")]
    weights = document_weights(docs, 2.0, {"cleaneval": 0.25, "paysieve-corpus": 5.0})
    assert weights.tolist() == [1.0, 2.0, 0.5]


def test_html_stage_cv_without_block_documents_fits_nothing():
    """--no-html: no block documents to score, so no HTML stage is fitted (it used to
    fail after fitting one per fold)."""
    pages = [page(12, 8, source=f"site{i}") for i in range(6)]
    proba = [np.full(len(d.lines), 0.5) for d in pages]
    assert real_pages.html_stage_cv(pages, proba, [], [], folds=3) == []


def test_cross_validation_without_block_documents_fits_no_html_calibration(
    monkeypatch, corpus_dir, small_params
):
    """--no-html: the text scores are fitted and returned, and nothing of the HTML branch
    runs (its calibration took seconds of every run)."""
    from argparse import Namespace

    from paysieve.training.fit import load_input
    from paysieve.training.line_classifier import LineClassifier

    calibrations = []
    fitted = real_pages.held_out_calibration

    def counting(docs, oof, params):
        calibrations.append(params["smoothing"])
        return fitted(docs, oof, params)

    def no_html_stage(*args, **kwargs):
        raise AssertionError("the HTML stage was cross-validated without block documents")

    monkeypatch.setattr(real_pages, "held_out_calibration", counting)
    monkeypatch.setattr(real_pages, "html_stage_cv", no_html_stage)
    params = {**LineClassifier().get_params(), **small_params}
    assert params["html_smoothing"] != params["smoothing"]
    args = Namespace(params=params, folds=2, real_weight=2.0, source_weight={})
    corpus = load_input(corpus_dir, copies=2).documents
    views = {name: [] for name in real_pages.VIEWS}
    got = real_pages.cross_validated(args, corpus, [], views, [], lambda msg: None)
    assert calibrations == [params["smoothing"]]
    assert got["html"] == [] and 0 < got["threshold"] < 1


def test_the_seeds_table_ends_with_each_figures_mean():
    rows = [
        dict(zip(real_pages.SEED_COLUMNS, (0.5, 0.78, 0.84, 0.64, 0.08, 0.87, 0.99))),
        dict(zip(real_pages.SEED_COLUMNS, (0.6, 0.79, 0.82, 0.62, 0.05, 0.88, 0.98))),
    ]
    mean = real_pages.mean_row(rows)
    assert mean == pytest.approx(
        dict(zip(real_pages.SEED_COLUMNS, (0.55, 0.785, 0.83, 0.63, 0.065, 0.875, 0.985)))
    )
    assert real_pages.seed_row("mean", mean) == (
        "| mean | 0.550 | 0.785 | 0.830 | 0.630 | 0.065 | 0.875 | 0.985 |"
    )
