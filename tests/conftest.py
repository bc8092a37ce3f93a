"""Shared fixtures: a small model trained from the tiny corpus in tests/fixtures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from model.persistence import save_model
from training.fit import load_input, train

FIXTURES = Path(__file__).parent / "fixtures"
# A tiny corpus: smaller leaves than the default 20 lines, or stage 2 cannot split it finely.
SMALL_PARAMS = {"n_features": 2**14, "max_iter": 60, "inner_folds": 2, "min_samples_leaf": 5}


@pytest.fixture(scope="session")
def one_openmp_thread():
    """Many small predictions: on a busy machine, OpenMP threads spinning up for each
    gradient-boosting predict call dominate the time; one thread avoids that."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return FIXTURES / "corpus"


@pytest.fixture(scope="session")
def small_model_path(tmp_path_factory, corpus_dir) -> Path:
    """A model trained end to end (cross-validation, calibration, final fit) on the fixture."""
    result = train([load_input(corpus_dir, copies=6)], params=SMALL_PARAMS, folds=2)
    path = tmp_path_factory.mktemp("model") / "small.joblib"
    save_model(result.model, path, result.metadata)
    return path


BENCHMARK_SHAPED = [
    {
        "id": "scrapinghub/abc123",
        "source": "scrapinghub",
        "url": "https://www.example.co.uk/news/story-1",
        "lang": "en",
        "lines": [
            "Home",
            "World",
            "A ferry service resumed on Monday after repairs.",
            "Officials said the crossing takes forty minutes.",
            "Subscribe",
            "|",
        ],
        "labels": ["boilerplate", "boilerplate", "content", "content", "boilerplate", None],
        "slices": [[], [], [], [], ["paywall"], []],
        "html": "scrapinghub__abc123.html.gz",
        "label_method": "gold_text",
    },
    {
        "id": "readability/localpaper-2",
        "source": "readability",
        "url": None,
        "lang": "de",
        "lines": ["Startseite", "Die Brücke wird ab Montag saniert.", "Anmelden"],
        "labels": ["boilerplate", "content", None],
        "slices": [[], [], ["paywall"]],
        "html": "readability__localpaper-2.html.gz",
        "label_method": "gold_text",
    },
]


@pytest.fixture()
def benchmark_file(tmp_path) -> Path:
    """A gzipped JSON Lines file shaped like ../shared/benchmark/dev.jsonl.gz."""
    path = tmp_path / "bench.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for record in BENCHMARK_SHAPED:
            fh.write(json.dumps(record) + "\n")
    return path
