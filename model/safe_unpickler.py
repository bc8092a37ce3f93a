"""Loading joblib data without running code from it: an allowlist of the globals a model needs.

A joblib file is a pickle, and unpickling an untrusted pickle can call any importable
function (``os.system``, ``builtins.eval``...). Here every global the pickle asks for is
checked against ``ALLOWED_GLOBALS``, the numpy and paysieve classes that a paysieve
model is made of; anything else stops the load with an ``UnsafeModelError``
naming the refused ``module.name``. When the model gains a class, add it to
``ALLOWED_GLOBALS`` (and only classes and constructors that build plain data).

A reader of an older file format can pass ``substitutes``: allowlisted globals that
resolve to other classes (``paysieve.model.legacy_model_file`` reads the state of classes
whose layout has changed that way).

Joblib's array wrapper is kept (arrays load from their raw bytes, without pickle calls),
and joblib's own ``NumpyUnpickler`` routes nested object-array pickles through the same
``find_class``, so the check covers them too.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from typing import Any

from joblib.numpy_pickle import NumpyUnpickler

from paysieve.errors import ModelFileError, UnsafeModelError

# Every (module, name) a paysieve model file may reference. Kept in this one place.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        # joblib's placeholder for arrays stored as raw bytes
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        # numpy arrays, dtypes and scalars (numpy 2 names, then numpy 1 names)
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy", "float64"),
        ("numpy", "float32"),
        ("numpy", "int64"),
        ("numpy", "int32"),
        ("numpy", "bool_"),
        ("numpy", "str_"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        # paysieve's own classes
        ("paysieve.model.calibration_map", "CalibrationMap"),
        ("paysieve.model.html_stage", "HtmlStage"),
        ("paysieve.model.line_features", "LineFeaturizer"),
        ("paysieve.model.line_scorer", "LineScorer"),
        ("paysieve.model.linear_model", "LinearModel"),
        ("paysieve.model.score_calibration", "ScoreCalibration"),
        ("paysieve.model.text_model", "TextModel"),
        ("paysieve.model.token_hashing", "TokenHasher"),
        ("paysieve.model.tree_ensemble", "TreeEnsemble"),
        # plain containers some pickles spell as globals
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "slice"),
        ("builtins", "complex"),
        ("collections", "OrderedDict"),
    }
)

# Model files of paysieve 0.7 and earlier name the model's classes by their module paths of
# then, when the model package installed as the top-level ``model``.
LEGACY_MODULE_PREFIX = "model."


def current_module(module: str) -> str:
    """``module`` as named today: old top-level ``model.*`` paths become ``paysieve.model.*``."""
    if module.startswith(LEGACY_MODULE_PREFIX):
        return "paysieve." + module
    return module


# joblib writes zlib streams (compress=1..9) or plain pickles (compress=0).
ZLIB_PREFIX = b"\x78"
PICKLE_PREFIX = b"\x80"
MAX_UNCOMPRESSED_BYTES = 2**31  # a decompression bomb stops here


class RestrictedUnpickler(NumpyUnpickler):
    """joblib's unpickler that resolves only the globals in ``allowed``, those in
    ``substitutes`` to the class given there."""

    def __init__(
        self,
        file_handle: io.BufferedIOBase,
        allowed: frozenset[tuple[str, str]],
        substitutes: Mapping[tuple[str, str], type] | None = None,
    ):
        super().__init__("", file_handle, ensure_native_byte_order=True)
        self.allowed = allowed
        self.substitutes = substitutes or {}

    def find_class(self, module: str, name: str) -> Any:
        module = current_module(module)
        if (module, name) not in self.allowed:
            raise UnsafeModelError(
                f"refused to load global {module}.{name}: not on the model allowlist "
                "(ALLOWED_GLOBALS in model/safe_unpickler.py)",
                (module, name),
            )
        if (module, name) in self.substitutes:
            return self.substitutes[module, name]
        return super().find_class(module, name)


def joblib_pickle_bytes(data: bytes) -> bytes:
    """The pickle stream inside joblib file data (zlib-compressed or plain)."""
    if data[:1] == PICKLE_PREFIX:
        return data
    if data[:1] != ZLIB_PREFIX:
        raise ModelFileError("not a joblib file (neither zlib-compressed nor a pickle)")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, MAX_UNCOMPRESSED_BYTES)
    except zlib.error as exc:
        raise ModelFileError(f"damaged compressed data ({exc})") from None
    if inflater.unconsumed_tail:
        raise ModelFileError(f"uncompresses to more than {MAX_UNCOMPRESSED_BYTES} bytes")
    if not inflater.eof:
        raise ModelFileError("truncated (the compressed data ends early)")
    return raw


def safe_loads(
    data: bytes,
    allowed: frozenset[tuple[str, str]] = ALLOWED_GLOBALS,
    substitutes: Mapping[tuple[str, str], type] | None = None,
) -> Any:
    """The object in joblib file ``data``, unpickled without resolving any global outside
    ``allowed`` (and those in ``substitutes`` to their substitute). Raises UnsafeModelError
    for a refused global, ModelFileError otherwise."""
    stream = io.BytesIO(joblib_pickle_bytes(data))
    try:
        return RestrictedUnpickler(stream, allowed, substitutes).load()
    except ModelFileError:
        raise
    except MemoryError:
        raise ModelFileError("damaged (asks for more memory than is available)") from None
    except Exception as exc:  # a damaged pickle raises almost any type
        raise ModelFileError(f"damaged or truncated ({type(exc).__name__}: {exc})") from None
