import multiprocessing

import numpy as np
import paysieve.inference.worker_pool as worker_pool
import pytest
from paysieve.inference.batch_prediction import batched
from paysieve.inference.worker_pool import predict_batches

from paysieve import Detector, InputError, ModelFileError

ARTICLE = [
    "The central library reopened on Monday after six months of repairs.",
    "Staff moved more than twenty thousand books to a warehouse.",
    '"We are thrilled to welcome readers back," said the head librarian.',
]
TAIL = ["Subscribe now", "Already a subscriber? Sign in", "Share", "Home"]


def mixed_batches(n_batches: int) -> list[list]:
    """Batches of varying size mixing documents as line lists and as texts."""
    batches = []
    for b in range(n_batches):
        batch = []
        for d in range(b % 4 + 1):
            lines = ARTICLE[: (b + d) % 3 + 1] + TAIL[: (b * d) % 4] + [f"Story {b}-{d} ends here."]
            batch.append("\r\n".join(lines) + "\n" if d % 2 else lines)
        batches.append(batch)
    return batches


def assert_same(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.lines == e.lines
        assert g.endings == e.endings
        assert g.labels == e.labels
        assert g.text == e.text
        assert np.allclose(g.scores, e.scores)


@pytest.fixture(autouse=True)
def no_leftover_workers():
    yield
    assert multiprocessing.active_children() == []


def test_two_workers_give_the_single_process_results_in_input_order(small_model_path):
    detector = Detector(small_model_path)
    batches = mixed_batches(13)
    results = list(predict_batches(iter(batches), small_model_path, jobs=2, in_flight=3))
    assert [len(r) for r in results] == [len(b) for b in batches]
    docs = [doc for batch in batches for doc in batch]
    texts = iter(detector.predict_texts(d for d in docs if isinstance(d, str)))
    lines = iter(detector.predict_many(d for d in docs if not isinstance(d, str)))
    expected = [next(texts) if isinstance(d, str) else next(lines) for d in docs]
    assert any(isinstance(d, str) for d in docs) and any(isinstance(d, list) for d in docs)
    assert_same([p for r in results for p in r], expected)


def test_html_pages_travel_to_the_workers_with_their_structure(html_model_path):
    from paysieve.documents.html_lines import html_blocks

    pages = [
        html_blocks(
            f"<nav><a href='/'>Home</a></nav><article>{''.join(f'<p>{x}</p>' for x in ARTICLE)}"
            f"<p>Story {i} ends here.</p></article><footer><p>{TAIL[i % 4]}</p></footer>"
        )
        for i in range(6)
    ]
    batches = [pages[:2], pages[2:3], pages[3:]]
    results = list(predict_batches(batches, html_model_path, jobs=2))
    assert_same([p for r in results for p in r], Detector(html_model_path).predict_blocks(pages))


def test_threshold_reaches_the_workers(small_model_path):
    batches = mixed_batches(3)
    drop_all = list(predict_batches(batches, small_model_path, threshold=0.0, jobs=2))
    assert all(set(p.labels) == {"boilerplate"} for preds in drop_all for p in preds if len(p))


def test_input_is_read_only_as_results_are_taken(small_model_path):
    pulled = 0

    def source():
        nonlocal pulled
        for batch in mixed_batches(12):
            pulled += 1
            yield batch

    returned = 0
    for _ in predict_batches(source(), small_model_path, jobs=2, in_flight=3):
        returned += 1
        assert pulled <= returned + 2  # this result plus at most 2 more submitted
    assert returned == pulled == 12


def test_one_job_runs_in_this_process(small_model_path, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("jobs=1 must not start a pool")

    monkeypatch.setattr(worker_pool, "ProcessPoolExecutor", no_pool)
    batches = mixed_batches(3)
    detector = Detector(small_model_path)
    for batch, got in zip(batches, predict_batches(batches, small_model_path, jobs=1)):
        assert_same(got, detector.predict_documents(batch))


def test_errors_in_workers_reach_the_caller_and_stop_the_pool(small_model_path, tmp_path):
    bad = [*mixed_batches(4), [["fine line", 3]], *mixed_batches(4)]
    with pytest.raises(InputError, match="string"):
        list(predict_batches(bad, small_model_path, jobs=2))
    with pytest.raises(ModelFileError):
        list(predict_batches(mixed_batches(2), tmp_path / "missing.joblib", jobs=2))


def test_interrupt_and_early_close_shut_the_workers_down(small_model_path):
    def interrupted():
        yield from mixed_batches(5)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(predict_batches(interrupted(), small_model_path, jobs=2))
    assert multiprocessing.active_children() == []

    pulled = 0

    def endless():
        nonlocal pulled
        while True:
            pulled += 1
            yield mixed_batches(2)[1]

    results = predict_batches(endless(), small_model_path, jobs=2, in_flight=2)
    next(results)
    results.close()
    assert multiprocessing.active_children() == []
    assert pulled <= 3


def test_bad_job_counts_are_refused(small_model_path):
    with pytest.raises(ValueError, match="jobs"):
        next(predict_batches(mixed_batches(1), small_model_path, jobs=0))
    with pytest.raises(ValueError, match="in_flight"):
        next(predict_batches(mixed_batches(1), small_model_path, jobs=2, in_flight=0))


def test_batches_hold_at_most_max_lines_unless_one_document_is_longer():
    docs = [["a"] * n for n in (3, 4, 2, 9, 1, 1, 1, 1)]
    batches = list(batched(iter(docs), max_items=3, max_size=6, size_of=len))
    assert [[len(d) for d in b] for b in batches] == [[3], [4, 2], [9], [1, 1, 1], [1]]
    assert [d for b in batches for d in b] == docs
    assert list(batched([], max_items=3, max_size=6, size_of=len)) == []
