"""Predicting a stream of input documents batch by batch, in input order.

``document_batches`` cuts the stream into batches of bounded size; ``predict_batch`` labels
one batch with a Detector in a single call; ``predict_in_order`` pairs every batch with its
predictions. The prediction step is a function from an iterator of batches to an iterator
of prediction lists (default: ``predict_batch`` on each, in this process), so a process
pool's ordered ``imap`` can be swapped in without touching reading or writing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from paysieve.inference.detector import Detector, DocumentPrediction

from paysieve.documents.html_lines import HtmlBlocks
from paysieve.documents.records import InputDocument

BATCH_DOCUMENTS = 2_000
BATCH_CHARS = 4_000_000

T = TypeVar("T")
Batch = list[InputDocument]
BatchPredictor = Callable[[Iterable[Batch]], Iterable[list[DocumentPrediction]]]


def _chars(doc: InputDocument) -> int:
    if doc.text is not None:
        return len(doc.text)
    return sum(map(len, doc.lines or ()))


def batched(
    items: Iterable[T], max_items: int, max_size: int, size_of: Callable[[T], int]
) -> Iterator[list[T]]:
    """``items`` in consecutive batches of at most ``max_items`` items whose ``size_of``
    adds up to at most ``max_size`` (an item bigger than that is a batch of its own)."""
    batch: list[T] = []
    size = 0
    for item in items:
        n = size_of(item)
        if batch and (len(batch) >= max_items or size + n > max_size):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += n
    if batch:
        yield batch


def document_batches(
    documents: Iterable[InputDocument],
    max_documents: int | None = None,
    max_chars: int | None = None,
) -> Iterator[Batch]:
    """Consecutive batches of at most ``max_documents`` documents and about ``max_chars``
    characters (a bigger document is a batch of its own); defaults ``BATCH_DOCUMENTS``,
    ``BATCH_CHARS``."""
    return batched(documents, max_documents or BATCH_DOCUMENTS, max_chars or BATCH_CHARS, _chars)


def predict_batch(detector: Detector, batch: Batch) -> list[DocumentPrediction]:
    """Predictions for one batch of documents, in order, in one vectorised call.

    Text documents keep their line breaks (so ``text`` is the kept lines byte for byte).
    """
    return detector.predict_documents(model_inputs(batch))


def model_inputs(batch: Batch) -> list[list[str] | str | HtmlBlocks]:
    """What the detector reads of each document: its text, its HTML blocks, or its lines."""
    return [
        d.text if d.field == "text" else d.blocks if d.blocks is not None else d.lines
        for d in batch
    ]


def predict_in_order(
    batches: Iterable[Batch], predict_batches: BatchPredictor
) -> Iterator[tuple[Batch, list[DocumentPrediction]]]:
    """(batch, its predictions) for every batch, in input order.

    ``predict_batches`` maps an iterator of batches to their predictions in the same
    order, e.g. ``lambda bs: (predict_batch(detector, b) for b in bs)`` or a process
    pool's ``imap``.
    """
    pending: deque[Batch] = deque()

    def fed() -> Iterator[Batch]:
        for batch in batches:
            pending.append(batch)
            yield batch

    for predictions in predict_batches(fed()):
        yield pending.popleft(), predictions


def in_process(detector: Detector) -> BatchPredictor:
    """The default batch predictor: ``predict_batch`` with ``detector``, one batch at a time."""
    return lambda batches: (predict_batch(detector, batch) for batch in batches)


def in_workers(model_path, threshold: float | None, jobs: int | None) -> BatchPredictor:
    """A batch predictor that runs ``jobs`` worker processes (``paysieve.inference.worker_pool``;
    None: one per core), each loading the model once; only the documents' lines or texts
    are sent to them."""
    from paysieve.inference.worker_pool import predict_batches

    return lambda batches: predict_batches(
        (model_inputs(b) for b in batches), model_path, threshold, jobs
    )
