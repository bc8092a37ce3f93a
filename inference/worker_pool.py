"""Running a ``Detector`` over a stream of document batches with several worker processes.

>>> from paysieve.inference.worker_pool import predict_batches
>>> for predictions in predict_batches(batches, jobs=4):  # one list per input batch, in order
...     ...

A batch is a sequence of documents, each a list of lines, an HTML page's ``HtmlBlocks`` or a
text (a ``str``; its line breaks are kept, as with ``Detector.predict_texts``). Each worker
process loads the model once, when it starts. At most ``in_flight`` batches are read ahead
of the one being returned, so memory stays bounded by that many batches whatever the length
of the input. ``jobs=1`` runs in this process, without a pool.

Workers are forked from a fresh "forkserver" process (where the platform has one), not
from the caller: forking a process that has already used OpenMP or BLAS threads (scikit-learn
training, numpy) can deadlock the child. The server imports the library once, so starting a
worker stays cheap.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from paysieve.inference.detector import Detector, DocumentPrediction

Document = Sequence[str] | str
Batch = Sequence[Document]

# The detector of this worker process, loaded once by ``_load_worker_detector``.
_worker_detector: Detector | None = None
_worker_load_error: BaseException | None = None


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load_worker_detector(model_path: str | Path | None, threshold: float | None) -> None:
    """Pool initializer: load the model once per worker, one thread per worker (OpenMP and
    BLAS pools of every worker would otherwise fight over the same cores); Ctrl-C is the
    parent's to handle.

    A loading error is kept and raised by the first task, so that the caller gets the
    real error (a failing initializer would only break the pool).
    """
    global _worker_detector, _worker_load_error
    from threadpoolctl import threadpool_limits

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)
    try:
        _worker_detector = Detector(model_path, threshold)
    except BaseException as exc:
        _worker_load_error = exc


def _worker_context() -> multiprocessing.context.BaseContext:
    """The "forkserver" start method where available (Unix), else the platform default."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["paysieve.model.persistence"])
    return context


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now, dropping the batches they are running."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _predict_in_worker(batch: Batch) -> list[DocumentPrediction]:
    if _worker_load_error is not None:
        raise _worker_load_error
    assert _worker_detector is not None
    return _worker_detector.predict_documents(batch)


def predict_batches(
    batches: Iterable[Batch],
    model_path: str | Path | None = None,
    threshold: float | None = None,
    jobs: int | None = None,
    in_flight: int | None = None,
) -> Iterator[list[DocumentPrediction]]:
    """Predictions for each batch of ``batches``, in input order.

    ``jobs`` worker processes (None: all cores; 1: in this process) each load the model
    (``model_path``, ``threshold`` as for ``Detector``) once. At most ``in_flight`` batches
    (default ``2 * jobs``) are submitted and not yet returned; the input is read only as
    results are taken. Errors (bad documents, model file) are raised here as the library's
    own exceptions; on any error, KeyboardInterrupt, or when the iterator is closed early,
    the workers are stopped at once and nothing more is read.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if jobs == 1:
        detector = Detector(model_path, threshold)
        for batch in batches:
            yield detector.predict_documents(batch)
        return
    in_flight = 2 * jobs if in_flight is None else in_flight
    if in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, got {in_flight}")
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_worker_context(),
        initializer=_load_worker_detector,
        initargs=(model_path, threshold),
    )
    pending: deque[Future] = deque()
    finished = False
    try:
        for batch in batches:
            pending.append(pool.submit(_predict_in_worker, batch))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    finally:
        # An error, KeyboardInterrupt (workers ignore SIGINT: it is ours to handle) or the
        # caller closing the generator early: the results still running are not wanted.
        if not finished:
            _terminate_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)
