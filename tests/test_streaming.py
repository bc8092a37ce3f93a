"""Streaming: chunked decoding and line splitting, batching, record counts on a large
corpus, segments of long texts, interruption, and the progress bar."""

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paysieve.inference import batch_prediction
from paysieve.inference.batch_prediction import document_batches, predict_in_order
from paysieve.inference.cli import EXIT_INTERRUPTED, EXIT_SKIPPED, EXIT_TERMINATED, app
from paysieve.inference.cli.progress import ProgressReporter, RichProgress, progress_bar
from paysieve.inference.streaming import StreamProgress
from typer.testing import CliRunner

from paysieve.documents import reading
from paysieve.documents.decoding import Utf8Decoder, lines_with_breaks
from paysieve.documents.reading import ReadStats
from paysieve.documents.records import InputDocument
from paysieve.errors import InvalidEncodingError

pytestmark = pytest.mark.usefixtures("one_openmp_thread")
REPO = Path(__file__).parents[1]
runner = CliRunner()
SENTENCES = [
    "The ferry resumed service on Monday after the storm damaged its landing stage.",
    "Engineers worked through the weekend to replace two of the mooring posts.",
    "Subscribe to continue reading",
    "Passengers said the crossing was calm and on time.",
    "Share this article",
    "Sign in",
    "",
]


def cuts(data, positions):
    """``data`` cut at the given positions (sorted, within range)."""
    points = sorted({p % (len(data) + 1) for p in positions})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


@given(
    st.text(alphabet=st.sampled_from(list("ab \r\n\u2028\x85\x0c")), max_size=60),
    st.lists(st.integers(min_value=0, max_value=60), max_size=8),
)
def test_lines_with_breaks_matches_splitlines_of_the_whole(text, positions):
    assert list(lines_with_breaks(iter(cuts(text, positions)))) == text.splitlines(True)


@given(
    st.binary(max_size=80).map(lambda b: "Grüße, 東京 ".encode() + b + b" ok"),
    st.lists(st.integers(min_value=0, max_value=120), max_size=6),
)
def test_decoder_offsets_and_counts_do_not_depend_on_chunking(data, positions):
    whole_stats, cut_stats = ReadStats(), ReadStats()
    whole = Utf8Decoder("x", False, whole_stats).decode(data, final=True)
    decoder = Utf8Decoder("x", False, cut_stats)
    pieces = [decoder.decode(c) for c in cuts(data, positions)]
    assert "".join(pieces) + decoder.decode(b"", final=True) == whole
    assert whole == data.decode("utf-8", "surrogateescape").translate(
        {c: "\ufffd" for c in range(0xDC80, 0xDD00)}
    )
    assert whole_stats.replaced_bytes == cut_stats.replaced_bytes
    if whole_stats.replaced_bytes:
        with pytest.raises(InvalidEncodingError) as info:
            Utf8Decoder("x", True, ReadStats()).decode(data, final=True)
        bad = info.value.offset
        data[:bad].decode("utf-8")  # everything before the offset is valid
        with pytest.raises(UnicodeDecodeError):
            data[bad : bad + 4].decode("utf-8")


def test_document_batches_are_bounded_and_keep_order():
    docs = [InputDocument(None, "text", text="x" * (i % 7 * 100), where=str(i)) for i in range(50)]
    batches = list(document_batches(docs, max_documents=8, max_chars=1500))
    assert [d.where for b in batches for d in b] == [str(i) for i in range(50)]
    assert all(len(b) <= 8 for b in batches)
    assert all(len(b) == 1 or sum(len(d.text) for d in b) <= 1500 for b in batches)


def test_predict_in_order_pairs_batches_with_a_read_ahead_predictor():
    batches = [[InputDocument(None, "text", text=str(i))] for i in range(7)]

    def read_ahead(stream):  # like a pool's imap: consumes batches before yielding
        taken = list(stream)
        return ([int(b[0].text) * 10] for b in taken)

    pairs = list(predict_in_order(iter(batches), read_ahead))
    assert [(int(b[0].text), p[0]) for b, p in pairs] == [(i, i * 10) for i in range(7)]


def make_corpus(path: Path, records: int, bad_every: int) -> int:
    """A gzipped JSON Lines corpus; returns how many of its records are bad."""
    bad = 0
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(records):
            if i % bad_every == bad_every - 1:
                fh.write(["{oops", '{"id": 1}', '{"lines": [1]}'][bad % 3] + "\n")
                bad += 1
                continue
            lines = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 6)]
            record = {"id": i, "lines": lines} if i % 2 else {"id": i, "text": "\n".join(lines)}
            fh.write(json.dumps(record) + "\n")
    return bad


def test_large_corpus_record_count_is_input_minus_skips(small_model_path, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_prediction, "BATCH_DOCUMENTS", 300)  # many batches
    corpus = tmp_path / "corpus.jsonl.gz"
    n, bad = 4_000, make_corpus(tmp_path / "corpus.jsonl.gz", 4_000, 97)
    out = tmp_path / "out.jsonl.gz"
    args = ["predict", "-f", "jsonl", str(corpus), "-o", str(out), "--on-error", "skip"]
    result = runner.invoke(app, [*args, "--model", str(small_model_path)])
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert result.stderr.strip().startswith(f"paysieve: skipped {bad} of {n} records")
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    assert len(records) == n - bad
    assert [r["id"] for r in records] == [i for i in range(n) if i % 97 != 96]
    for r in records:
        lines = r["lines"] if "lines" in r else r["text"].splitlines()
        assert len(r["labels"]) == len(r["scores"]) == len(lines)


def test_long_text_is_labelled_in_segments_and_cleaned_byte_for_byte(
    small_model_path, tmp_path, monkeypatch
):
    monkeypatch.setattr(reading, "SEGMENT_LINES", 40)
    lines = [SENTENCES[i % len(SENTENCES)] for i in range(230)]
    endings = ["\r\n", "\n", "\r"]
    text = "".join(f"{line}{endings[i % 3]}" for i, line in enumerate(lines))
    page = tmp_path / "long.txt"
    page.write_bytes(text.encode())
    m = ["--model", str(small_model_path)]
    result = runner.invoke(app, ["predict", "-f", "jsonl", str(page), *m])
    records = [json.loads(x) for x in result.stdout.splitlines()]
    assert [len(r["lines"]) for r in records] == [40] * 5 + [30]
    labels = [label for r in records for label in r["labels"]]
    kept = "".join(
        f"{line}{endings[i % 3]}"
        for i, (line, label) in enumerate(zip(lines, labels))
        if label == "content"
    )
    result = runner.invoke(app, ["clean", str(page), *m])
    assert result.stdout_bytes == kept.encode() and 0 < len(kept) < len(text)


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, EXIT_INTERRUPTED), (signal.SIGTERM, EXIT_TERMINATED)]
)
def test_interrupt_leaves_the_target_untouched_and_no_temp_file(
    small_model_path, tmp_path, signum, code
):
    corpus = tmp_path / "big.jsonl.gz"
    make_corpus(corpus, 100_000, 10**9)  # seconds of work, so the signal lands mid-run
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "clean.jsonl"
    target.write_text("previous\n")
    command = [sys.executable, "-m", "paysieve", "clean", str(corpus), "-o", str(target)]
    command += ["--jobs", "1"]  # one process: the timing of the interrupt stays predictable
    proc = subprocess.Popen(
        [*command, "--model", str(small_model_path)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        # A disposition this test process inherited (an ignored SIGINT) must not reach it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not list(out_dir.glob("*.tmp")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.1)  # let it start writing
    assert proc.poll() is None and list(out_dir.glob("*.tmp")), "finished too early"
    os.kill(proc.pid, signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert target.read_text() == "previous\n"
    assert [p.name for p in out_dir.iterdir()] == ["clean.jsonl"]


def test_progress_bar_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    with progress_bar(quiet=True) as reporter:
        assert type(reporter) is ProgressReporter
    with progress_bar(quiet=False) as reporter:
        assert isinstance(reporter, RichProgress)
        reporter(StreamProgress("corpus.jsonl", 1000, 12, 3456, 500))
        reporter.progress.refresh()
    shown = sys.stderr.getvalue()
    assert "corpus.jsonl: 12 records" in shown and "3,456 lines" in shown and "lines/s" in shown
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar(quiet=False) as reporter:
        assert type(reporter) is ProgressReporter


# The library streaming API


def write_corpus(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_clean_stream_writes_what_the_cli_writes_and_reports_it(small_model_path, tmp_path):
    from paysieve.inference.streaming import clean_stream

    from paysieve import Detector

    corpus = write_corpus(
        tmp_path / "in.jsonl",
        [{"id": i, "lines": SENTENCES[i:] + SENTENCES[:i]} for i in range(5)],
    )
    out = tmp_path / "out.jsonl"
    seen = []
    report = clean_stream(
        corpus, out, detector=Detector(small_model_path), drop="subscription", progress=seen.append
    )
    cli = runner.invoke(app, ["clean", str(corpus), "--drop", "subscription",
                              "-m", str(small_model_path)])  # fmt: skip
    assert out.read_text(encoding="utf-8") == cli.stdout and cli.exit_code == 0
    kept = sum(len(json.loads(line)["lines"]) for line in cli.stdout.splitlines())
    assert (report.documents, report.lines, report.kept) == (5, 5 * len(SENTENCES), kept)
    assert 0 < kept < report.lines
    assert [s.name for s in report.sources] == [str(corpus)]
    assert seen[-1].source == str(corpus) and seen[-1].documents == 5
    assert seen[-1].size == corpus.stat().st_size


def test_predict_stream_writes_several_sources_to_an_open_stream(small_model_path, tmp_path):
    from paysieve.inference.streaming import predict_stream

    from paysieve import Detector

    texts = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for i, path in enumerate(texts):
        path.write_text("\n".join(SENTENCES[i:]) + "\n", encoding="utf-8")
    detector = Detector(small_model_path)
    m = ["-m", str(small_model_path)]
    for fmt, command in (("report", ["inspect"]), ("tsv", ["predict", "-f", "tsv"])):
        out = io.StringIO()
        report = predict_stream(texts, out, format=fmt, detector=detector)
        cli = runner.invoke(app, [*command, *map(str, texts), *m])
        assert out.getvalue() == cli.stdout
        if fmt == "report":  # a text is named by its file
            assert out.getvalue().startswith(f"== {texts[0]}\npaywall: ")
            assert f"\n== {texts[1]}\npaywall: " in out.getvalue()
        assert [s.name for s in report.sources] == list(map(str, texts))
        assert [s.lines for s in report.sources] == [len(SENTENCES), len(SENTENCES) - 1]


def test_stream_arguments_are_checked_before_anything_is_written(small_model_path, tmp_path):
    from paysieve.inference.streaming import clean_stream, predict_stream

    from paysieve import Detector, InputError, UnknownKindError

    empty = tmp_path / "empty.jsonl"  # no document to write: only an early check can fail
    empty.write_text("", encoding="utf-8")
    detector = Detector(small_model_path)
    with pytest.raises(UnknownKindError, match="paywal"):
        clean_stream(empty, tmp_path / "out.txt", detector=detector, keep={"paywal"})
    with pytest.raises(InputError, match="unknown output format 'xml'"):
        predict_stream(empty, tmp_path / "out.txt", format="xml", detector=detector)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl"]


def test_skipped_records_are_reported_per_source(small_model_path, tmp_path):
    from paysieve.inference.streaming import predict_stream

    from paysieve import Detector, RecordError

    good = {"id": 1, "text": SENTENCES[0]}
    corpus = write_corpus(tmp_path / "in.jsonl", [good, {"id": 2}, good])
    detector = Detector(small_model_path)
    report = predict_stream(corpus, io.StringIO(), detector=detector, skip_bad_records=True)
    assert (report.documents, report.skipped) == (2, 1)
    assert report.skip_examples == [f"{corpus}:2: record has no 'lines' (list of strings), "
                                    "'text' or 'html' (string)"]  # fmt: skip
    with pytest.raises(RecordError, match=r"in\.jsonl:2"):
        predict_stream(corpus, io.StringIO(), detector=detector)
