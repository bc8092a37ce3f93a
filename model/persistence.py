"""Saving and loading a fitted model: one joblib file with the model and its metadata.

The file holds a dict ``{"format", "format_version", "metadata", "model"}``. Metadata says
what the model is (label set, threshold, parameters), how it was trained (inputs and their
fingerprints, held-out metrics) and which paysieve, scikit-learn and numpy wrote it.
"""

from __future__ import annotations

from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from model.atomic_file import AtomicFile
from model.errors import ModelFileError
from model.line_classifier import LineClassifier

FORMAT = "paysieve-model"
FORMAT_VERSION = 1
DEFAULT_MODEL_NAME = "paysieve-default.joblib"


def paysieve_version() -> str:
    """The installed paysieve version ("unknown" when run from a source tree)."""
    try:
        return importlib_metadata.version("paysieve")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model file depends on."""
    return {
        "paysieve": paysieve_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }


def default_model_path() -> Path:
    """Path of the default model shipped inside the ``model`` package."""
    return Path(str(resources.files("model") / "default" / DEFAULT_MODEL_NAME))


def save_model(model: LineClassifier, path: str | Path, metadata: dict[str, Any]) -> None:
    """Write ``model`` and ``metadata`` to ``path`` atomically (temp file, then rename)."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {
            **metadata,
            "versions": library_versions(),
            "threshold": float(model.threshold_),
            "labels": ["content", "boilerplate"],
        },
        "model": model,
    }
    with AtomicFile(path) as fh:
        joblib.dump(payload, fh, compress=3)


def load_model(path: str | Path | None = None) -> tuple[LineClassifier, dict[str, Any]]:
    """(model, metadata) from ``path``, or from the bundled default model when None."""
    path = default_model_path() if path is None else Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # joblib/pickle raise many types on damaged files
        raise ModelFileError(
            f"{path}: not a readable paysieve model ({type(exc).__name__})"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a paysieve model file")
    if payload.get("format_version") != FORMAT_VERSION:
        written = payload.get("metadata", {}).get("versions", {})
        raise ModelFileError(
            f"{path}: model format {payload.get('format_version')} written by paysieve "
            f"{written.get('paysieve', '?')}; this paysieve {paysieve_version()} reads "
            f"format {FORMAT_VERSION}"
        )
    model = payload.get("model")
    if not isinstance(model, LineClassifier):
        raise ModelFileError(f"{path}: the file holds no paysieve line classifier")
    return model, payload["metadata"]
