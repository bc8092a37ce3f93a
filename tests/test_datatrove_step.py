"""The datatrove step: cleaning, the too-short filter, metadata, and one model load per process.

The corpus is written by each test; pipelines run on datatrove's LocalPipelineExecutor.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from paysieve.inference.dask_scoring import model_loads
from paysieve.inference.datatrove_step import PAYWALL, REMOVED_SHARE, PaysieveCleaner
from paysieve.model.persistence import default_model_path

from paysieve.labels import UnknownKindError

ARTICLE = [
    "River ferry returns after winter repairs",
    "The passenger ferry between Northbank and the old quay resumed service on Monday after "
    "three months in dry dock.",
    "Engineers replaced both engines and the ramp, which had been damaged by ice in January.",
]
PAYWALL_TAIL = [
    "You have reached your limit of free articles.",
    "Subscribe to continue reading",
    "Subscribe now",
    "Already a subscriber? Sign in",
]
FREE = (
    "Bakery wins regional award for its rye bread\n"
    "A family bakery in Eastmoor has won the regional bread award for the second year running.\n"
    "The judges praised the sourdough rye, which the bakery makes with flour from a mill two "
    "miles away.\n"
    "Owner Marta Kowalski said the prize belonged to her night shift, who start work at three "
    "in the morning.\n"
)
CORPUS = [
    {"id": "paywalled", "text": "\n".join(ARTICLE + PAYWALL_TAIL) + "\n"},
    {"id": "landing", "text": "Subscribe\nChoose your plan\n£1 for the first 3 months\n"},
    {"id": "free", "text": FREE},
]
SHARE_BAR = ["Share on Facebook", "Share on X"]


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def read_jsonl(folder: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def run_pipeline(tmp_path: Path, step: PaysieveCleaner, tasks: int = 1, workers: int = 1):
    LocalPipelineExecutor(
        [
            JsonlReader(str(tmp_path / "in")),
            step,
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=tasks,
        workers=workers,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    return read_jsonl(tmp_path / "out")


def test_cleans_text_records_removed_share_and_verdict_and_drops_short_documents(tmp_path):
    write_jsonl(tmp_path / "in" / "corpus.jsonl", CORPUS)
    excluded = JsonlWriter(str(tmp_path / "excluded"), compression=None)
    out = run_pipeline(tmp_path, PaysieveCleaner(min_chars=100, exclusion_writer=excluded))

    assert [r["id"] for r in out] == ["paywalled", "free"]
    paywalled, free = out
    assert paywalled["text"] == "\n".join(ARTICLE) + "\n"
    original = len(CORPUS[0]["text"])
    assert paywalled["metadata"][REMOVED_SHARE] == pytest.approx(
        1 - len(paywalled["text"]) / original, abs=1e-4
    )
    assert paywalled["metadata"][PAYWALL]["detected"] is True
    assert paywalled["metadata"][PAYWALL]["truncated"] is True
    assert free["text"] == FREE
    assert free["metadata"][REMOVED_SHARE] == 0.0
    assert free["metadata"][PAYWALL]["detected"] is False
    # The subscription page is all boilerplate: nothing is left, so it is dropped, and the
    # exclusion writer gets it with what was measured.
    [landing] = read_jsonl(tmp_path / "excluded")
    assert landing["id"] == "landing"
    assert "text" not in landing  # datatrove's writers leave out empty fields
    assert landing["metadata"][REMOVED_SHARE] == 1.0


def test_min_chars_zero_keeps_every_document():
    documents = [Document(text=r["text"], id=r["id"]) for r in CORPUS]
    out = list(PaysieveCleaner().run(iter(documents)))
    assert [d.id for d in out] == ["paywalled", "landing", "free"]
    assert out[1].text == ""


@pytest.mark.parametrize(
    "options", [{"drop": "subscription"}, {"keep": "social"}, {"keep": ["share", "comments"]}]
)
def test_drop_and_keep_take_kinds_and_groups(options):
    text = "\n".join(SHARE_BAR + ARTICLE[1:] + PAYWALL_TAIL[:2]) + "\n"
    [doc] = PaysieveCleaner(**options).run(iter([Document(text=text, id="mixed")]))
    assert doc.text == "\n".join(SHARE_BAR + ARTICLE[1:]) + "\n"


def test_bad_parameters_are_refused_when_the_pipeline_is_built():
    with pytest.raises(UnknownKindError, match="paywal"):
        PaysieveCleaner(drop="paywal")
    with pytest.raises(ValueError, match="threshold"):
        PaysieveCleaner(threshold=2.0)
    with pytest.raises(ValueError, match="min_chars"):
        PaysieveCleaner(min_chars=-1)


def test_model_is_loaded_once_per_process_and_never_when_pickled(tmp_path):
    # A model path of its own, so that no earlier test has loaded it in this process.
    model = tmp_path / "model.joblib"
    shutil.copyfile(default_model_path(), model)
    for part in range(3):
        write_jsonl(tmp_path / "in" / f"part{part}.jsonl", [CORPUS[0] | {"id": f"p{part}"}])
    step = PaysieveCleaner(model_path=model, batch_size=1)
    loads = model_loads()

    assert len(pickle.dumps(step)) < 20_000  # what datatrove ships to each task
    assert model_loads() == loads
    # Three tasks in this process: datatrove deep-copies the pipeline for each one.
    out = run_pipeline(tmp_path, step, tasks=3)

    assert sorted(r["id"] for r in out) == ["p0", "p1", "p2"]
    assert all(r["text"] == "\n".join(ARTICLE) + "\n" for r in out)
    assert model_loads() == loads + 1


def test_two_worker_processes_give_the_one_process_result(tmp_path):
    for part, record in enumerate(CORPUS):
        write_jsonl(tmp_path / "in" / f"part{part}.jsonl", [record])
    out = run_pipeline(tmp_path, PaysieveCleaner(min_chars=100), tasks=2, workers=2)
    by_id = {r["id"]: r for r in out}
    assert sorted(by_id) == ["free", "paywalled"]
    assert by_id["paywalled"]["text"] == "\n".join(ARTICLE) + "\n"
    assert by_id["free"]["text"] == FREE
