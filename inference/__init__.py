"""paysieve's library API: tell article content from boilerplate, line by line.

>>> from inference import Detector
>>> Detector().clean(page_text)

Names are imported on first use, so that ``paysieve --help`` does not load numpy or a
model. Predicting needs numpy only: scikit-learn is imported by training alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    name: "inference.detector" if name in _DETECTOR_NAMES else "model.errors" for name in __all__
}

if TYPE_CHECKING:
    from inference.detector import Detector, DocumentPrediction, LinePrediction
    from model.errors import (
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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'inference' has no attribute {name!r}")
