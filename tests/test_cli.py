import gzip
import json
from pathlib import Path

import pytest
from paysieve.inference.cli import EXIT_INPUT, EXIT_MODEL, EXIT_NOT_FOUND, app
from typer.testing import CliRunner

runner = CliRunner()
EXAMPLE = Path(__file__).parents[1] / "examples" / "article.txt"
TEXT = (
    "The central library reopened on Monday after six months of repairs to its basement.\n"
    "Staff moved more than twenty thousand books to a warehouse while the building dried.\n"
    "This article is for subscribers only.\n"
    "Choose your plan\n"
    "$4.99 per month\n"
    "Subscribe now\n"
)


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_help_lists_commands_and_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("clean", "predict", "train", "evaluate", "info"):
        assert command in result.output
    assert "Exit codes" in result.output


def test_evaluate_help_names_what_plotting_needs():
    # Square brackets in help text are rich markup: "paysieve[plot]" used to print as "paysieve".
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    assert "matplotlib" in result.output


def test_version_is_the_package_version():
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"paysieve {version('paysieve')}"


def test_clean_example_with_default_model():
    result = run("clean", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "PORTHAVEN" in result.output
    assert "Subscribe now" not in result.output
    assert "£1 for the first 3 months" not in result.output


def test_clean_stdin_to_file_is_atomic(tmp_path, small_model_path):
    out = tmp_path / "clean.txt"
    result = run("clean", "-", "-o", out, "--model", small_model_path, input=TEXT)
    assert result.exit_code == 0, result.output
    cleaned = out.read_text(encoding="utf-8")
    assert "Staff moved" in cleaned and "Subscribe now" not in cleaned
    assert [p.name for p in tmp_path.iterdir()] == ["clean.txt"]
    from paysieve.documents.atomic_file import default_file_mode

    assert out.stat().st_mode & 0o777 == default_file_mode()


def test_clean_refuses_to_overwrite_its_input(tmp_path, small_model_path):
    path = tmp_path / "page.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = run("clean", path, "-o", path, "--model", small_model_path)
    assert result.exit_code == EXIT_INPUT
    assert "refusing to write over the input" in result.output
    assert path.read_text(encoding="utf-8") == TEXT


@pytest.mark.parametrize("fmt", ["text", "tsv", "jsonl"])
def test_predict_formats_on_plain_text(small_model_path, fmt):
    result = run("predict", "-", "--format", fmt, "--model", small_model_path, input=TEXT)
    assert result.exit_code == 0, result.output
    n = len(TEXT.splitlines())
    if fmt == "jsonl":
        (record,) = [json.loads(x) for x in result.output.splitlines()]
        assert record["lines"] == TEXT.splitlines()
        assert len(record["labels"]) == len(record["scores"]) == n
        assert record["labels"][-1] == "boilerplate"
        assert len(record["kinds"]) == n
        assert [k is None for k in record["kinds"]] == [
            lab == "content" for lab in record["labels"]
        ]
        assert record["kinds"][2] == "paywall"
        assert record["paywall"]["detected"] is True
        assert set(record["paywall"]) == {"detected", "probability", "truncated", "evidence"}
        assert {"line": 2, "kind": "paywall"}.items() <= record["paywall"]["evidence"][0].items()
    elif fmt == "tsv":
        rows = result.output.splitlines()
        assert rows[0] == "doc\tline\tlabel\tscore\tkind\ttext"
        assert len(rows) == n + 1
        assert rows[-1].split("\t")[2] == "boilerplate"
        assert rows[3].split("\t")[4] == "paywall" and rows[1].split("\t")[4] == ""
    else:
        rows = result.output.splitlines()
        assert len(rows) == n
        assert rows[-1].startswith("- ") and rows[0].startswith("+ ")


def test_predict_and_clean_jsonl_corpus_keep_records_and_order(
    benchmark_file, small_model_path, tmp_path
):
    result = run("predict", "--format", "jsonl", benchmark_file, "--model", small_model_path)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in result.output.splitlines()]
    assert [r["id"] for r in records] == ["scrapinghub/abc123", "readability/localpaper-2"]
    assert all(len(r["labels"]) == len(r["lines"]) == len(r["scores"]) for r in records)
    assert records[0]["slices"][4] == ["paywall"] and records[0]["html"].endswith(".html.gz")
    assert set(records[0]["labels"]) <= {"content", "boilerplate"}

    out = tmp_path / "clean.jsonl.gz"
    result = run("clean", benchmark_file, "-o", out, "--model", small_model_path)
    assert result.exit_code == 0, result.output
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        cleaned = [json.loads(x) for x in fh]
    assert [r["id"] for r in cleaned] == ["scrapinghub/abc123", "readability/localpaper-2"]
    assert cleaned[0]["text"] == "\n".join(cleaned[0]["lines"])


def test_text_records_get_cleaned_text(small_model_path):
    record = {"id": 1, "text": TEXT, "keep": "me"}
    result = run(
        "clean",
        "-",
        "--input-format",
        "jsonl",
        "--model",
        small_model_path,
        input=json.dumps(record) + "\n",
    )
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(x) for x in result.output.splitlines()]
    assert out["keep"] == "me" and "Staff moved" in out["text"]
    assert "Subscribe now" not in out["text"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"text": "ok"}\n{broken\n', "<stdin>:2: not valid JSON"),
        (b'{"id": 1}\n', "no 'lines' (list of strings), 'text' or 'html'"),
        (b'{"lines": ["a", null]}\n', "list of strings"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not text"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(small_model_path, payload, message):
    result = runner.invoke(
        app,
        ["predict", "-", "--model", str(small_model_path), "--input-format", "auto"],
        input=payload,
    )
    assert result.exit_code == EXIT_INPUT
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_missing_model(tmp_path, small_model_path):
    result = run("clean", tmp_path / "nope.txt", "--model", small_model_path)
    assert result.exit_code == EXIT_NOT_FOUND and "no such file" in result.output
    result = run("clean", EXAMPLE, "--model", tmp_path / "nope.joblib")
    assert result.exit_code == EXIT_MODEL and "model file not found" in result.output


def test_train_evaluate_info_round_trip(tmp_path, corpus_dir, benchmark_file):
    model = tmp_path / "m.joblib"
    result = run(
        "train", corpus_dir, benchmark_file, "-o", model, "--folds", "2", "--copies", "3", "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert model.is_file() and "cross-validated" in result.output
    assert str(benchmark_file)[-40:] in result.output

    result = run("evaluate", benchmark_file, "--model", model, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    metrics = report[str(benchmark_file)]
    assert metrics["lines"] == 7  # null labels are not scored
    assert sum(map(sum, metrics["confusion"])) == 7

    result = run("evaluate", corpus_dir, "--model", model, "--errors", "2")
    assert result.exit_code == 0, result.output
    assert "C-F1" in result.output and "confusion" in result.output

    plot = tmp_path / "curves.png"
    result = run("evaluate", benchmark_file, "--model", model, "--plot", plot)
    assert result.exit_code == 0, result.output
    assert plot.read_bytes()[:4] == b"\x89PNG"

    result = run("info", "--model", model)
    assert result.exit_code == 0, result.output
    assert "threshold" in result.output and "sha256" in result.output
    assert "boilerplate kinds: " in result.output and "paywall" in result.output
    result = run("info", "--model", model, "--json")
    assert json.loads(result.output)["compose"]["copies"] == 3


NAV = "Home\nNews\nSport\n"


def test_clean_drop_and_keep_choose_the_kinds_removed(small_model_path):
    page = NAV + TEXT
    dropped = run("clean", "-", "--drop", "paywall,pricing", "-m", small_model_path, input=page)
    assert dropped.exit_code == 0, dropped.output
    assert dropped.output.startswith(NAV) and "Subscribe now" not in dropped.output
    kept = run("clean", "-", "--keep", "navigation", "-m", small_model_path, input=page)
    # The menu's last line sits by the article: the tiny fixture corpus leaves its kind open.
    assert kept.exit_code == 0 and kept.output.startswith("Home\nNews\n")
    assert "subscribers only" not in kept.output
    default = run("clean", "-", "-m", small_model_path, input=page)
    assert not default.output.startswith("Home")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--drop", "paywall", "--keep", "navigation"], "either --drop or --keep"),
        (["--drop", "paywal"], "unknown kind paywal"),
    ],
)
def test_bad_kind_options_are_input_errors(small_model_path, args, message):
    result = run("clean", "-", *args, "-m", small_model_path, input=TEXT)
    assert result.exit_code == EXIT_INPUT
    assert message in result.output and "Traceback" not in result.output


def test_inspect_reports_the_paywall_verdict_and_kinds(small_model_path):
    teaser = TEXT.splitlines()[0] + "\n" + "\n".join(TEXT.splitlines()[2:]) + "\n"
    result = run("inspect", "-", "-m", small_model_path, input=teaser)
    assert result.exit_code == 0, result.output
    assert "paywall: DETECTED" in result.output and "article truncated" in result.output
    assert "kinds: " in result.output and "pricing" in result.output
    free = run("inspect", "-", "-m", small_model_path, input=TEXT.splitlines()[0] + "\n")
    assert "paywall: not detected" in free.output


def test_jobs_2_gives_the_same_output_in_the_same_order(tmp_path, small_model_path):
    """More than one batch (2,000 documents each), so --jobs 2 really uses worker processes."""
    lines = TEXT.splitlines()
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(2_300):
            fh.write(json.dumps({"id": i, "lines": lines[i % 3 :] + [f"Line {i}."]}) + "\n")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = run(
            "predict", path, "-f", "jsonl", "--jobs", jobs, "-o", out, "-m", small_model_path
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert [json.loads(x)["id"] for x in outputs[1].splitlines()] == list(range(2_300))
