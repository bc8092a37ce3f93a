"""Model files: safe loading (allowlisted globals only), checksums, formats, versions."""

import hashlib
import io
import os

import joblib
import numpy as np
import pytest
from paysieve.model.persistence import FORMAT, FORMAT_VERSION, default_model_path, load_model
from paysieve.model.safe_unpickler import ALLOWED_GLOBALS, safe_loads

from paysieve.errors import ModelFileError, ModelVersionError, UnsafeModelError


class CreatesMarker:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class ExecsCode:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def joblib_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


def container(model_payload: bytes, **changes) -> dict:
    """A format-2 container around ``model_payload`` with a matching checksum."""
    base = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {"versions": {}, "threshold": 0.5, "labels": ["content", "boilerplate"]},
        "payload_sha256": hashlib.sha256(model_payload).hexdigest(),
        "payload": model_payload,
        "self_check": {"documents": [], "scores": []},
    }
    return {**base, **changes}


@pytest.mark.parametrize("evil_class", [CreatesMarker, ExecsCode])
@pytest.mark.parametrize("where", ["top level", "format-1 model", "format-2 payload"])
def test_malicious_file_is_refused_and_runs_nothing(tmp_path, evil_class, where):
    marker = tmp_path / "marker"
    evil = evil_class(marker)
    if where == "top level":
        obj = evil
    elif where == "format-1 model":
        obj = {"format": FORMAT, "format_version": 1, "metadata": {}, "model": evil}
    else:
        obj = container(joblib_bytes(evil))
    path = tmp_path / "evil.joblib"
    joblib.dump(obj, path, compress=3)

    with pytest.raises(UnsafeModelError, match="refused to load global") as info:
        load_model(path)
    assert not marker.exists()
    assert info.value.refused in {("posix", "system"), ("builtins", "exec")}
    assert ".".join(info.value.refused) in str(info.value)

    # the same data does run its code through a plain joblib.load: the test file is real
    loaded = joblib.load(path)
    if where == "format-2 payload":
        joblib.load(io.BytesIO(loaded["payload"]))
    assert marker.exists()


def test_refused_global_is_named_for_the_allowlist(tmp_path):
    from collections import Counter

    path = tmp_path / "counter.joblib"
    joblib.dump(container(joblib_bytes(Counter("abc"))), path, compress=3)
    with pytest.raises(UnsafeModelError) as info:
        load_model(path)
    assert info.value.refused == ("collections", "Counter")
    assert "collections.Counter" in str(info.value) and "ALLOWED_GLOBALS" in str(info.value)


def test_allowlist_covers_plain_numpy_data():
    data = {"a": np.arange(5, dtype=np.int64), "b": np.float64(0.25), "c": np.array(["x", "y"])}
    loaded = safe_loads(joblib_bytes(data))
    assert loaded["a"].tolist() == [0, 1, 2, 3, 4] and loaded["b"] == 0.25
    assert ("numpy", "ndarray") in ALLOWED_GLOBALS


def test_shipped_model_loads_through_the_allowlist():
    model, meta = load_model(default_model_path())
    assert 0.0 < model.threshold_ < 1.0 and meta["labels"] == ["content", "boilerplate"]


def test_new_files_carry_format_checksum_and_self_check(small_model_path):
    raw = safe_loads(small_model_path.read_bytes())
    assert raw["format_version"] == FORMAT_VERSION == 3
    assert raw["payload_sha256"] == hashlib.sha256(raw["payload"]).hexdigest()
    assert len(raw["self_check"]["scores"]) == len(raw["self_check"]["documents"]) > 0


def test_truncated_file(tmp_path, small_model_path):
    data = small_model_path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 5):
        path = tmp_path / f"cut{cut}.joblib"
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match=r"truncated|damaged"):
            load_model(path)


def test_corrupted_compressed_data(tmp_path, small_model_path):
    data = bytearray(small_model_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "flipped.joblib"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"damaged|truncated"):
        load_model(path)


def test_payload_checksum_mismatch(tmp_path, small_model_path):
    raw = safe_loads(small_model_path.read_bytes())
    payload = bytearray(raw["payload"])
    payload[len(payload) // 2] ^= 0x01
    path = tmp_path / "tampered.joblib"
    joblib.dump({**raw, "payload": bytes(payload)}, path, compress=3)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load_model(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a joblib file"),
        (b"", "not a joblib file"),
        (b"this is not a model", "not a joblib file"),
    ],
)
def test_foreign_bytes(tmp_path, content, message):
    path = tmp_path / "foreign.joblib"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_foreign_joblib_and_directory(tmp_path):
    path = tmp_path / "foreign.joblib"
    joblib.dump({"some": "dict", "weights": np.ones(3)}, path)
    with pytest.raises(ModelFileError, match="not a paysieve model file"):
        load_model(path)
    with pytest.raises(ModelFileError, match="is not a file"):
        load_model(tmp_path)


def test_future_format_names_the_versions(tmp_path):
    path = tmp_path / "future.joblib"
    meta = {"versions": {"paysieve": "9.0"}}
    joblib.dump({"format": FORMAT, "format_version": 99, "metadata": meta}, path)
    with pytest.raises(ModelVersionError, match=r"model format 99 written by paysieve 9\.0"):
        load_model(path)


def test_format_2_files_of_scikit_learn_estimators_ask_for_retraining(small_model_path, tmp_path):
    raw = safe_loads(small_model_path.read_bytes())
    path = tmp_path / "0.2.joblib"
    joblib.dump({**raw, "format_version": 2}, path, compress=3)
    with pytest.raises(ModelVersionError, match=r"model format 2 .* reads formats 3; retrain"):
        load_model(path)


def _rewritten(small_model_path, tmp_path, versions, shift):
    raw = safe_loads(small_model_path.read_bytes())
    scores = [[s + shift for s in doc] for doc in raw["self_check"]["scores"]]
    meta = {**raw["metadata"], "versions": versions}
    path = tmp_path / "other-versions.joblib"
    self_check = {**raw["self_check"], "scores": scores}
    joblib.dump({**raw, "metadata": meta, "self_check": self_check}, path, compress=3)
    return path


OLD = {"paysieve": "0.0.1", "numpy": "1.20.0"}


def test_other_versions_that_predict_identically_load(small_model_path, tmp_path):
    _, meta = load_model(_rewritten(small_model_path, tmp_path, OLD, 0.0))
    assert meta["versions"] == OLD


def test_other_versions_that_predict_differently_fail_naming_both(small_model_path, tmp_path):
    path = _rewritten(small_model_path, tmp_path, OLD, 0.01)
    with pytest.raises(ModelVersionError) as info:
        load_model(path)
    message = str(info.value)
    assert "predicts differently" in message
    assert "written by paysieve 0.0.1, numpy 1.20.0" in message
    assert "installed: paysieve" in message and f"numpy {np.__version__}" in message
