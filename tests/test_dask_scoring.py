import gzip
import json
import subprocess
import sys

import dask
import dask.bag as db
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from paysieve.inference import dask_scoring
from paysieve.inference.cli import app
from paysieve.inference.dask_scoring import score_bag, score_dataframe, score_frame, score_records
from typer.testing import CliRunner

from paysieve import Detector, InputError
from paysieve.labels import UnknownKindError

ARTICLE = [
    "The central library reopened on Monday after six months of repairs.",
    "Staff moved more than twenty thousand books to a warehouse.",
    '"We are thrilled to welcome readers back," said the head librarian.',
]
TAIL = ["Subscribe now", "Already a subscriber? Sign in", "Share", "Home"]


def records(n: int) -> list[dict]:
    """Records of varying length, half given as lines and half as text."""
    out = []
    for i in range(n):
        lines = TAIL[: i % 3] + ARTICLE[: i % 3 + 1] + [f"Story {i} ends here.", *TAIL[i % 4 :]]
        if i % 2:
            out.append({"id": f"doc-{i}", "text": "\n".join(lines) + "\n"})
        else:
            out.append({"id": f"doc-{i}", "lines": lines})
    return out


def expected(detector: Detector, batch: list[dict]) -> list[tuple]:
    """(labels, scores, kept lines, cleaned text) of each record, from the Detector."""
    if "lines" in batch[0]:
        preds = detector.predict_many(r["lines"] for r in batch)
        return [(p.labels, p.scores.tolist(), p.kept_lines, "\n".join(p.kept_lines)) for p in preds]
    preds = detector.predict_texts(r["text"] for r in batch)
    return [(p.labels, p.scores.tolist(), p.kept_lines, p.text) for p in preds]


@pytest.fixture(scope="module")
def client():
    """A real local cluster: two single-threaded worker processes."""
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c) as cl,
    ):
        yield cl


def test_dataframe_on_two_workers_matches_one_process(client, small_model_path):
    detector = Detector(small_model_path)
    for field in ("lines", "text"):
        frame = pd.DataFrame([r for r in records(24) if field in r])
        reference = expected(detector, frame.to_dict("records"))
        with dask.config.set({"dataframe.convert-string": False}):  # keep lists as lists
            ddf = dd.from_pandas(frame, npartitions=6)
            predicted = score_dataframe(ddf, str(small_model_path)).compute(scheduler=client.get)
            cleaned = score_dataframe(ddf, str(small_model_path), mode="clean").compute(
                scheduler=client.get
            )
        assert list(predicted["id"]) == list(cleaned["id"]) == list(frame["id"])
        rows = zip(predicted.iterrows(), cleaned.iterrows(), reference)
        for (_, row), (_, clean_row), (labels, scores, kept, clean) in rows:
            assert row["labels"] == labels
            assert row["scores"] == [round(s, 4) for s in scores]
            assert [k is None for k in row["kinds"]] == [x == "content" for x in labels]
            assert set(row["paywall"]) >= {"detected", "probability", "truncated"}
            assert clean_row["text"] == clean
            if field == "lines":
                assert clean_row["lines"] == kept
        assert "Subscribe now" not in "".join(cleaned["text"])
    loads = client.run(dask_scoring.model_loads)
    assert sum(loads.values()) <= 2 < 24  # once per worker process, not once per partition


def write_corpus(folder, corpus: list[dict]) -> list:
    """The records in two gzipped JSON Lines files (blank lines between records)."""
    folder.mkdir()
    paths = []
    for part in range(2):
        paths.append(folder / f"c{part}.jsonl.gz")
        with gzip.open(paths[-1], "wt", encoding="utf-8") as fh:
            for record in corpus[part * 10 : part * 10 + 10]:
                fh.write(json.dumps(record) + "\n\n")
    return paths


def read_parts(folder) -> bytes:
    """The part files of a Dask output folder, decompressed and joined in name order."""
    return b"".join(gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("part-*.jsonl.gz")))


@pytest.mark.parametrize("mode", ["predict", "clean"])
def test_bag_and_command_line_write_what_the_cli_writes(client, small_model_path, tmp_path, mode):
    corpus = records(20)
    corpus[3]["id"] = "Zürich-3"  # written as UTF-8, not as \u escapes
    local = score_records(corpus, small_model_path, mode=mode)
    bag = db.from_sequence(corpus, npartitions=5)
    assert score_bag(bag, str(small_model_path), mode=mode).compute(scheduler=client.get) == local

    paths = write_corpus(tmp_path / "in", corpus)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "paysieve.inference.dask_scoring", str(paths[0].parent)]
    command[-1] += "/c*.jsonl.gz"
    command += [str(out), "--scheduler", client.scheduler.address, "--mode", mode]
    subprocess.run([*command, "--model", str(small_model_path)], check=True)
    cli = ["predict", "-f", "jsonl"] if mode == "predict" else ["clean"]
    result = CliRunner().invoke(app, [*cli, *map(str, paths), "-m", str(small_model_path)])
    assert result.exit_code == 0, result.output
    assert read_parts(out) == result.stdout_bytes
    assert '"id": "Zürich-3"'.encode() in result.stdout_bytes
    assert [json.loads(line) for line in result.stdout.splitlines()] == local


def test_html_records_are_cleaned_as_the_cli_cleans_them(small_model_path, tmp_path):
    pytest.importorskip("selectolax")
    page = "<html><body><article>" + "".join(f"<p>{x}</p>" for x in ARTICLE) + "</article>"
    record = {"id": "page", "html": page + "<footer><p>Subscribe now</p></footer></body></html>"}
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    model = ["-m", str(small_model_path)]
    for mode, cli in (("clean", ["clean"]), ("predict", ["predict", "-f", "jsonl"])):
        (scored,) = score_records([record], small_model_path, mode=mode)
        result = CliRunner().invoke(app, [*cli, str(path), *model])
        assert json.loads(result.stdout) == scored
    assert scored["lines"][: len(ARTICLE)] == ARTICLE


def _plain(value):
    """``value`` with numpy arrays turned into lists, in dicts and lists too."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("mode", ["predict", "clean"])
def test_parquet_lines_columns_are_read_back_as_documents(client, small_model_path, tmp_path, mode):
    frame = pd.DataFrame([r for r in records(8) if "lines" in r])
    frame.to_parquet(tmp_path / "in.parquet")
    dask_scoring.main(
        [
            str(tmp_path / "in.parquet"),
            str(tmp_path / "out"),
            "--scheduler",
            client.scheduler.address,
            "--model",
            str(small_model_path),
            "--mode",
            mode,
        ]
    )
    got = pd.read_parquet(tmp_path / "out")
    local = score_frame(frame, small_model_path, mode=mode)
    assert list(got.columns) == list(local.columns)
    assert list(got["id"]) == list(local["id"])
    if mode == "predict":
        assert [list(x) for x in got["labels"]] == list(local["labels"])
        assert [list(x) for x in got["kinds"]] == list(local["kinds"])
        # Parquet hands nested lists (the verdict's evidence) back as numpy arrays.
        assert [_plain(v) for v in got["paywall"]] == list(local["paywall"])
    else:
        assert list(got["text"]) == list(local["text"])
        assert [list(x) for x in got["lines"]] == list(local["lines"])


def test_empty_partitions_bad_modes_and_records_without_a_document(small_model_path):
    assert score_records([], small_model_path) == []
    empty = score_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}), small_model_path)
    assert list(empty.columns) == ["text", "labels", "scores", "kinds", "paywall"]
    assert empty.empty
    cleaned = score_frame(pd.DataFrame({"lines": [[]]}), small_model_path, mode="clean")
    assert list(cleaned.columns) == ["lines", "text"] and cleaned["text"][0] == ""
    with pytest.raises(InputError, match="doc-x: record has no 'lines'"):
        score_records([{"id": "doc-x", "body": "no lines"}], small_model_path)
    with pytest.raises(InputError, match="no 'lines' or 'text' column"):
        score_frame(pd.DataFrame({"body": ["x"]}), small_model_path)
    with pytest.raises(InputError, match="convert-string"):
        score_frame(pd.DataFrame({"lines": ["['a', 'b']"]}), small_model_path)
    with pytest.raises(InputError, match="unknown mode 'tidy'"):
        score_records(records(1), small_model_path, mode="tidy")
    with pytest.raises(UnknownKindError, match="paywal"):
        score_records(records(1), small_model_path, mode="clean", drop="paywal")
