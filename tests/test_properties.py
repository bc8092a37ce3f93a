"""Property-based tests of the library API, and a fuzz run of generated documents through
the CLI: arbitrary input never crashes, and every line gets exactly one verdict."""

import json
import os
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paysieve.inference.cli import EXIT_INPUT, app
from typer.testing import CliRunner

from paysieve import Detector

pytestmark = pytest.mark.usefixtures("one_openmp_thread")
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates and controls too
RTL_AND_EMOJI = st.sampled_from(list("שלום مرحبا ‏‮😀👩‍👩‍👧🏳️‍🌈 \t\u200b\ufeff"))
LINE = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.text(RTL_AND_EMOJI, max_size=40),
    st.text(st.sampled_from("ab"), min_size=1_000, max_size=3_000),  # a very long token
    st.sampled_from(["Subscribe now", "Sign in", "", "   ", "The council met on Monday."]),
)
DOCUMENT = st.lists(LINE.map(lambda s: s.replace("\n", " ")), max_size=8)


@pytest.fixture(scope="module")
def detector(small_model_path):
    return Detector(small_model_path)


def is_subsequence(part, whole):
    items = iter(whole)
    return all(any(x == y for y in items) for x in part)


@PROPERTY_SETTINGS
@given(docs=st.lists(DOCUMENT, max_size=4))
def test_one_label_and_probability_per_line(detector, docs):
    preds = detector.predict_many(docs)
    assert len(preds) == len(docs)
    for doc, pred in zip(docs, preds):
        assert len(pred.labels) == len(pred.scores) == len(doc) == len(pred)
        assert set(pred.labels) <= {"content", "boilerplate"}
        assert np.all((pred.scores >= 0) & (pred.scores <= 1))
        assert [s >= pred.threshold for s in pred.scores] == [
            lab == "boilerplate" for lab in pred.labels
        ]


@PROPERTY_SETTINGS
@given(text=st.text(st.one_of(ANY_CHAR, st.sampled_from("\n\r\u2028\x85")), max_size=400))
def test_cleaned_lines_are_a_subsequence_of_the_input_lines(detector, text):
    pred = detector.predict_text(text)
    assert is_subsequence(pred.text.splitlines(), text.splitlines())
    assert pred.kept_lines == [
        line for line, lab in zip(pred.lines, pred.labels) if lab == "content"
    ]
    assert len(pred.lines) == len(text.splitlines())


@PROPERTY_SETTINGS
@given(doc=DOCUMENT, others=st.lists(DOCUMENT, max_size=3))
def test_predictions_are_deterministic_and_independent_of_the_batch(detector, doc, others):
    alone = detector.predict_lines(doc).scores
    again = detector.predict_lines(doc).scores
    in_batch = detector.predict_many([*others, doc])[-1].scores
    assert np.array_equal(alone, again)
    assert np.allclose(alone, in_batch, rtol=0, atol=1e-12)


def fuzz_record(rng: random.Random, i: int) -> str:
    """One generated JSON Lines record: mixed scripts, controls, lone surrogates, long
    tokens, empty and blank lines, as ``lines`` or ``text``."""
    pools = [
        "abcdefghij KLMNOP .,;:!?",
        "áéíóúñüß Grüße çà",
        "東京大阪日本語のテキスト",
        "שלום مرحبا \u200f\u202e",
        "😀👩‍👩‍👧🏳️‍🌈",
        "\x00\x01\x07\x1b\x7f\t\x0b\x0c",
        "\ud800\udc80\udfff",
        "\r\u2028\x85",
        "$€£¥ 0123456789 %",
    ]
    lines = []
    for _ in range(rng.randrange(0, 7)):
        pool = rng.choice(pools)
        size = rng.choice([0, 1, 5, 30, 120, 400])
        lines.append("".join(rng.choice(pool) for _ in range(size)))
    if i % 2:
        return json.dumps({"id": i, "lines": lines})
    return json.dumps({"id": i, "text": "\n".join(lines)})


def test_fuzz_ten_thousand_generated_documents_through_the_cli(small_model_path, tmp_path):
    rng = random.Random(int(os.environ.get("PAYSIEVE_FUZZ_SEED", "20261128")))
    n = int(os.environ.get("PAYSIEVE_FUZZ_DOCS", "10000"))  # more for a nightly-style run
    corpus = tmp_path / "fuzz.jsonl"
    corpus.write_text("\n".join(fuzz_record(rng, i) for i in range(n)) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    model = ["--model", str(small_model_path)]
    result = runner.invoke(app, ["predict", "-f", "jsonl", str(corpus), "-o", str(out), *model])
    assert result.exit_code == 0, result.output
    # split on "\n" only: records may hold a raw U+2028 or U+0085, as JSON allows
    records = [json.loads(line) for line in out.read_text("utf-8").split("\n")[:-1]]
    assert [r["id"] for r in records] == list(range(n))
    for r in records:
        lines = r["lines"] if "lines" in r else r["text"].splitlines()
        assert len(r["labels"]) == len(r["scores"]) == len(lines)
        assert all(0 <= s <= 1 for s in r["scores"])
    head = tmp_path / "head.jsonl"
    head.write_text("\n".join(corpus.read_text("utf-8").split("\n")[:1000]), "utf-8")
    n_head = min(n, 1000)
    result = runner.invoke(app, ["clean", str(head), "-o", str(out), *model])
    assert result.exit_code == 0, result.output
    cleaned = [json.loads(line) for line in out.read_text("utf-8").split("\n")[:-1]]
    assert [r["id"] for r in cleaned] == list(range(n_head))


def test_fuzz_random_bytes_as_text_give_an_answer_not_a_crash(small_model_path, tmp_path):
    rng = random.Random(7)
    runner = CliRunner()
    seen = set()
    for i in range(25):
        size = rng.choice([0, 1, 10, 500, 2000])
        alphabet = rng.choice([bytes(range(256)), b"ab \n\r\xc3\xa9\xe2\x80\xa8\xff", b'{}[]":,\n'])
        data = bytes(rng.choice(alphabet) for _ in range(size))
        path = tmp_path / f"f{i}.txt"
        path.write_bytes(data)
        result = runner.invoke(app, ["clean", str(path), "--model", str(small_model_path)])
        assert result.exit_code in (0, EXIT_INPUT), (data[:80], result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        seen.add(result.exit_code)
    assert seen == {0, EXIT_INPUT}
