"""paysieve: tell article content from boilerplate in scraped web text, line by line.

>>> from paysieve import Detector, clean_stream
>>> Detector().clean(page_text)
>>> clean_stream("corpus.jsonl.gz", "clean.jsonl.gz", drop="subscription")

Names are imported on first use, so that ``paysieve --help`` does not load numpy or a
model. Predicting needs numpy only: scikit-learn is imported by training alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.10.0"

__all__ = [
    "Detector",
    "DocumentPrediction",
    "InputError",
    "InputFileError",
    "InputIsDirectoryError",
    "InputNotFoundError",
    "InputNotReadableError",
    "InvalidEncodingError",
    "LinePrediction",
    "ModelFileError",
    "ModelVersionError",
    "NotTextError",
    "OutputError",
    "PaysieveError",
    "RecordError",
    "StreamReport",
    "UnknownKindError",
    "UnsafeModelError",
    "clean_stream",
    "predict_stream",
]
# The module of each public name that is not an error (those are in paysieve.errors).
_MODULES = {
    "Detector": "paysieve.inference.detector",
    "DocumentPrediction": "paysieve.inference.detector",
    "LinePrediction": "paysieve.inference.detector",
    "StreamReport": "paysieve.inference.streaming",
    "clean_stream": "paysieve.inference.streaming",
    "predict_stream": "paysieve.inference.streaming",
    "UnknownKindError": "paysieve.labels",
}

if TYPE_CHECKING:
    from paysieve.errors import (
        InputError,
        InputFileError,
        InputIsDirectoryError,
        InputNotFoundError,
        InputNotReadableError,
        InvalidEncodingError,
        ModelFileError,
        ModelVersionError,
        NotTextError,
        OutputError,
        PaysieveError,
        RecordError,
        UnsafeModelError,
    )
    from paysieve.inference.detector import Detector, DocumentPrediction, LinePrediction
    from paysieve.inference.streaming import StreamReport, clean_stream, predict_stream
    from paysieve.labels import UnknownKindError


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(_MODULES.get(name, "paysieve.errors")), name)
    raise AttributeError(f"module 'paysieve' has no attribute {name!r}")
