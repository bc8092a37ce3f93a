"""HTML input through the library and the CLI (lines made by paysieve.documents.html_lines)."""

import gzip
import json

from paysieve.inference.cli import app
from typer.testing import CliRunner

from paysieve import Detector

runner = CliRunner()
ARTICLE = [
    "The central library reopened on Monday after six months of repairs to its basement.",
    "Staff moved more than twenty thousand books to a warehouse while the building dried.",
]
TAIL = ["This article is for subscribers only.", "Choose your plan", "Subscribe now"]
PAGE = (
    "<!DOCTYPE html><html><head><meta charset='windows-1252'><title>Library</title>"
    "<script>track('Subscribe now');</script></head><body><article>"
    + "".join(f"<p>{line}</p>" for line in ARTICLE)
    + "</article><aside>"
    + "".join(f"<div>{line}</div>" for line in TAIL)
    + "</aside><p>Café × 2</p></body></html>"
)


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_detector_predicts_the_block_lines_of_html(small_model_path):
    detector = Detector(small_model_path)
    from_bytes = detector.predict_html(PAGE.encode("cp1252"))
    assert from_bytes.lines == (*ARTICLE, *TAIL, "Café × 2")
    from_text = detector.predict_htmls([PAGE])[0]
    assert from_text.lines == from_bytes.lines
    assert list(from_text.scores) == list(from_bytes.scores)
    cleaned = detector.clean_html(PAGE)
    assert cleaned.startswith(ARTICLE[0] + "\n" + ARTICLE[1] + "\n")
    assert "Subscribe now" not in cleaned and "track(" not in cleaned


def test_clean_and_predict_an_html_file(tmp_path, small_model_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("cp1252"))
    result = run("clean", path, "--model", small_model_path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ARTICLE
    assert "Subscribe now" not in result.output and "<p>" not in result.output

    result = run("predict", path, "--format", "jsonl", "--model", small_model_path)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.output.splitlines()]
    assert record["lines"] == [*ARTICLE, *TAIL, "Café × 2"]
    assert len(record["labels"]) == len(record["scores"]) == len(record["lines"])


def test_html_on_stdin_is_detected_and_can_be_forced(small_model_path):
    result = run("clean", "-", "--model", small_model_path, input=PAGE.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(ARTICLE[0] + "\n")
    fragment = "<b>Staff moved</b> more than twenty books"
    forced = run(
        "predict", "-", "--input-format", "html", "--model", small_model_path, input=fragment
    )
    assert forced.exit_code == 0, forced.output
    assert forced.output.count("\n") == 1 and "Staff moved more than twenty books" in forced.output
    as_text = run("predict", "-", "--model", small_model_path, input=fragment)
    assert "<b>Staff moved</b>" in as_text.output


def test_jsonl_records_with_html_are_linearised(tmp_path, small_model_path):
    path = tmp_path / "pages.jsonl.gz"
    records = [
        {"id": "a", "url": "https://example.org/a", "html": PAGE},
        {"id": "b", "text": "Subscribe now\n", "html": "<p>ignored: text wins</p>"},
        {"id": "c", "html": "<html><body><script>x()</script></body></html>"},
    ]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)

    result = run("clean", path, "--model", small_model_path)
    assert result.exit_code == 0, result.output
    cleaned = [json.loads(x) for x in result.output.splitlines()]
    assert [r["id"] for r in cleaned] == ["a", "b", "c"]
    assert cleaned[0]["html"] == PAGE and cleaned[0]["url"] == "https://example.org/a"
    assert cleaned[0]["text"].startswith(ARTICLE[0] + "\n" + ARTICLE[1])
    assert "Subscribe now" not in cleaned[0]["text"]
    assert "ignored" not in cleaned[1]["text"]
    assert cleaned[2]["text"] == ""

    result = run("predict", path, "--format", "jsonl", "--model", small_model_path)
    predicted = [json.loads(x) for x in result.output.splitlines()]
    assert predicted[0]["lines"] == [*ARTICLE, *TAIL, "Café × 2"]
    assert len(predicted[0]["labels"]) == 6
    assert "lines" not in predicted[1] and predicted[2]["lines"] == []


def test_benchmark_records_are_still_read_by_their_lines(benchmark_file, small_model_path):
    result = run("predict", "--format", "jsonl", benchmark_file, "--model", small_model_path)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in result.output.splitlines()]
    assert records[0]["lines"][:2] == ["Home", "World"]
    assert records[0]["html"] == "scrapinghub__abc123.html.gz"
