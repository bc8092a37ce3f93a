"""Files in, files out: the streaming API behind ``paysieve clean``, ``predict`` and ``inspect``.

>>> from paysieve import clean_stream, predict_stream
>>> report = clean_stream("corpus.jsonl.gz", "clean.jsonl.gz", drop="subscription", jobs=4)
>>> report.documents, report.skipped
>>> predict_stream(["a.txt", "b.txt"], "labels.tsv", format="tsv")

Each source (a path, or "-" for stdin: plain text, HTML, JSON Lines or JSON, ``.gz`` ok;
see ``paysieve.documents.reading``) is read in batches, so memory stays bounded whatever its
size; the batches are predicted in this process or, with ``jobs``, in worker processes that
each load the model once; the output is written in input order, by the writers of
``paysieve.inference.output_writers``. The target is a path (replaced only once complete;
``.gz`` compresses), an open text stream, or stdout (None or "-"). Several sources go into
one target one after another.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from paysieve.inference.batch_prediction import (
    document_batches,
    in_process,
    in_workers,
    predict_in_order,
)
from paysieve.inference.detector import Detector, KindNames
from paysieve.inference.output_writers import PREDICT_FORMATS, CleanedOutput, OutputWriter

from paysieve.documents.reading import DocumentReader, ReadStats
from paysieve.documents.writing import Target, open_output
from paysieve.errors import InputError
from paysieve.labels import expand_kinds

Source = str | Path  # a file, or "-" for stdin


@dataclass(frozen=True)
class StreamProgress:
    """Where a stream is: its current source, and what has been written of it so far."""

    source: str  # the source's name ("<stdin>" for stdin)
    size: int | None  # the source file's size in bytes (None for stdin)
    documents: int
    lines: int
    position: int | None  # bytes of the source file read (compressed bytes for .gz)


ProgressCallback = Callable[[StreamProgress], None]


@dataclass
class SourceReport:
    """What one source gave: documents and lines written, lines kept, and what reading met
    (invalid bytes replaced, records skipped, a BOM)."""

    name: str
    documents: int = 0
    lines: int = 0
    kept: int = 0  # lines kept as content (by ``clean``: not removed with drop / keep)
    read: ReadStats = field(default_factory=ReadStats)


@dataclass
class StreamReport:
    """What a stream did, per source (``sources``) and in total."""

    sources: list[SourceReport] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(s.documents for s in self.sources)

    @property
    def lines(self) -> int:
        return sum(s.lines for s in self.sources)

    @property
    def kept(self) -> int:
        return sum(s.kept for s in self.sources)

    @property
    def skipped(self) -> int:
        """Bad records skipped (with ``skip_bad_records``)."""
        return sum(s.read.skipped for s in self.sources)

    @property
    def skip_examples(self) -> list[str]:
        """The first three skipped records' errors."""
        return [e for s in self.sources for e in s.read.skip_examples][:3]

    @property
    def replaced_bytes(self) -> int:
        """Invalid UTF-8 bytes read as U+FFFD."""
        return sum(s.read.replaced_bytes for s in self.sources)

    @property
    def first_replaced(self) -> str | None:
        """Where the first invalid byte was (input and byte offset)."""
        return next((s.read.first_replaced for s in self.sources if s.read.first_replaced), None)


def clean_stream(
    sources: Source | Iterable[Source],
    target: Target = None,
    *,
    detector: Detector | None = None,
    drop: KindNames | None = None,
    keep: KindNames | None = None,
    input_format: str = "auto",
    strict: bool = False,
    skip_bad_records: bool = False,
    jobs: int | None = 1,
    progress: ProgressCallback | None = None,
) -> StreamReport:
    """Write ``sources`` to ``target`` with their boilerplate lines removed.

    A text keeps its kept lines byte for byte with their line breaks; records (JSON Lines,
    JSON) are written as JSON Lines with the cleaned article in ``text`` (see
    ``output_writers.cleaned_fields``). ``drop`` / ``keep`` choose the kinds removed (kind or
    group names, as for ``DocumentPrediction.removed``); ``detector`` defaults to the bundled
    model; ``input_format`` is "auto", "text", "jsonl", "json" or "html"; ``strict`` makes
    invalid UTF-8 an error; ``skip_bad_records`` skips (and counts) bad records instead of
    raising; ``jobs`` worker processes (None: one per core) predict when a source holds more
    than one batch; ``progress`` is called after every batch.
    """
    drop_kinds = None if drop is None else expand_kinds(drop)
    keep_kinds = None if keep is None else expand_kinds(keep)
    return _stream(
        sources,
        target,
        lambda out: CleanedOutput(out, drop_kinds, keep_kinds),
        _Settings(detector, input_format, strict, skip_bad_records, jobs, progress),
    )


def predict_stream(
    sources: Source | Iterable[Source],
    target: Target = None,
    *,
    format: str = "jsonl",
    color: bool = False,
    detector: Detector | None = None,
    input_format: str = "auto",
    strict: bool = False,
    skip_bad_records: bool = False,
    jobs: int | None = 1,
    progress: ProgressCallback | None = None,
) -> StreamReport:
    """Write every line's label, boilerplate probability and kind of ``sources`` to ``target``.

    ``format``: "jsonl" (records with ``labels``, ``scores``, ``kinds`` and ``paywall``; see
    ``output_writers.predicted_fields``), "tsv", "text" (a line view) or "report" (the
    line view headed by each document's paywall verdict and kinds, as ``paysieve inspect``
    shows it); ``color`` colours the line views. The other parameters are
    ``clean_stream``'s.
    """
    if format not in PREDICT_FORMATS:
        raise InputError(
            f"unknown output format {format!r} (formats: {', '.join(PREDICT_FORMATS)})"
        )
    writer_class = PREDICT_FORMATS[format]
    return _stream(
        sources,
        target,
        lambda out: writer_class(out, color=color),
        _Settings(detector, input_format, strict, skip_bad_records, jobs, progress),
    )


@dataclass(frozen=True)
class _Settings:
    """How a stream reads and predicts (the keyword parameters of the stream functions)."""

    detector: Detector | None
    input_format: str
    strict: bool
    skip_bad_records: bool
    jobs: int | None
    progress: ProgressCallback | None


def _stream(
    sources: Source | Iterable[Source],
    target: Target,
    make_writer: Callable[[IO[str]], OutputWriter],
    settings: _Settings,
) -> StreamReport:
    """Read every source in turn, predict it batch by batch, write it with one writer."""
    paths = [sources] if isinstance(sources, (str, Path)) else list(sources)
    detector = settings.detector if settings.detector is not None else Detector()
    report = StreamReport()
    with open_output(target) as out:
        writer = make_writer(out)
        for path in paths:
            with DocumentReader(
                path, settings.input_format, settings.strict, settings.skip_bad_records
            ) as reader:
                writer.begin(reader)
                report.sources.append(_write_source(reader, writer, detector, settings))
    return report


def _write_source(
    reader: DocumentReader, writer: OutputWriter, detector: Detector, settings: _Settings
) -> SourceReport:
    """Predict and write the documents of one source, in input order."""
    report = SourceReport(reader.source.name, read=reader.stats)
    batches = document_batches(reader)
    # Worker processes pay off only when there is more than one batch to share.
    ahead = list(itertools.islice(batches, 2))
    if settings.jobs != 1 and len(ahead) > 1:
        predictor = in_workers(detector.model_path, detector.threshold, settings.jobs)
    else:
        predictor = in_process(detector)
    for batch, predictions in predict_in_order(itertools.chain(ahead, batches), predictor):
        for doc, prediction in zip(batch, predictions):
            writer.write(doc, prediction)
            report.lines += len(prediction)
            report.kept += writer.kept(prediction)
        report.documents += len(batch)
        if settings.progress is not None:
            settings.progress(
                StreamProgress(
                    report.name,
                    reader.source.size,
                    report.documents,
                    report.lines,
                    reader.position(),
                )
            )
    return report
