"""Model files: safe loading (allowlisted globals only), checksums, formats, versions."""

import dataclasses
import hashlib
import io
import os
import sys
import types

import joblib
import numpy as np
import pytest
from paysieve.model import feature_schema, legacy_model_file
from paysieve.model.context_features import CONTEXT_FEATURE_NAMES
from paysieve.model.feature_schema import FeatureSchema
from paysieve.model.html_features import HTML_STAGE_FEATURE_NAMES
from paysieve.model.line_scorer import LineScorer
from paysieve.model.line_shape import SHAPE_FEATURE_NAMES
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
    """A current-format container around ``model_payload`` with a matching checksum."""
    schema = FeatureSchema.of_code(2**8, html=False).to_dict()
    base = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": {
            "versions": {},
            "threshold": 0.5,
            "labels": ["content", "boilerplate"],
            "feature_schema": schema,
        },
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
    assert raw["format_version"] == FORMAT_VERSION == 4
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
    with pytest.raises(ModelVersionError, match=r"model format 2 .* reads formats 3, 4; retrain"):
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


# -- the feature schema ------------------------------------------------------------------


def _with_metadata(small_model_path, tmp_path, **changes):
    raw = safe_loads(small_model_path.read_bytes())
    meta = {k: v for k, v in {**raw["metadata"], **changes}.items() if v is not None}
    path = tmp_path / "changed.joblib"
    joblib.dump({**raw, "metadata": meta}, path)
    return path


def test_new_files_record_their_feature_schema(small_model_path, html_model_path):
    _, meta = load_model(small_model_path)
    schema = meta["feature_schema"]
    assert schema["tokens"] == {"size": 2**14}  # the fixture's n_features
    assert schema["shape"] == {"size": 16, "names": list(SHAPE_FEATURE_NAMES)}
    assert schema["context"]["names"] == list(CONTEXT_FEATURE_NAMES)
    assert schema["context"]["size"] == len(CONTEXT_FEATURE_NAMES)
    assert "html" not in schema  # trained without pages with their HTML
    _, html_meta = load_model(html_model_path)
    assert html_meta["feature_schema"]["html"]["names"] == list(HTML_STAGE_FEATURE_NAMES)


def test_a_model_of_other_features_is_refused_with_a_request_to_retrain(
    small_model_path, monkeypatch
):
    n = len(CONTEXT_FEATURE_NAMES)
    monkeypatch.setattr(feature_schema, "CONTEXT_FEATURE_NAMES", CONTEXT_FEATURE_NAMES + ("p+4",))
    with pytest.raises(ModelVersionError) as info:
        load_model(small_model_path)
    message = str(info.value)
    assert f"context features: {n} in the file, {n + 1} here (new here: p+4)" in message
    assert message.endswith("retrain it with `paysieve train`") and "\n" not in message
    renamed = ("first_p",) + CONTEXT_FEATURE_NAMES[1:]
    monkeypatch.setattr(feature_schema, "CONTEXT_FEATURE_NAMES", renamed)
    with pytest.raises(ModelVersionError, match=r"new here: first_p; gone here: p\)"):
        load_model(small_model_path)
    monkeypatch.setattr(feature_schema, "CONTEXT_FEATURE_NAMES", CONTEXT_FEATURE_NAMES[::-1])
    with pytest.raises(ModelVersionError, match="context features: the same names in another"):
        load_model(small_model_path)


def test_parts_that_disagree_with_their_schema_are_damaged(small_model_path, tmp_path):
    raw = safe_loads(small_model_path.read_bytes())
    schema = {**raw["metadata"]["feature_schema"], "tokens": {"size": 2**15}}
    path = _with_metadata(small_model_path, tmp_path, feature_schema=schema)
    with pytest.raises(ModelFileError, match=r"damaged .*tokens: 16384 columns, the schema says"):
        load_model(path)


@pytest.mark.parametrize("schema", [None, {"tokens": {"size": 8}}, "context", "shape size"])
def test_a_missing_or_broken_schema_is_damage(small_model_path, tmp_path, schema):
    if schema == "shape size":  # a size that is not the number of names
        schema = safe_loads(small_model_path.read_bytes())["metadata"]["feature_schema"]
        schema = {**schema, "shape": {**schema["shape"], "size": 99}}
    path = _with_metadata(small_model_path, tmp_path, feature_schema=schema)
    with pytest.raises(ModelFileError, match=r"damaged paysieve model .*feature schema"):
        load_model(path)


# -- files of paysieve 0.7 (format 3) ----------------------------------------------------


def _as_0_7(obj, monkeypatch):
    """``obj`` laid out as paysieve 0.7 pickled it: every paysieve class under its 0.7
    module path (the top-level ``model`` package), the line scorer holding its text model's
    parts, its kind names as ``kind_classes_`` and its HTML stage as two attributes."""
    if isinstance(obj, tuple | list):
        return type(obj)(_as_0_7(v, monkeypatch) for v in obj)
    if not type(obj).__module__.startswith("paysieve.model."):
        return obj
    if isinstance(obj, LineScorer):
        text, stage = obj.text, obj.html_stage
        state = {
            "featurizer": text.featurizer,
            "line_model": text.line_model,
            "context_model": text.context_model,
            "kind_model": text.kind_model,
            "kind_classes_": text.kind_classes,
            "calibration": obj.calibration,
        }
        if stage is not None:
            state |= {"html_model": stage.model, "html_calibrator": stage.calibrator}
    else:
        state = obj.__reduce_ex__(2)[2]  # what pickle stores of it
    module_name = "model." + type(obj).__module__.rsplit(".", 1)[-1]
    module = sys.modules.get(module_name)
    if module is None:
        module = types.ModuleType(module_name)
        monkeypatch.setitem(sys.modules, module_name, module)
    if "model" not in sys.modules:
        monkeypatch.setitem(sys.modules, "model", types.ModuleType("model"))
    name = type(obj).__name__
    if not hasattr(module, name):
        setattr(module, name, type(name, (), {"__module__": module_name}))
    legacy = object.__new__(getattr(module, name))
    legacy.__dict__.update({k: _as_0_7(v, monkeypatch) for k, v in state.items()})
    return legacy


def _format_3_file(path, tmp_path, monkeypatch, versions=None, drop=()) -> tuple:
    """(path, source model): the model at ``path`` rewritten as a paysieve 0.7 file;
    ``drop`` names calibration attributes that files older than 0.7 lacked."""
    model, _ = load_model(path)
    raw = safe_loads(path.read_bytes())
    legacy = _as_0_7(model, monkeypatch)
    for name in drop:
        del legacy.calibration.__dict__[name]
    payload = joblib_bytes(legacy)
    assert b"model.line_scorer" in payload and b"paysieve" not in payload
    meta = {k: v for k, v in raw["metadata"].items() if k != "feature_schema"}
    if versions is not None:
        meta["versions"] = versions
    out = tmp_path / "paysieve-0.7.joblib"
    joblib.dump(
        container(payload, format_version=3, metadata=meta, self_check=raw["self_check"]), out
    )
    return out, model


@pytest.fixture()
def features_of_the_code_as_0_7(monkeypatch):
    """0.7's features taken to be the running code's, as long as the code has not changed
    them (the models of these tests are trained by the running code)."""
    names = {"shape": SHAPE_FEATURE_NAMES, "context": CONTEXT_FEATURE_NAMES}
    names["html"] = HTML_STAGE_FEATURE_NAMES
    monkeypatch.setattr(legacy_model_file, "FORMAT_3_FEATURE_NAMES", names)


DOCS = [
    ["Home", "World", "The council approved the new budget on Tuesday after a long debate."],
    ["Subscribe now for $1 a week", "Sign in", "Share this article", "Advertisement"],
]


@pytest.mark.usefixtures("features_of_the_code_as_0_7")
@pytest.mark.parametrize("versions", [None, OLD])
def test_format_3_files_load_and_predict_as_written(
    html_model_path, news_page, tmp_path, monkeypatch, versions
):
    path, source = _format_3_file(html_model_path, tmp_path, monkeypatch, versions)
    model, meta = load_model(path)
    assert "feature_schema" not in meta
    assert model.threshold_ == source.threshold_
    assert model.kind_classes_ == source.kind_classes_
    for got, want in zip(model.predict_proba_lines(DOCS), source.predict_proba_lines(DOCS)):
        np.testing.assert_array_equal(got, want)
    from paysieve.documents.html_lines import html_blocks

    blocks = html_blocks(news_page(3)[0])
    html = [(blocks.structure, blocks.container)]
    page = [list(blocks.lines)]
    assert model.html_stage is not None
    np.testing.assert_array_equal(
        model.score_documents(page, html=html)[0].proba,
        source.score_documents(page, html=html)[0].proba,
    )


@pytest.mark.usefixtures("features_of_the_code_as_0_7")
def test_format_3_files_from_before_line_certainty_let_context_decide(
    small_model_path, tmp_path, monkeypatch
):
    path, source = _format_3_file(small_model_path, tmp_path, monkeypatch, drop=["line_certainty"])
    model, _ = load_model(path)
    assert source.calibration.line_certainty == 0.99 and model.calibration.line_certainty is None
    context_decides = dataclasses.replace(
        source, calibration=dataclasses.replace(source.calibration, line_certainty=None)
    )
    for got, want in zip(
        model.predict_proba_lines(DOCS), context_decides.predict_proba_lines(DOCS)
    ):
        np.testing.assert_array_equal(got, want)


def test_format_3_files_of_other_features_ask_for_retraining(
    small_model_path, tmp_path, monkeypatch
):
    names = {"shape": SHAPE_FEATURE_NAMES, "html": HTML_STAGE_FEATURE_NAMES}
    names["context"] = CONTEXT_FEATURE_NAMES[:-1] + ("an_old_feature",)
    monkeypatch.setattr(legacy_model_file, "FORMAT_3_FEATURE_NAMES", names)
    path, _ = _format_3_file(small_model_path, tmp_path, monkeypatch)
    with pytest.raises(ModelVersionError) as info:
        load_model(path)
    message = str(info.value)
    assert f"new here: {CONTEXT_FEATURE_NAMES[-1]}; gone here: an_old_feature" in message
    assert message.endswith("retrain it with `paysieve train`") and "\n" not in message


def test_format_3_features_are_those_of_the_0_7_default_model():
    names = legacy_model_file.FORMAT_3_FEATURE_NAMES
    # The column counts of the default model paysieve 0.7 shipped.
    assert [len(names[s]) for s in ("shape", "context", "html")] == [16, 47, 28]


@pytest.mark.usefixtures("features_of_the_code_as_0_7")
def test_damaged_format_3_files_are_named_damaged(small_model_path, tmp_path, monkeypatch):
    path, _ = _format_3_file(small_model_path, tmp_path, monkeypatch, drop=["threshold"])
    with pytest.raises(ModelFileError, match=r"damaged paysieve model .*without threshold"):
        load_model(path)
    plain = tmp_path / "plain.joblib"
    joblib.dump(container(joblib_bytes({"weights": np.ones(3)}), format_version=3), plain)
    with pytest.raises(ModelFileError, match=r"damaged .*holds no paysieve line scorer"):
        load_model(plain)
