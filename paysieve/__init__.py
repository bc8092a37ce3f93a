"""paysieve: tell article content from boilerplate in scraped web text, line by line.

>>> from paysieve import Detector
>>> Detector().clean(page_text)

Names are imported on first use, so that ``paysieve --help`` does not load numpy or a
model. Predicting needs numpy only: scikit-learn is imported by training alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.7.0"

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
    "UnsafeModelError",
]
_DETECTOR_NAMES = ("Detector", "DocumentPrediction", "LinePrediction")
_EXPORTS = {
    name: "paysieve.inference.detector" if name in _DETECTOR_NAMES else "paysieve.errors"
    for name in __all__
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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'paysieve' has no attribute {name!r}")
