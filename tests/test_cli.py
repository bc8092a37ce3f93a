import gzip
import json
from pathlib import Path

import pytest
from paysieve.inference.cli import EXIT_INPUT, EXIT_MODEL, EXIT_NOT_FOUND, app
from typer.testing import CliRunner

from paysieve import Detector

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
        verdict = Detector(small_model_path).predict_text(TEXT).paywall
        assert record["paywall"] == verdict.as_dict()
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
    assert kept.exit_code == 0 and kept.output.startswith(NAV)
    assert "subscribers only" not in kept.output
    default = run("clean", "-", "-m", small_model_path, input=page)
    assert not default.output.startswith("Home")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--drop", "paywall", "--keep", "navigation"], "either --drop or --keep"),
        (["--drop", "paywal"], "--drop: unknown kind 'paywal'"),
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


# Several inputs, directories, stdin


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PAGES = [TEXT, NAV + TEXT, "Home\nNews\n" + TEXT.splitlines()[0] + "\n"]


def test_several_inputs_go_into_one_output_one_after_another(tmp_path, small_model_path):
    files = [write(tmp_path / f"p{i}.txt", page) for i, page in enumerate(PAGES)]
    alone = [run("clean", f, "-m", small_model_path).stdout for f in files]
    together = run("clean", *files, "-m", small_model_path)
    assert together.exit_code == 0, together.output
    assert together.stdout == "".join(alone) and all(alone)
    tsv = run("predict", "-f", "tsv", *files[:2], "-m", small_model_path).stdout.splitlines()
    assert tsv.count("doc\tline\tlabel\tscore\tkind\ttext") == 1
    docs = [row.split("\t")[0] for row in tsv[1:]]
    assert docs == ["0"] * len(PAGES[0].splitlines()) + ["1"] * len(PAGES[1].splitlines())


def test_output_dir_mirrors_the_input_dir(tmp_path, small_model_path):
    source = tmp_path / "in"
    names = ["a.txt", "sub/b.txt", "sub/deeper/c.txt"]
    for name, page in zip(names, PAGES):
        write(source / name, page)
    write(source / ".hidden.txt", TEXT)
    write(source / "out" / "old.txt", TEXT)  # an earlier output inside the input folder
    out = source / "out"
    result = run("clean", "--input-dir", source, "--output-dir", out, "-m", small_model_path)
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted([*names, "old.txt"])
    for name in names:
        expected = run("clean", source / name, "-m", small_model_path).stdout
        assert (out / name).read_text(encoding="utf-8") == expected

    result = run("predict", "-f", "jsonl", *(source / n for n in names[:2]), "--output-dir",
                 tmp_path / "labels", "-m", small_model_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "labels").iterdir()) == ["a.txt", "b.txt"]
    record = json.loads((tmp_path / "labels" / "b.txt").read_text(encoding="utf-8"))
    assert record["lines"] == PAGES[1].splitlines()


def test_inputs_of_one_name_cannot_share_an_output_file(tmp_path, small_model_path):
    first, second = write(tmp_path / "x" / "p.txt", TEXT), write(tmp_path / "y" / "p.txt", TEXT)
    out = tmp_path / "out"
    result = run("clean", first, second, "--output-dir", out, "-m", small_model_path)
    assert result.exit_code == EXIT_INPUT
    target = out / "p.txt"
    assert result.stderr == (
        f"paysieve: error: {first} and {second} would both be written to {target}\n"
    )
    assert not out.exists()


def test_in_place_replaces_every_input(tmp_path, small_model_path):
    files = [write(tmp_path / f"p{i}.txt", page) for i, page in enumerate(PAGES)]
    expected = [run("clean", f, "-m", small_model_path).stdout for f in files]
    result = run("clean", "--in-place", *files, "-m", small_model_path)
    assert result.exit_code == 0, result.output
    assert [f.read_text(encoding="utf-8") for f in files] == expected


def test_no_file_reads_stdin_unless_it_is_a_terminal(small_model_path, monkeypatch):
    piped = run("clean", "-m", small_model_path, input=TEXT)
    assert piped.exit_code == 0 and piped.stdout == run("clean", "-", "-m", small_model_path,
                                                        input=TEXT).stdout  # fmt: skip
    assert "Staff moved" in piped.stdout
    monkeypatch.setattr("paysieve.inference.cli.inputs.stdin_is_terminal", lambda: True)
    typed = run("clean", "-m", small_model_path)
    assert typed.exit_code == EXIT_INPUT
    assert typed.stderr.startswith("paysieve: error: no input: name files")
    assert run("clean", "-", "-", "-m", small_model_path, input=TEXT).exit_code == EXIT_INPUT


def test_a_missing_input_stops_the_run_before_anything_is_written(tmp_path, small_model_path):
    page = write(tmp_path / "page.txt", TEXT)
    result = run("clean", page, tmp_path / "nope.txt", "-m", small_model_path)
    assert result.exit_code == EXIT_NOT_FOUND
    assert result.stdout == "" and result.stderr.count("\n") == 1


# Usage errors, help


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["clean", "--threshold", "2"], "--threshold must be between 0 and 1, got 2"),
        (["clean", "-t", "lots"], "--threshold must be a number between 0 and 1, got lots"),
        (["clean", "--jobs", "0"], "--jobs must be at least 1, got 0"),
        (["predict", "--format", "xml"], "--format must be one of text, tsv, jsonl; got xml"),
        (["clean", "--on-error", "maybe"], "--on-error must be one of fail, skip; got maybe"),
        (["clean", "--input-format", "xml"], "--input-format must be one of auto, text"),
        (["train", "x", "-o", "m.joblib", "--folds", "1"], "--folds must be at least 2, got 1"),
        (["clean", "--frobnicate"], "no such option: --frobnicate"),
        (["frobnicate"], "no such command 'frobnicate' (see 'paysieve --help')"),
        (["train", "x"], "missing option '--output' / '-o'"),
        (["clean", "a", "--output", "o", "--output-dir", "d"], "use either --output or"),
        (["clean", "-", "--output-dir", "d"], "--output-dir needs input files, not stdin"),
        (["clean", "a", "--in-place", "--output-dir", "d"], "--in-place and --output-dir"),
    ],
)
def test_usage_errors_are_one_plain_line_with_exit_2(args, line):
    result = run(*args, input="")
    assert result.exit_code == EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr.startswith("paysieve: error: ") and result.stderr.count("\n") == 1
    assert line in result.stderr
    assert "Input should" not in result.stderr and "╭" not in result.stderr


def test_help_shows_real_metavars_and_lists_the_kinds():
    from paysieve.labels import KIND_GROUPS, KINDS

    help_text = run("clean", "--help").stdout
    assert help_text.startswith("Usage: paysieve clean [OPTIONS] [FILE]...\n")
    for shown in ("-o, --output PATH", "--output-dir DIR", "--input-dir DIR", "-t, --threshold P",
                  "-m, --model PATH", "--input-format [auto|text|jsonl|json|html]",
                  "--drop KINDS", "-j, --jobs N", "\n  --strict  "):  # fmt: skip
        assert shown in help_text, shown
    assert "<bool>" not in help_text and "<str>" not in help_text and "{file}" not in help_text
    flat = " ".join(help_text.split())
    assert all(kind in flat for kind in KINDS) and all(g in flat for g in KIND_GROUPS)
    for command in ("train", "evaluate"):  # a required argument, not "{PATH}..."
        usage = run(command, "--help").stdout.splitlines()[0]
        assert usage == f"Usage: paysieve {command} [OPTIONS] PATH..."
        assert "<list[Path]>" not in run(command, "--help").stdout
    predict_help = run("predict", "--help").stdout
    assert "-f, --format [text|tsv|jsonl]" in predict_help
    assert "--color / --no-color" in predict_help


def test_input_formats_of_the_cli_are_the_readers():
    from paysieve.inference.cli.options import INPUT_FORMATS

    from paysieve.documents import reading

    assert INPUT_FORMATS == reading.INPUT_FORMATS


# JSON documents


RECORDS = [
    {"id": "a", "text": TEXT, "keep": [1, 2]},
    {"id": "b", "lines": (NAV + TEXT).splitlines()},
]


def test_a_json_array_or_one_pretty_record_is_read_as_records(tmp_path, small_model_path):
    lines = write(tmp_path / "records.jsonl", "".join(json.dumps(r) + "\n" for r in RECORDS))
    array = write(tmp_path / "records.json", json.dumps(RECORDS, indent=2))
    for command in (["predict", "-f", "jsonl"], ["clean"]):
        expected = run(*command, lines, "-m", small_model_path)
        assert expected.exit_code == 0 and len(expected.stdout.splitlines()) == 2
        assert run(*command, array, "-m", small_model_path).stdout == expected.stdout
        piped = run(*command, "-m", small_model_path, input=array.read_text())  # by content
        assert piped.stdout == expected.stdout
    as_json_name = write(tmp_path / "lines.json", lines.read_text())  # JSON Lines as .json
    assert run("clean", as_json_name, "-m", small_model_path).stdout == expected.stdout
    one = write(tmp_path / "one.txt", json.dumps(RECORDS[1], indent=1))  # named .txt: content
    first_of_two = run("clean", lines, "-m", small_model_path).stdout.splitlines()[1]
    assert run("clean", one, "-m", small_model_path).stdout == first_of_two + "\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", '[{"text": "a"},', "bad.json: not valid JSON"),
        ("bad.json", '"just a string"', "must be an array of records or one record"),
        ("bad.json", '[{"text": "a"}, 3]', "bad.json[1]: a record must be a JSON object"),
        ("pretty.jsonl", json.dumps(RECORDS[0], indent=2), "--input-format json reads it"),
    ],
)
def test_json_that_is_not_records_is_refused_clearly(
    tmp_path, small_model_path, name, content, message
):
    path = write(tmp_path / name, content)
    result = run("clean", path, "-o", tmp_path / "out.jsonl", "-m", small_model_path)
    assert result.exit_code == EXIT_INPUT
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_bad_items_of_a_json_array_can_be_skipped(tmp_path, small_model_path):
    path = write(tmp_path / "mixed.json", json.dumps([RECORDS[0], 3, {"x": 1}, RECORDS[1]]))
    result = run("clean", path, "--on-error", "skip", "--allow-skips", "-m", small_model_path)
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["a", "b"]
    assert "skipped 2 of 4 records" in result.stderr and "mixed.json[2]" in result.stderr


# Empty results


def test_an_empty_result_is_said_on_stderr_unless_quiet(tmp_path, small_model_path):
    page = write(tmp_path / "page.txt", TEXT)
    result = run("clean", page, "-t", "0", "-m", small_model_path)
    assert (result.exit_code, result.stdout) == (0, "")
    n = len(TEXT.splitlines())
    assert result.stderr == (
        f"paysieve: warning: {page}: nothing kept: all {n} lines are boilerplate\n"
    )
    quiet = run("clean", page, "-t", "0", "-q", "-m", small_model_path)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    kept = run("clean", page, "-m", small_model_path)
    assert kept.stderr == "" and kept.stdout

    empty = write(tmp_path / "empty.txt", "")
    result = run("predict", empty, "-f", "jsonl", "-m", small_model_path)
    assert result.exit_code == 0
    assert result.stderr == f"paysieve: warning: {empty}: no text to label (empty input)\n"
    folder = tmp_path / "nothing"
    folder.mkdir()
    result = run("clean", "--input-dir", folder, "-m", small_model_path)
    assert result.exit_code == 0
    assert result.stderr == f"paysieve: warning: {folder}: no files to read\n"


def test_info_lists_the_kinds_and_their_groups(small_model_path):
    from paysieve.labels import KIND_GROUPS

    result = run("info", "-m", small_model_path)
    assert result.exit_code == 0, result.output
    groups = [line for line in result.stdout.splitlines() if line.startswith("kind groups")]
    assert groups == [
        "kind groups (for --drop / --keep): "
        + "; ".join(f"{g} = {', '.join(kinds)}" for g, kinds in KIND_GROUPS.items())
    ]
    assert "subscription = paywall, pricing, account, newsletter" in groups[0]
    as_json = json.loads(run("info", "-m", small_model_path, "--json").stdout)
    assert as_json["kind_groups"]["links"] == ["navigation", "related"]


def test_drop_and_keep_take_kind_groups(small_model_path):
    page = NAV + TEXT
    by_kinds = run("clean", "--drop", "paywall,pricing,account,newsletter", "-m",
                   small_model_path, input=page)  # fmt: skip
    by_group = run("clean", "--drop", "subscription", "-m", small_model_path, input=page)
    assert by_group.exit_code == 0 and by_group.stdout == by_kinds.stdout
    assert by_group.stdout.startswith(NAV) and "Subscribe now" not in by_group.stdout
    kept = run("clean", "--keep", "links", "-m", small_model_path, input=page)
    assert kept.stdout.startswith(NAV) and "Subscribe now" not in kept.stdout


def test_a_named_pipe_is_read_once(tmp_path, small_model_path):
    """Inputs are checked without being opened: a pipe opened twice loses its data."""
    import os
    import subprocess
    import sys
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as fh:
            fh.write(TEXT)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    command = [sys.executable, "-m", "paysieve", "clean", str(fifo), "-m", str(small_model_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == run("clean", "-", "-m", small_model_path, input=TEXT).stdout
