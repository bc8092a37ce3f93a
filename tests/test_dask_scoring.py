import gzip
import json
import subprocess
import sys

import dask
import dask.bag as db
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from paysieve.inference import dask_scoring
from paysieve.inference.dask_scoring import score_bag, score_dataframe, score_frame, score_records

from paysieve import Detector, InputError

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


def expected(detector: Detector, batch: list[dict]) -> list[tuple[list[str], list[float], str]]:
    """(labels, scores, cleaned text) of each record, straight from the Detector."""
    if "lines" in batch[0]:
        preds = detector.predict_many(r["lines"] for r in batch)
        return [(p.labels, p.scores.tolist(), "\n".join(p.kept_lines)) for p in preds]
    preds = detector.predict_texts(r["text"] for r in batch)
    return [(p.labels, p.scores.tolist(), p.text) for p in preds]


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
        with dask.config.set({"dataframe.convert-string": False}):  # keep lists as lists
            scored = score_dataframe(dd.from_pandas(frame, npartitions=6), str(small_model_path))
        got = scored.compute(scheduler=client.get)
        assert list(got["id"]) == list(frame["id"])
        reference = expected(detector, frame.to_dict("records"))
        for (_, row), (labels, scores, clean) in zip(got.iterrows(), reference):
            assert row["labels"] == labels
            assert row["scores"] == pytest.approx(scores)
            assert row["clean_text"] == clean
        assert "Subscribe now" not in "".join(got["clean_text"])
    loads = client.run(dask_scoring.model_loads)
    # once per worker process that scored, not once per partition (12 of them)
    assert 1 <= sum(loads.values()) <= 2 and set(loads.values()) <= {0, 1}


def test_bag_and_command_line_on_two_workers_match_one_process(client, small_model_path, tmp_path):
    corpus = records(20)
    local = score_records(corpus, small_model_path)
    bag = db.from_sequence(corpus, npartitions=5)
    assert score_bag(bag, str(small_model_path)).compute(scheduler=client.get) == local

    source = tmp_path / "in"
    source.mkdir()
    for part in range(2):
        with gzip.open(source / f"c{part}.jsonl.gz", "wt", encoding="utf-8") as fh:
            for record in corpus[part * 10 : part * 10 + 10]:
                fh.write(json.dumps(record) + "\n\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "paysieve.inference.dask_scoring", str(source / "c*.jsonl.gz")]
    command += [str(out), "--scheduler", client.scheduler.address]
    subprocess.run([*command, "--model", str(small_model_path)], check=True)
    written = []
    for path in sorted(out.glob("part-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            written += [json.loads(line) for line in fh]
    assert written == local


def test_parquet_lines_columns_are_read_back_as_documents(client, small_model_path, tmp_path):
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
        ]
    )
    got = pd.read_parquet(tmp_path / "out")
    local = score_frame(frame, small_model_path)
    assert list(got["id"]) == list(local["id"])
    assert [list(x) for x in got["labels"]] == list(local["labels"])
    assert list(got["clean_text"]) == list(local["clean_text"])


def test_a_process_loads_each_model_and_threshold_once(small_model_path):
    before = dask_scoring.model_loads()
    first = dask_scoring.cached_detector(small_model_path, 0.25)
    assert dask_scoring.cached_detector(str(small_model_path), 0.25) is first
    assert dask_scoring.model_loads() == before + 1
    other = dask_scoring.cached_detector(small_model_path, 0.75)
    assert other is not first and other.threshold == 0.75
    assert dask_scoring.model_loads() == before + 2
    records = [{"id": "a", "lines": ARTICLE + TAIL}]
    assert score_records(records, small_model_path, threshold=0.0)[0]["labels"] == (
        ["boilerplate"] * len(ARTICLE + TAIL)
    )


def test_empty_partitions_and_records_without_a_document(small_model_path):
    assert score_records([], small_model_path) == []
    empty = score_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}), small_model_path)
    assert list(empty.columns) == ["text", "labels", "scores", "clean_text"] and empty.empty
    with pytest.raises(InputError, match="doc-x: record has no 'lines'"):
        score_records([{"id": "doc-x", "body": "no lines"}], small_model_path)
    with pytest.raises(InputError, match="no 'lines' or 'text' column"):
        score_frame(pd.DataFrame({"body": ["x"]}), small_model_path)
    with pytest.raises(InputError, match="convert-string"):
        score_frame(pd.DataFrame({"lines": ["['a', 'b']"]}), small_model_path)
