"""A paysieve step for Hugging Face's datatrove pipelines (FineWeb-style corpus building).

Needs the ``datatrove`` extra: ``pip install 'paysieve[datatrove]'``.

>>> from datatrove.executor import LocalPipelineExecutor
>>> from datatrove.pipeline.readers import JsonlReader
>>> from datatrove.pipeline.writers import JsonlWriter
>>> from paysieve.inference.datatrove_step import PaysieveCleaner
>>> LocalPipelineExecutor(
...     [JsonlReader("raw/"), PaysieveCleaner(min_chars=200), JsonlWriter("clean/")], tasks=4
... ).run()

Each document's ``text`` is replaced by its cleaned article; its metadata gains
``paysieve_removed_share`` (the share of the text's characters removed) and
``paysieve_paywall`` (the verdict: ``{"detected", "probability", "truncated"}``, as in
``paysieve predict --format jsonl``). The model is loaded on the first batch a worker
process cleans and kept for every later task of that process, never when the pipeline is
built or pickled.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

try:
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.typeshelper import StatHints
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the datatrove step needs datatrove: pip install 'paysieve[datatrove]'"
    ) from None

from paysieve.inference.dask_scoring import cached_detector

from paysieve.labels import expand_kinds

if TYPE_CHECKING:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.writers.disk_base import DiskWriter

REMOVED_SHARE = "paysieve_removed_share"
PAYWALL = "paysieve_paywall"


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


class PaysieveCleaner(PipelineStep):
    """Removes the boilerplate lines of every document's text and records what it removed.

    ``model_path`` None is the bundled model (it must be readable on every worker);
    ``threshold`` None is the model's. ``drop`` / ``keep`` name kinds or kind groups
    (``"subscription"``, ``"ads"``...) as ``paysieve clean --drop/--keep`` does.
    Documents whose cleaned text has fewer than ``min_chars`` non-blank characters are
    dropped (and written to ``exclusion_writer`` if one is given); ``min_chars=0`` keeps
    every document. ``batch_size`` documents are predicted together (vectorised).
    """

    name = "🧹 paysieve"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        model_path: str | Path | None = None,
        threshold: float | None = None,
        drop: str | Iterable[str] | None = None,
        keep: str | Iterable[str] | None = None,
        min_chars: int = 0,
        batch_size: int = 256,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__()
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        if min_chars < 0 or batch_size < 1:
            raise ValueError("min_chars must be >= 0 and batch_size >= 1")
        self.model_path = None if model_path is None else str(model_path)
        self.threshold = threshold
        self.drop = None if drop is None else expand_kinds(drop)
        self.keep = None if keep is None else expand_kinds(keep)
        self.min_chars = min_chars
        self.batch_size = batch_size
        self.exclusion_writer = exclusion_writer

    def clean_batch(self, documents: list[Document]) -> list[bool]:
        """Clean ``documents`` in place (text and metadata); whether each one is kept."""
        detector = cached_detector(self.model_path, self.threshold)
        predictions = detector.predict_texts([doc.text for doc in documents])
        kept = []
        for doc, prediction in zip(documents, predictions):
            original = len(doc.text)
            doc.text = prediction.cleaned(drop=self.drop, keep=self.keep)
            share = 1.0 - len(doc.text) / original if original else 0.0
            doc.metadata[REMOVED_SHARE] = round(share, 4)
            verdict = prediction.paywall
            doc.metadata[PAYWALL] = None if verdict is None else verdict.as_dict()
            kept.append(len("".join(doc.text.split())) >= self.min_chars)
        return kept

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Cleaned documents, in input order, without those left too short."""
        if data is None:
            return
        writer_context = self.exclusion_writer or contextlib.nullcontext()
        with writer_context as writer:
            for batch in _batches(data, self.batch_size):
                with self.track_time("batch"):
                    kept = self.clean_batch(batch)
                for doc, keep in zip(batch, kept):
                    self.stat_update(StatHints.total)
                    if doc.metadata[PAYWALL] and doc.metadata[PAYWALL]["detected"]:
                        self.stat_update("paywall_detected")
                    if keep:
                        self.stat_update(StatHints.forwarded)
                        self.update_doc_stats(doc)
                        yield doc
                    else:
                        self.stat_update(StatHints.dropped, "dropped_too_short")
                        if writer is not None:
                            writer.write(doc, rank)
