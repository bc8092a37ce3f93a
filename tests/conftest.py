"""Shared fixtures: a small model trained from the tiny corpus in tests/fixtures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from paysieve.model.persistence import save_model
from paysieve.training.fit import load_input, train

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


@pytest.fixture()
def small_params() -> dict:
    """The training parameters of the small model (a copy: tests may change it)."""
    return dict(SMALL_PARAMS)


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


MENU = ["Home", "World", "Business", "Sport", "Weather"]
TOPICS = ["harbour", "library", "railway", "school", "market", "bridge", "museum", "clinic"]


def _story(topic: str, n: int) -> list[str]:
    return [
        f"The {topic} reopened on Monday after a year of repairs, officials said.",
        f"Residents had waited {n} months for the work on the {topic} to finish.",
        f"The council said the {topic} would keep its usual opening hours.",
        f"A spokesperson thanked neighbours of the {topic} for their patience.",
    ]


def synthetic_news_page(i: int) -> tuple[str, list[str], list[str]]:
    """(HTML, lines, labels) of a synthetic news page: a link menu, an article split by a
    photo caption, teasers of other stories (written like article sentences: only their
    links and their <aside> say what they are) and a footer."""
    topic = TOPICS[i % len(TOPICS)]
    story = _story(topic, i + 2)
    related = [_story(TOPICS[(i + k) % 8], i + k)[k] for k in (1, 2, 3)]
    html = (
        "<html><body>"
        '<nav class="menu"><ul>' + "".join(f'<li><a href="/{m}">{m}</a></li>' for m in MENU)
        + '</ul></nav><article class="story"><h1>' + f"{topic.title()} reopens</h1>"
        + "".join(f"<p>{s}</p>" for s in story[:2])
        + '<figure class="gallery"><figcaption>Photo: staff</figcaption></figure>'
        + "".join(f"<p>{s}</p>" for s in story[2:])
        + '</article><aside class="related"><ul>'
        + "".join(f'<li><a href="/r{k}">{r}</a></li>' for k, r in enumerate(related))
        + '</ul></aside><footer><p>© 2026 Example News</p></footer></body></html>'
    )  # fmt: skip
    lines = [*MENU, f"{topic.title()} reopens", *story[:2], "Photo: staff", *story[2:]]
    lines += [*related, "© 2026 Example News"]
    labels = ["boilerplate"] * 5 + ["content"] * 3 + ["boilerplate"] + ["content"] * 2
    labels += ["boilerplate"] * 4
    return html, lines, labels


@pytest.fixture(scope="session")
def html_model_path(tmp_path_factory, corpus_dir):
    """A model with an HTML stage, trained on the fixture corpus and 24 synthetic pages."""
    pytest.importorskip("selectolax")
    folder = tmp_path_factory.mktemp("pages")
    with (folder / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(24):
            html, lines, labels = synthetic_news_page(i)
            (folder / f"page-{i}.html").write_text(html, encoding="utf-8")
            record = {"id": f"p{i}", "url": f"https://site{i}.example/a", "html": f"page-{i}.html"}
            fh.write(json.dumps({**record, "lines": lines, "labels": labels}) + "\n")
    inputs = [load_input(corpus_dir, copies=2), load_input(folder / "pages.jsonl")]
    assert inputs[1].description["pages_with_html"] == 24
    params = {"n_features": 2**14, "max_iter": 40, "inner_folds": 2, "min_samples_leaf": 5}
    result = train(inputs, params=params, folds=2)
    path = tmp_path_factory.mktemp("model") / "html.joblib"
    save_model(result.model, path, result.metadata)
    return path


@pytest.fixture(scope="session")
def news_page():
    """``synthetic_news_page``: (HTML, lines, labels) of page ``i``."""
    return synthetic_news_page
