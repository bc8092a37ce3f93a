"""Every command-line option checked by what it does to the output, not only that the
command runs: a threshold moves lines between kept and removed, --drop removes exactly
those kinds, --errors lists the worst pages in order, the plot holds the curves, each
output format writes what it promises.

Where the expected value needs the model's scores, they come from `predict --format
jsonl` on the same lines (another command than the one under test) and the expected
output is derived from them by hand-written rules; elsewhere the labels are chosen so
that the answer is known without the model (a threshold of 0 removes every line).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import numpy as np
import pytest
from paysieve.inference.cli import app
from paysieve.training.compose import is_heldout
from typer.testing import CliRunner

REPO = Path(__file__).parents[1]
runner = CliRunner()
PAGE = [
    "Home",
    "News",
    "The central library reopened on Monday after six months of repairs to its basement.",
    "Photo: staff",
    "The mayor said so.",
    "Staff moved more than twenty thousand books to a warehouse while the building dried.",
    "This article is for subscribers only.",
    "Choose your plan",
    "$4.99 per month",
    "Subscribe now",
]
TEXT = "".join(line + "\n" for line in PAGE)


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture()
def m(small_model_path):
    return ["--model", str(small_model_path)]


def predicted(m, text: str = TEXT, *options) -> dict:
    """The one record `predict --format jsonl` gives for plain text."""
    result = run("predict", "-", "-f", "jsonl", *m, *options, input=text)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    return record


def test_threshold_moves_lines_between_kept_and_removed(m):
    record = predicted(m)
    scores = record["scores"]
    levels = sorted(set(scores))
    assert len(levels) >= 3, "the page needs lines at several score levels"
    default_removed = [label == "boilerplate" for label in record["labels"]]
    seen = set()
    for low, high in itertools.pairwise(levels):
        threshold = (low + high) / 2
        removed = [s >= threshold for s in scores]
        seen.add(tuple(removed))
        labels = predicted(m, TEXT, "--threshold", threshold)["labels"]
        assert labels == ["boilerplate" if r else "content" for r in removed]
        clean = run("clean", "-", *m, "--threshold", threshold, input=TEXT)
        assert clean.stdout == "".join(f"{x}\n" for x, r in zip(PAGE, removed) if not r)
        inspect = run("inspect", "-", *m, "--threshold", threshold, input=TEXT)
        assert f"lines: {len(PAGE)}, boilerplate {sum(removed)} " in inspect.stdout
    assert len(seen - {tuple(default_removed)}) >= 1  # some threshold differs from the model's
    everything = run("clean", "-", *m, "--threshold", "0", input=TEXT)
    assert everything.exit_code == 0 and everything.stdout == ""


def test_drop_removes_exactly_those_kinds_and_keep_spares_exactly_those(m):
    record = predicted(m)
    kinds = record["kinds"]
    present = {k for k in kinds if k}
    assert {"navigation", "paywall"} <= present and len(present) >= 3
    single = {}
    for kind in sorted(present):
        dropped = run("clean", "-", *m, "--drop", kind, input=TEXT)
        # the safe mode removes only lines of that kind, and those the model is sure of
        single[kind] = set(PAGE) - set(dropped.stdout.splitlines())
        assert single[kind] <= {x for x, k in zip(PAGE, kinds) if k == kind}
        kept = run("clean", "-", *m, "--keep", kind, input=TEXT)
        assert kept.stdout == "".join(f"{x}\n" for x, k in zip(PAGE, kinds) if k in (None, kind))
    both = run("clean", "-", *m, "--drop", "navigation,paywall", input=TEXT)
    gone = set(PAGE) - set(both.stdout.splitlines())
    # several kinds pool their probability: at least what each removes alone, and a line
    # split between them may go too, but never an article line
    assert single["navigation"] | single["paywall"] <= gone
    assert gone <= {x for x, label in zip(PAGE, record["labels"]) if label == "boilerplate"}
    assert "Home" in gone and gone & {x for x, k in zip(PAGE, kinds) if k == "paywall"}


def test_clean_keeps_only_the_kept_lines_of_records_given_as_lines(m):
    records = [{"id": "a", "lines": PAGE, "extra": 1}, {"id": "b", "lines": PAGE[2:6]}]
    payload = "".join(json.dumps(r) + "\n" for r in records)
    labels = [predicted(m, "".join(f"{x}\n" for x in r["lines"]))["labels"] for r in records]
    result = run("clean", "-", *m, input=payload)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    for record, got, page_labels in zip(records, out, labels):
        kept = [x for x, label in zip(record["lines"], page_labels) if label == "content"]
        assert got["lines"] == kept and got["text"] == "\n".join(kept)
    assert "Subscribe now" not in out[0]["lines"] and len(out[0]["lines"]) < len(PAGE)
    assert out[0]["extra"] == 1 and [r["id"] for r in out] == ["a", "b"]


def test_tsv_escapes_tabs_and_backslashes_so_every_row_has_six_fields(m):
    text = "Price\tlist \\ old\nA plain line of the article, nothing special.\n"
    result = run("predict", "-", "-f", "tsv", *m, input=text)
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["doc", "line", "label", "score", "kind", "text"]
    fields = [row.split("\t") for row in rows]
    assert [len(f) for f in fields] == [6, 6]
    assert fields[0][5] == "Price\\tlist \\\\ old"
    assert [f[:2] for f in fields] == [["0", "0"], ["0", "1"]]


def test_text_format_heads_each_record_with_its_id_and_plain_text_with_nothing(m):
    records = [{"id": "first", "lines": PAGE[:3]}, {"id": 7, "text": "Subscribe now\n"}]
    payload = "".join(json.dumps(r) + "\n" for r in records)
    result = run("predict", "-", *m, "--no-color", input=payload)
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert [i for i, row in enumerate(rows) if row.startswith("== ")] == [0, 4]
    assert rows[0] == "== first" and rows[4] == "== 7"
    assert all(re.match(r"[+-] \d\.\d\d ", row) for i, row in enumerate(rows) if i not in (0, 4))
    plain = run("predict", "-", *m, input=TEXT)
    assert not any(row.startswith("==") for row in plain.stdout.splitlines())
    assert [row.split()[-1] for row in plain.stdout.splitlines()][:2] == ["Home", "News"]


def test_jsonl_scores_are_rounded_to_four_decimals(m, small_model_path):
    from paysieve import Detector

    exact = Detector(small_model_path).predict_lines(PAGE).scores
    assert any(round(float(s), 4) != float(s) for s in exact), "need scores with more digits"
    written = predicted(m)["scores"]
    assert written == [round(float(s), 4) for s in exact]


def test_color_marks_removed_lines_only_when_asked(m):
    coloured = run("predict", "-", *m, "--color", input=TEXT).stdout
    assert "\x1b[" in coloured and "\x1b[9m" in coloured  # strikethrough on removed lines
    for args in (["--no-color"], []):  # the default: no colour when not on a terminal
        assert "\x1b[" not in run("predict", "-", *m, *args, input=TEXT).stdout
    assert "\x1b[" in run("inspect", "-", *m, "--color", input=TEXT).stdout
    assert "\x1b[" not in run("inspect", "-", *m, "--no-color", input=TEXT).stdout


def _stderr_on_a_terminal(args: list[str]) -> str:
    """What the command writes to stderr when stderr is a terminal."""
    leader, follower = pty.openpty()
    # a wide terminal, so that the bar's text is not cut to fit
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 400, 0, 0))
    command = [sys.executable, "-m", "paysieve", *args]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_quiet_silences_the_progress_bar_on_a_terminal(small_model_path, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(TEXT, encoding="utf-8")
    args = ["predict", str(page), "-m", str(small_model_path), "-o", str(tmp_path / "o")]
    assert f"{page}: 1 rec" in _stderr_on_a_terminal(args)  # the bar names input and count
    assert _stderr_on_a_terminal([*args, "--quiet"]) == ""


def test_input_format_overrides_what_the_content_looks_like(m):
    record = json.dumps({"id": 1, "text": "Subscribe now"}) + "\n"
    as_jsonl = run("predict", "-", "-f", "jsonl", *m, input=record)
    assert json.loads(as_jsonl.stdout)["text"] == "Subscribe now"
    as_text = run("predict", "-", "-f", "jsonl", *m, "--input-format", "text", input=record)
    assert json.loads(as_text.stdout)["lines"] == [record.strip()]
    forced = run("predict", "-", *m, "--input-format", "jsonl", input=TEXT)
    assert forced.exit_code == 2 and "<stdin>:1: not valid JSON" in forced.output


# Labelled pages for `evaluate`: with --threshold 0 every line is removed, so a page's
# errors are its content lines, whatever the model.
PAGES = {
    "few": ["content", "boilerplate", "boilerplate"],
    "most": ["content"] * 5 + ["boilerplate"],
    "none": ["boilerplate", "boilerplate"],
    "some": ["content", "content", "content", None, "boilerplate"],
}


@pytest.fixture()
def labelled(tmp_path) -> Path:
    path = tmp_path / "labelled.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for name, labels in PAGES.items():
            lines = [f"Line {k} of the {name} page, a sentence." for k in range(len(labels))]
            fh.write(json.dumps({"id": name, "lines": lines, "labels": labels}) + "\n")
    return path


def test_evaluate_threshold_and_errors_list_the_worst_pages_in_order(m, labelled):
    report = run("evaluate", labelled, *m, "--threshold", "0", "--json")
    metrics = json.loads(report.stdout)[str(labelled)]
    assert metrics["confusion"] == [[0, 9], [0, 6]]
    assert metrics["boilerplate"]["precision"] == pytest.approx(6 / 15)
    assert metrics["content"]["recall"] == 0.0

    def listed(n: int) -> list[tuple[str, int, int]]:
        result = run("evaluate", labelled, *m, "--threshold", "0", "--errors", n)
        assert result.exit_code == 0, result.output
        heads = re.findall(r"^(\w+): (\d+) errors of (\d+) scored lines$", result.stdout, re.M)
        return [(name, int(e), int(s)) for name, e, s in heads]

    assert listed(2) == [("most", 5, 6), ("some", 3, 4)]
    assert listed(10) == [("most", 5, 6), ("some", 3, 4), ("few", 1, 3)]
    assert listed(0) == []
    result = run("evaluate", labelled, *m, "--threshold", "0", "--errors", "1")
    wrong = re.findall(r"^  line (\d+): gold (\w+), .*: (.*)$", result.stdout, re.M)
    assert wrong == [
        (str(k), "content", f"Line {k} of the most page, a sentence.") for k in range(5)
    ]


def test_the_plot_draws_both_curves_from_the_scores(tmp_path, monkeypatch):
    """The curves' data, read back from the matplotlib figure, against hand-worked points."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from paysieve.training.evaluation_plot import plot_scores

    figures = []
    savefig = Figure.savefig
    monkeypatch.setattr(
        Figure, "savefig", lambda fig, *a, **k: figures.append(fig) or savefig(fig, *a, **k)
    )
    y = np.array([1, 0, 1, 0, -1])  # the unknown line is left out
    s = np.array([0.9, 0.2, 0.6, 0.4, 0.5])
    plot_scores(y, s, 0.5, tmp_path / "curves.png")
    (fig,) = figures
    pr, calibration = fig.axes
    # From the top score down: 0.9 (B) 0.6 (B) 0.4 (C) 0.2 (C)
    curve, marker = pr.lines
    np.testing.assert_allclose(curve.get_xdata(), [0.5, 1, 1, 1])  # recall
    np.testing.assert_allclose(curve.get_ydata(), [1, 1, 2 / 3, 1 / 2])  # precision
    np.testing.assert_allclose(marker.get_xydata(), [[1, 1]])  # at the split nearest 0.5
    diagonal, observed = calibration.lines
    np.testing.assert_allclose(observed.get_xdata(), [0.2, 0.4, 0.6, 0.9])  # one line per bin
    np.testing.assert_allclose(observed.get_ydata(), [0, 0, 1, 1])
    np.testing.assert_allclose(diagonal.get_xydata(), [[0, 0], [1, 1]])


PAGE_LABELS = ["boilerplate"] * 2 + ["content"] * 4 + ["boilerplate"] * 4  # PAGE's gold


def test_evaluate_plot_png_shows_the_curves(m, tmp_path):
    """The picture itself: the curves' colour on both panels and the threshold marker."""
    image = pytest.importorskip("matplotlib.image")
    labelled = tmp_path / "page.jsonl"
    record = {"id": "page", "lines": PAGE, "labels": PAGE_LABELS}
    labelled.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert len(set(predicted(m)["scores"])) >= 3  # a curve, not a point
    plot = tmp_path / "curves.png"
    result = run("evaluate", labelled, *m, "--plot", plot)
    assert result.exit_code == 0, result.output
    pixels = image.imread(plot)[:, :, :3]
    half = pixels.shape[1] // 2

    def near(colour: tuple[float, float, float], part: np.ndarray) -> int:
        return int((np.abs(part - np.array(colour)).sum(axis=2) < 0.15).sum())

    curve_blue, crimson = (0.122, 0.467, 0.706), (0.863, 0.078, 0.235)
    assert near(curve_blue, pixels[:, :half]) > 100  # the precision-recall curve
    assert near(curve_blue, pixels[:, half:]) > 100  # the calibration curve
    assert near(crimson, pixels[:, :half]) > 10  # the threshold marker


ARTICLE = ["Die Brücke wird ab Montag für drei Wochen gesperrt.", "Der Umweg ist ausgeschildert."]


@pytest.fixture()
def corpus_with_heldout_articles(tmp_path, corpus_dir) -> tuple[Path, int]:
    """The fixture corpus plus two short articles of the held-out part; returns the folder
    and the number of content lines of those two articles."""
    folder = tmp_path / "corpus"
    for part in ("articles", "boilerplate"):
        (folder / part).mkdir(parents=True)
        for path in (corpus_dir / part).iterdir():
            (folder / part / path.name).write_bytes(path.read_bytes())
    ids = [f"t-held-{i}" for i in range(1000) if is_heldout(f"t-held-{i}")][:2]
    assert len(ids) == 2
    extra = "".join(
        f"=== genre: local | id: {article_id}\n" + "\n".join(ARTICLE[: 1 + k]) + "\n"
        for k, article_id in enumerate(ids)
    )
    with (folder / "articles" / "de.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n" + extra)
    return folder, 1 + 2


def test_evaluate_part_picks_the_corpus_part(m, corpus_with_heldout_articles):
    folder, heldout_content = corpus_with_heldout_articles

    def content_lines(part: str) -> int:
        result = run("evaluate", folder, *m, "--part", part, "--threshold", "0", "--json")
        assert result.exit_code == 0, result.output
        (kept, removed), _ = json.loads(result.stdout)[str(folder)]["confusion"]
        assert kept == 0
        return removed

    # four composed pages per article, each holding its whole (short) article
    assert content_lines("heldout") == 4 * heldout_content
    assert content_lines("train") > content_lines("heldout")
    assert content_lines("all") > content_lines("train")


def test_train_options_reach_the_model_file(corpus_with_heldout_articles, tmp_path):
    folder, _ = corpus_with_heldout_articles
    model = tmp_path / "m.joblib"
    options = ["--copies", "2", "--seed", "11", "--folds", "3", "--real-weight", "0.5"]
    result = run("train", folder, "-o", model, "--part", "train", *options, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # --quiet
    meta = json.loads(run("info", "--model", model, "--json").stdout)
    assert meta["trained_on"][0]["documents"] == 2 * 6  # the six articles of the train part
    assert meta["compose"] == {"copies": 2, "seed": 11, "part": "train"}
    assert meta["cv_folds"] == 3 and meta["real_weight"] == 0.5

    chatty = run("train", folder, "-o", model, "--copies", "1", "--folds", "2")
    assert chatty.exit_code == 0, chatty.output
    assert "paysieve: cross-validation fold 2/2" in chatty.stderr
    assert "cross-validation fold 3" not in chatty.stderr
    meta = json.loads(run("info", "--model", model, "--json").stdout)
    assert meta["trained_on"][0]["documents"] == 1 * 8  # --part all: the held-out two too
