"""Damaged model files: each damage is named by the library (ModelFileError) and by the
command (one line, exit 3), never a traceback and never a model that half works.

The damaged files are the small test model rewritten with one part missing or replaced,
through the same container layout that ``save_model`` writes.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import joblib
import numpy as np
import pytest
from paysieve.inference.cli import EXIT_MODEL, app
from paysieve.model.persistence import load_model
from paysieve.model.safe_unpickler import safe_loads
from typer.testing import CliRunner

from paysieve import Detector, ModelFileError

runner = CliRunner()


def pickled(obj) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


def rewritten(small_model_path: Path, folder: Path, name: str, **changes) -> Path:
    """The small model's container with ``changes`` (a value None removes that key)."""
    container = safe_loads(small_model_path.read_bytes())
    for key, value in changes.items():
        if value is None:
            container.pop(key)
        else:
            container[key] = value
    path = folder / f"{name}.joblib"
    joblib.dump(container, path)
    return path


def foreign_payload(obj) -> dict:
    """A payload of allowlisted data that is not a model, with a matching checksum."""
    payload = pickled(obj)
    return {"payload": payload, "payload_sha256": hashlib.sha256(payload).hexdigest()}


DAMAGES = {
    "no payload": ({"payload": None}, "damaged paysieve model (no payload)"),
    "payload not bytes": ({"payload": "text"}, "damaged paysieve model (no payload)"),
    "no metadata": ({"metadata": None}, "damaged paysieve model (no metadata)"),
    "metadata not a mapping": ({"metadata": [1, 2]}, "damaged paysieve model (no metadata)"),
    "array instead of a model": (
        foreign_payload(np.arange(3)),
        "the file holds no paysieve line scorer",
    ),
    "dict instead of a model": (
        foreign_payload({"weights": np.ones(2)}),
        "the file holds no paysieve line scorer",
    ),
    "payload of garbage": (
        {"payload": b"garbage", "payload_sha256": hashlib.sha256(b"garbage").hexdigest()},
        "damaged paysieve model",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_model_file_is_named_by_library_and_command(small_model_path, tmp_path, damage):
    changes, message = DAMAGES[damage]
    path = rewritten(small_model_path, tmp_path, damage.replace(" ", "-"), **changes)
    with pytest.raises(ModelFileError, match=re.escape(message)) as info:
        load_model(path)
    assert str(path) in str(info.value)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        Detector(path)
    result = runner.invoke(app, ["clean", "-", "--model", str(path)], input="Some text.\n")
    assert result.exit_code == EXIT_MODEL
    assert result.stderr.startswith(f"paysieve: error: {path}: ")
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_an_undamaged_rewrite_still_loads(small_model_path, tmp_path):
    """The rewriting itself does no harm: the same container rewritten loads and predicts."""
    path = rewritten(small_model_path, tmp_path, "same")
    lines = ["Subscribe now", "The council met on Monday to vote on the budget."]
    a = Detector(path).predict_lines(lines).scores
    b = Detector(small_model_path).predict_lines(lines).scores
    np.testing.assert_array_equal(a, b)


def test_model_file_that_is_a_directory_or_missing(tmp_path):
    for path, message in ((tmp_path, "is not a file"), (tmp_path / "gone.joblib", "not found")):
        result = runner.invoke(app, ["info", "--model", str(path)])
        assert result.exit_code == EXIT_MODEL and message in result.stderr
        assert result.stderr.count("\n") == 1
