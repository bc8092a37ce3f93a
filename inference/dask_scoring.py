"""Applying a paysieve model to a Dask DataFrame or Bag, for corpora beyond one machine.

Needs the ``dask`` extra: ``pip install 'paysieve[dask]'``.

>>> from paysieve.inference.dask_scoring import score_dataframe, score_bag
>>> scored = score_bag(records)                          # records as `paysieve predict` writes them
>>> scored = score_bag(records, mode="clean")            # records as `paysieve clean` writes them
>>> scored = score_dataframe(ddf, "model.joblib")        # labels, scores, kinds, paywall columns

The output is the command line's, built by the same functions
(``paysieve.inference.output_writers``): mode "predict" adds ``labels``, ``scores`` and, with
a kind model, ``kinds`` and the ``paywall`` verdict; mode "clean" puts the cleaned article in
``text`` (and the kept lines in ``lines`` for documents given as lines). A DataFrame gets
those fields as columns (always all of them, so that Dask knows them in advance: ``kinds``
and ``paywall`` are null under a model without a kind model).

Each worker process loads the model once, on the first partition it scores, and keeps it
for every later partition (a per-process cache keyed by model path and threshold). The
model path must be readable on every worker (shared storage); None means the bundled
model. Documents are a ``lines`` column/key (list of strings), a ``text`` one (a string)
or, for records, an ``html`` one (the page source).

Command line, for a JSON Lines corpus (one or more files, a glob; ``.gz`` ok) or Parquet:

    python -m paysieve.inference.dask_scoring 'corpus/*.jsonl.gz' scored/ --mode clean \
        --scheduler tcp://host:8786

writes ``scored/part-*.jsonl.gz`` (or Parquet files) in input order, one part per input
file (``--partitions N`` splits further); the parts, decompressed and joined, are what
``paysieve predict -f jsonl`` (or ``paysieve clean``) writes for the same records. Without
``--scheduler`` it starts a local cluster with one single-threaded worker process per core.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paysieve.inference.batch_prediction import model_inputs
from paysieve.inference.detector import Detector, DocumentPrediction, KindNames
from paysieve.inference.output_writers import (
    cleaned_fields,
    output_record,
    predicted_fields,
    record_json,
)
from paysieve.inference.paywall_verdict import PaywallEvidence, PaywallVerdict
from paysieve.inference.worker_pool import default_jobs

from paysieve.documents.records import InputDocument, document_of_record, iter_records
from paysieve.errors import InputError
from paysieve.labels import PAYWALL_KIND, expand_kinds

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import pandas as pd
    import pyarrow as pa

MODES = ("predict", "clean")
DOCUMENT_FIELDS = ("lines", "text")
FieldsOf = Callable[[InputDocument, DocumentPrediction], dict]

_detectors: dict[tuple[str | None, float | None], Detector] = {}
_detectors_lock = threading.Lock()
_model_loads = 0


def cached_detector(model_path: str | Path | None = None, threshold: float | None = None):
    """This process's ``Detector`` for (model path, threshold), loaded on first use only."""
    global _model_loads
    key = (None if model_path is None else str(model_path), threshold)
    with _detectors_lock:
        detector = _detectors.get(key)
        if detector is None:
            detector = _detectors[key] = Detector(model_path, threshold)
            _model_loads += 1
        return detector


def model_loads() -> int:
    """How many times this process has loaded a model (run it on workers to check)."""
    return _model_loads


def _document(value: Any, field: str) -> list[str] | str:
    """A column value as a document: Parquet list cells arrive as arrays, missing as None."""
    if value is None:
        return "" if field == "text" else []
    if field == "text":
        return value
    if isinstance(value, str):
        raise InputError(
            "a 'lines' cell holds a string, not a list: Dask turns object columns into "
            "strings unless dask.config 'dataframe.convert-string' is False"
        )
    return list(value)


def _document_field(names: Iterable[str], field: str | None) -> str:
    names = list(names)
    if field is not None:
        if field not in names:
            raise InputError(f"no column {field!r} (columns: {', '.join(names)})")
        return field
    for name in DOCUMENT_FIELDS:
        if name in names:
            return name
    raise InputError(f"no 'lines' or 'text' column (columns: {', '.join(names)})")


def output_fields(
    mode: str = "predict", drop: KindNames | None = None, keep: KindNames | None = None
) -> FieldsOf:
    """The fields a document's output sets in its record: ``predicted_fields`` (mode
    "predict") or ``cleaned_fields`` with ``drop`` / ``keep`` (mode "clean")."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
    if mode == "predict":
        if drop is not None or keep is not None:
            raise InputError("drop and keep choose what mode 'clean' removes")
        return predicted_fields
    return partial(
        cleaned_fields,
        drop=None if drop is None else expand_kinds(drop),
        keep=None if keep is None else expand_kinds(keep),
    )


def frame_columns(mode: str, field: str) -> tuple[str, ...]:
    """The columns ``score_frame`` sets: every field the mode's records may get."""
    if mode == "predict":
        return ("labels", "scores", "kinds", "paywall")
    return ("lines", "text") if field == "lines" else ("text",)


def _predicted(
    documents: list[InputDocument], model_path: str | Path | None, threshold: float | None
) -> list[DocumentPrediction]:
    return cached_detector(model_path, threshold).predict_documents(model_inputs(documents))


def score_frame(
    frame: pd.DataFrame,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    field: str | None = None,
    mode: str = "predict",
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> pd.DataFrame:
    """``frame`` with the ``frame_columns`` of ``mode`` set for its documents.

    ``field`` names the document column (default: ``lines`` if present, else ``text``).
    """
    import pandas as pd

    fields_of = output_fields(mode, drop, keep)
    field = _document_field(frame.columns, field)
    documents = [
        document_of_record({field: _document(value, field)}, f"row {index}")
        for index, value in zip(frame.index, frame[field].tolist())
    ]
    outputs = [
        fields_of(d, p) for d, p in zip(documents, _predicted(documents, model_path, threshold))
    ]
    return frame.assign(
        **{
            name: pd.Series([out.get(name) for out in outputs], index=frame.index, dtype=object)
            for name in frame_columns(mode, field)
        }
    )


def score_dataframe(
    frame: dask.dataframe.DataFrame,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    field: str | None = None,
    mode: str = "predict",
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> dask.dataframe.DataFrame:
    """A lazy Dask DataFrame: ``frame`` with the ``frame_columns`` of ``mode`` set."""
    import pandas as pd

    output_fields(mode, drop, keep)  # refuses a bad mode or kind before anything runs
    field = _document_field(frame.columns, field)
    meta = frame._meta.assign(
        **{name: pd.Series([], dtype=object) for name in frame_columns(mode, field)}
    )
    return frame.map_partitions(
        score_frame, model_path, threshold, field, mode, drop, keep, meta=meta
    )


def score_records(
    records: Iterable[dict],
    model_path: str | Path | None = None,
    threshold: float | None = None,
    mode: str = "predict",
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> list[dict]:
    """Copies of ``records`` (with ``lines``, ``text`` or ``html``) as ``paysieve predict -f
    jsonl`` (mode "predict") or ``paysieve clean`` (mode "clean") writes them."""
    fields_of = output_fields(mode, drop, keep)
    records = list(records)
    documents = [document_of_record(r, str(r.get("id", "a record"))) for r in records]
    predictions = _predicted(documents, model_path, threshold)
    return [output_record(d, fields_of(d, p)) for d, p in zip(documents, predictions)]


def score_bag(
    records: dask.bag.Bag,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    mode: str = "predict",
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> dask.bag.Bag:
    """A lazy Dask Bag of the records as ``score_records`` writes them."""
    output_fields(mode, drop, keep)  # refuses a bad mode or kind before anything runs
    return records.map_partitions(score_records, model_path, threshold, mode, drop, keep)


def _is_parquet(path: str) -> bool:
    return path.endswith(".parquet") or (Path(path).is_dir() and any(Path(path).glob("*.parquet")))


def _parse_records(lines_with_path: Iterable[tuple[str, str]]) -> list[dict]:
    """Records of one file's lines (a bad one raises naming ``file:line``)."""
    items = list(lines_with_path)
    name = items[0][1] if items else "input"
    return [record for record, _ in iter_records((line for line, _ in items), name)]


def _part_name(index: int) -> str:
    """Zero-padded part numbers, so that file names sort in input order."""
    return f"{index:05d}"


def _arrow_type(name: str) -> pa.DataType:
    """The Arrow type of an output column (Dask only knows "object" for lists and dicts)."""
    import pyarrow as pa

    if name == "paywall":  # a verdict's own fields, whatever PaywallVerdict holds
        evidence = (PaywallEvidence(0, PAYWALL_KIND, 1.0),)  # so that its fields are typed too
        return pa.infer_type([PaywallVerdict(True, 1.0, False, evidence).as_dict()])
    types = {"text": pa.string(), "scores": pa.list_(pa.float64())}
    return types.get(name, pa.list_(pa.string()))  # labels, kinds, lines


def score_corpus(
    source: str | list[str],
    output_dir: str,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    partitions: int | None = None,
    mode: str = "predict",
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> None:
    """Score a JSON Lines corpus (file, glob or list; ``.gz`` ok) or a Parquet dataset into
    ``output_dir`` on the current Dask scheduler, in input order (``mode``, ``drop``,
    ``keep``: as for ``score_records``).

    Each JSON Lines file is one partition (so errors name the file and line); give many
    files, or ``partitions``, to spread one big file over the workers.
    """
    import dask.bag as db
    import dask.dataframe as dd

    output_fields(mode, drop, keep)  # refuses a bad mode or kind before anything runs
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    if isinstance(source, str) and _is_parquet(source):
        import pyarrow as pa
        import pyarrow.dataset

        frame = dd.read_parquet(source)
        if partitions:
            frame = frame.repartition(npartitions=partitions)
        scored = score_dataframe(frame, model_path, threshold, None, mode, drop, keep)
        added = frame_columns(mode, _document_field(frame.columns, None))
        read = pyarrow.dataset.dataset(source, format="parquet").schema
        schema = pa.schema(
            [
                (name, _arrow_type(name)) if name in added else read.field(name)
                for name in scored.columns
            ]
        )
        scored.to_parquet(output_dir, write_index=False, schema=schema)
        return
    records = db.read_text(source, include_path=True).map_partitions(_parse_records)
    if partitions:
        records = records.repartition(npartitions=partitions)
    lines = score_bag(records, model_path, threshold, mode, drop, keep).map(record_json)
    lines.to_textfiles(
        str(Path(output_dir) / "part-*.jsonl.gz"),
        name_function=_part_name,
        encoding="utf-8",
        last_endline=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m paysieve.inference.dask_scoring IN OUTDIR [--mode MODE] [--scheduler ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m paysieve.inference.dask_scoring",
        description="Label or clean a JSON Lines or Parquet corpus on a Dask cluster.",
    )
    parser.add_argument("source", help="JSON Lines file or glob (.gz ok), or Parquet")
    parser.add_argument("output_dir", help="folder for part-*.jsonl.gz or Parquet files")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="predict",
        help="predict: records as `paysieve predict -f jsonl` writes them; clean: as "
        "`paysieve clean` does (default: predict)",
    )
    parser.add_argument("--drop", help="with --mode clean: remove only these kinds or groups")
    parser.add_argument("--keep", help="with --mode clean: remove all boilerplate but these")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    parser.add_argument("--model", help="model file readable by every worker (default: bundled)")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--partitions", type=int, default=None, help="repartition the input")
    parser.add_argument(
        "--workers", type=int, default=None, help="local cluster worker processes (default: cores)"
    )
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        address = args.scheduler or stack.enter_context(
            LocalCluster(
                n_workers=args.workers or default_jobs(), threads_per_worker=1, processes=True
            )
        )
        stack.enter_context(Client(address))
        score_corpus(
            args.source,
            args.output_dir,
            args.model,
            args.threshold,
            args.partitions,
            args.mode,
            args.drop,
            args.keep,
        )


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: Dask pickles functions of
    # __main__ by value, which would give every task its own model cache.
    from paysieve.inference.dask_scoring import main as module_main

    module_main()
