"""Saving and loading a fitted model: one joblib file with the model and its metadata.

The file (format version 4) is a joblib file holding a dict of plain data::

    {"format": "paysieve-model", "format_version": 4, "metadata": {...},
     "payload_sha256": "<hex>", "payload": <bytes: the model, itself joblib-pickled>,
     "self_check": {"documents": [[line, ...], ...], "scores": [[p, ...], ...]}}

Metadata says what the model is (label set, threshold, parameters, and the feature schema:
the names and sizes of the features each stage reads, ``paysieve.model.feature_schema``),
how it was trained (inputs and their fingerprints, held-out metrics) and which paysieve and
numpy wrote it (the model is a ``paysieve.model.line_scorer.LineScorer``: numpy arrays and
paysieve classes, so neither scikit-learn nor scipy is imported to load or run it).

Loading never runs code from the file: both layers are unpickled through the allowlist of
``paysieve.model.safe_unpickler``, the payload only after its checksum matched. A model whose
feature schema differs from the features the running code computes is refused with a
request to retrain, before its payload is unpickled. When the installed versions differ
from the writer's, the model must reproduce its ``self_check`` scores, or loading fails
naming both sets of versions. Files of format 3 (paysieve 0.3 to 0.7, no feature schema)
are read by ``paysieve.model.legacy_model_file`` and checked against the features of 0.7;
files of formats 1 and 2 (paysieve 0.1 and 0.2, which pickled scikit-learn estimators) are
refused with a request to retrain.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from paysieve.model.feature_schema import FeatureSchema
from paysieve.model.legacy_model_file import (
    FORMAT_3_CLASSES,
    FORMAT_3_VERSION,
    format_3_schema,
    scorer_from_format_3,
)
from paysieve.model.line_scorer import LineScorer
from paysieve.model.safe_unpickler import safe_loads

from paysieve import __version__
from paysieve.documents.atomic_file import AtomicFile
from paysieve.errors import ModelFileError, ModelVersionError, UnsafeModelError

FORMAT = "paysieve-model"
FORMAT_VERSION = 4
READABLE_FORMAT_VERSIONS = (FORMAT_3_VERSION, FORMAT_VERSION)
RETRAIN = "retrain it with `paysieve train`"
DEFAULT_MODEL_NAME = "paysieve-default.joblib"
SELF_CHECK_TOLERANCE = 1e-6  # float32 weights: sums may round differently elsewhere

# Lines the model scores at save time and, under other library versions, again at load time.
SELF_CHECK_DOCUMENTS = [
    [
        "Home",
        "World",
        "The council approved the new budget on Tuesday after a long debate.",
        "Residents will see the changes from April, officials said.",
        "Subscribe now for $1 a week",
        "Sign in",
        "© 2026 Example Media. All rights reserved.",
    ],
    ["Share this article", "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen.", ""],
]


def paysieve_version() -> str:
    """The running paysieve version."""
    return __version__


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model file depends on."""
    return {"paysieve": paysieve_version(), "numpy": np.__version__}


def default_model_path() -> Path:
    """Path of the default model shipped inside the ``model`` package."""
    return Path(str(resources.files("paysieve.model") / "default" / DEFAULT_MODEL_NAME))


def _self_check_scores(model: LineScorer, documents: list[list[str]]) -> list[list[float]]:
    return [p.tolist() for p in model.predict_proba_lines(documents)]


def save_model(model: LineScorer, path: str | Path, metadata: dict[str, Any]) -> None:
    """Write ``model`` and ``metadata`` to ``path`` atomically (temp file, then rename)."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    payload = buffer.getvalue()
    container = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {
            **metadata,
            "versions": library_versions(),
            "threshold": float(model.threshold_),
            "labels": ["content", "boilerplate"],
            "feature_schema": model.feature_schema().to_dict(),
        },
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
        "self_check": {
            "documents": SELF_CHECK_DOCUMENTS,
            "scores": _self_check_scores(model, SELF_CHECK_DOCUMENTS),
        },
    }
    with AtomicFile(Path(path)) as fh:
        # Uncompressed: float arrays barely compress, and inflating them cost a tenth of
        # a second of every start-up.
        joblib.dump(container, fh, compress=0)


def _versions_note(written: dict[str, str]) -> str:
    installed = library_versions()
    names = ("paysieve", "numpy")
    return (
        "written by "
        + ", ".join(f"{n} {written.get(n, '?')}" for n in names)
        + "; installed: "
        + ", ".join(f"{n} {installed[n]}" for n in names)
    )


def _read_container(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        container = safe_loads(data)
    except UnsafeModelError as exc:
        raise UnsafeModelError(f"{path}: {exc}", exc.refused) from None
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: not a readable paysieve model: {exc}") from None
    if not isinstance(container, dict) or container.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a paysieve model file")
    return container


def _unpickle_model(
    container: dict[str, Any],
    path: Path,
    written: dict[str, str],
    substitutes: dict[tuple[str, str], type] | None = None,
) -> Any:
    payload = container.get("payload")
    if not isinstance(payload, bytes):
        raise ModelFileError(f"{path}: damaged paysieve model (no payload)")
    if hashlib.sha256(payload).hexdigest() != container.get("payload_sha256"):
        raise ModelFileError(f"{path}: damaged paysieve model (payload checksum mismatch)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # version drift is checked below, not warned
            return safe_loads(payload, substitutes=substitutes)
    except UnsafeModelError as exc:
        raise UnsafeModelError(f"{path}: {exc}", exc.refused) from None
    except ModelFileError as exc:
        if written != library_versions():
            raise ModelVersionError(
                f"{path}: model cannot be loaded here ({exc}); {_versions_note(written)}"
            ) from None
        raise ModelFileError(f"{path}: damaged paysieve model ({exc})") from None


def _check_predicts_identically(
    model: LineScorer, container: dict[str, Any], path: Path, written: dict[str, str]
) -> None:
    check = container.get("self_check") or {}
    try:
        scores = _self_check_scores(model, check["documents"])
        same = all(
            np.allclose(got, want, rtol=0, atol=SELF_CHECK_TOLERANCE)
            for got, want in zip(scores, check["scores"], strict=True)
        )
    except Exception as exc:  # any failure to predict under these versions
        raise ModelVersionError(
            f"{path}: model fails under the installed versions ({type(exc).__name__}); "
            f"{_versions_note(written)}"
        ) from None
    if not same:
        raise ModelVersionError(
            f"{path}: model predicts differently under the installed versions; "
            f"{_versions_note(written)}; retrain it or install the versions that wrote it"
        )


def _check_schema(schema: FeatureSchema, path: Path, written: dict[str, str]) -> None:
    """Refuse a model trained on other features than the running code computes."""
    code = FeatureSchema.of_code(schema.token_hashing_dims, html=schema.html is not None)
    differences = schema.differences(code)
    if differences:
        raise ModelVersionError(
            f"{path}: model written by paysieve {written.get('paysieve', '?')} reads other "
            f"features than this paysieve {paysieve_version()} computes: "
            f"{'; '.join(differences)}; {RETRAIN}"
        )


def _read_model(
    container: dict[str, Any], metadata: dict[str, Any], path: Path, written: dict[str, str]
) -> tuple[LineScorer, FeatureSchema]:
    """The model of a file of a readable format and the feature schema it was trained on,
    checked against the running code's features."""
    if container.get("format_version") == FORMAT_3_VERSION:
        legacy = _unpickle_model(container, path, written, FORMAT_3_CLASSES)
        try:
            schema = format_3_schema(legacy)
            _check_schema(schema, path, written)
            return scorer_from_format_3(legacy), schema
        except (ValueError, TypeError, AttributeError) as exc:  # parts of the wrong kind
            raise ModelFileError(f"{path}: damaged paysieve model ({exc})") from None
    try:
        schema = FeatureSchema.from_dict(metadata.get("feature_schema"))
    except ValueError as exc:
        raise ModelFileError(f"{path}: damaged paysieve model ({exc})") from None
    _check_schema(schema, path, written)
    model = _unpickle_model(container, path, written)
    if not isinstance(model, LineScorer):
        raise ModelFileError(f"{path}: the file holds no paysieve line scorer")
    return model, schema


def load_model(path: str | Path | None = None) -> tuple[LineScorer, dict[str, Any]]:
    """(model, metadata) from ``path``, or from the bundled default model when None.

    Never runs code from the file. Raises ModelFileError (UnsafeModelError for a file
    that needs a non-allowlisted global, ModelVersionError for one trained on other
    features than this code computes, or written by other versions and not loading or
    predicting identically here).
    """
    path = default_model_path() if path is None else Path(path)
    if not path.exists():
        raise ModelFileError(f"model file not found: {path}")
    if not path.is_file():
        raise ModelFileError(f"{path}: is not a file")
    container = _read_container(path)
    metadata = container.get("metadata")
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{path}: damaged paysieve model (no metadata)")
    written = metadata.get("versions") or {}
    version = container.get("format_version")
    if version not in READABLE_FORMAT_VERSIONS:
        raise ModelVersionError(
            f"{path}: model format {version} written by paysieve "
            f"{written.get('paysieve', '?')}; this paysieve {paysieve_version()} reads "
            f"formats {', '.join(map(str, READABLE_FORMAT_VERSIONS))}; {RETRAIN}"
        )
    model, schema = _read_model(container, metadata, path, written)
    try:
        mismatches = model.schema_mismatches(schema)
    except (TypeError, AttributeError) as exc:  # parts of the wrong kind
        raise ModelFileError(f"{path}: damaged paysieve model ({exc})") from None
    if mismatches:
        raise ModelFileError(
            f"{path}: damaged paysieve model (its parts disagree with its feature schema: "
            f"{'; '.join(mismatches)})"
        )
    if written != library_versions():
        _check_predicts_identically(model, container, path, written)
    return model, metadata
