"""Applying a paysieve model to a Dask DataFrame or Bag, for corpora beyond one machine.

Needs the ``dask`` extra: ``pip install 'paysieve[dask]'``.

>>> from paysieve.inference.dask_scoring import score_dataframe, score_bag
>>> scored = score_dataframe(ddf, "model.joblib")  # adds labels, scores, clean_text columns
>>> scored = score_bag(records)                    # the same keys added to every record

Each worker process loads the model once, on the first partition it scores, and keeps it
for every later partition (a per-process cache keyed by model path and threshold). The
model path must be readable on every worker (shared storage); None means the bundled
model. Documents are a ``lines`` column/key (list of strings) or a ``text`` one (a string).

Command line, for a JSON Lines corpus (one or more files, a glob; ``.gz`` ok) or Parquet:

    python -m paysieve.inference.dask_scoring 'corpus/*.jsonl.gz' scored/ [--scheduler tcp://host:8786]

writes ``scored/part-*.jsonl.gz`` (or Parquet files) in input order, one part per input
file (``--partitions N`` splits further). Without ``--scheduler`` it starts a local cluster
with one single-threaded worker process per core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paysieve.inference.batch_prediction import model_inputs
from paysieve.inference.detector import Detector, DocumentPrediction
from paysieve.inference.worker_pool import default_jobs

from paysieve.documents.document_io import document_of_record
from paysieve.documents.json_records import iter_records
from paysieve.errors import InputError

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import pandas as pd

LABELS, SCORES, CLEAN_TEXT = "labels", "scores", "clean_text"
DOCUMENT_FIELDS = ("lines", "text")

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


def _clean_text(document: object, prediction: DocumentPrediction) -> str:
    """The cleaned article, as ``paysieve clean`` writes it into JSON Lines records."""
    if isinstance(document, str):
        return prediction.text
    return "\n".join(prediction.kept_lines)


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


def score_frame(
    frame: pd.DataFrame,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    field: str | None = None,
) -> pd.DataFrame:
    """``frame`` with ``labels``, ``scores`` and ``clean_text`` columns for its documents.

    ``field`` names the document column (default: ``lines`` if present, else ``text``).
    """
    import pandas as pd

    field = _document_field(frame.columns, field)
    documents = [_document(v, field) for v in frame[field].tolist()]
    predictions = cached_detector(model_path, threshold).predict_documents(documents)
    columns = {
        LABELS: [p.labels for p in predictions],
        SCORES: [p.scores.tolist() for p in predictions],
        CLEAN_TEXT: [_clean_text(d, p) for d, p in zip(documents, predictions)],
    }
    return frame.assign(
        **{name: pd.Series(col, index=frame.index, dtype=object) for name, col in columns.items()}
    )


def score_dataframe(
    frame: dask.dataframe.DataFrame,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    field: str | None = None,
) -> dask.dataframe.DataFrame:
    """A lazy Dask DataFrame: ``frame`` plus ``labels``, ``scores``, ``clean_text`` columns."""
    import pandas as pd

    field = _document_field(frame.columns, field)
    meta = frame._meta.assign(
        **{name: pd.Series([], dtype=object) for name in (LABELS, SCORES, CLEAN_TEXT)}
    )
    return frame.map_partitions(score_frame, model_path, threshold, field, meta=meta)


def score_records(
    records: Iterable[dict], model_path: str | Path | None = None, threshold: float | None = None
) -> list[dict]:
    """Copies of ``records`` (with ``lines``, ``text`` or ``html``) with labels, scores, clean
    text."""
    records = list(records)
    documents = model_inputs([document_of_record(r, str(r.get("id", "a record"))) for r in records])
    predictions = cached_detector(model_path, threshold).predict_documents(documents)
    return [
        {
            **record,
            LABELS: p.labels,
            SCORES: p.scores.tolist(),
            CLEAN_TEXT: _clean_text(d, p),
        }
        for record, d, p in zip(records, documents, predictions)
    ]


def score_bag(
    records: dask.bag.Bag, model_path: str | Path | None = None, threshold: float | None = None
) -> dask.bag.Bag:
    """A lazy Dask Bag of the records with ``labels``, ``scores`` and ``clean_text`` added."""
    return records.map_partitions(score_records, model_path, threshold)


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


def score_corpus(
    source: str | list[str],
    output_dir: str,
    model_path: str | Path | None = None,
    threshold: float | None = None,
    partitions: int | None = None,
) -> None:
    """Score a JSON Lines corpus (file, glob or list; ``.gz`` ok) or a Parquet dataset into
    ``output_dir`` on the current Dask scheduler, in input order.

    Each JSON Lines file is one partition (so errors name the file and line); give many
    files, or ``partitions``, to spread one big file over the workers.
    """
    import dask.bag as db
    import dask.dataframe as dd

    Path(output_dir).mkdir(parents=True, exist_ok=True)
    if isinstance(source, str) and _is_parquet(source):
        frame = dd.read_parquet(source)
        if partitions:
            frame = frame.repartition(npartitions=partitions)
        import pyarrow as pa
        import pyarrow.dataset

        # The Arrow types of the input's columns (Dask only knows "object" for lists).
        read = pyarrow.dataset.dataset(source, format="parquet").schema
        schema = pa.schema(
            [read.field(name) for name in frame.columns]
            + [
                (LABELS, pa.list_(pa.string())),
                (SCORES, pa.list_(pa.float64())),
                (CLEAN_TEXT, pa.string()),
            ]
        )
        scored = score_dataframe(frame, model_path, threshold)
        scored.to_parquet(output_dir, write_index=False, schema=schema)
        return
    records = db.read_text(source, include_path=True).map_partitions(_parse_records)
    if partitions:
        records = records.repartition(npartitions=partitions)
    lines = score_bag(records, model_path, threshold).map(json.dumps, ensure_ascii=False)
    lines.to_textfiles(str(Path(output_dir) / "part-*.jsonl.gz"), name_function=_part_name)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m paysieve.inference.dask_scoring IN OUTDIR [--scheduler ADDRESS]``."""
    parser = argparse.ArgumentParser(
        prog="python -m paysieve.inference.dask_scoring",
        description="Label and clean a JSON Lines or Parquet corpus on a Dask cluster.",
    )
    parser.add_argument("source", help="JSON Lines file or glob (.gz ok), or Parquet")
    parser.add_argument("output_dir", help="folder for part-*.jsonl.gz or Parquet files")
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
        score_corpus(args.source, args.output_dir, args.model, args.threshold, args.partitions)


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: Dask pickles functions of
    # __main__ by value, which would give every task its own model cache.
    from paysieve.inference.dask_scoring import main as module_main

    module_main()
