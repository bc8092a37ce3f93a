"""The corpus examples that docs/scaling.md shows, run as the docs run them, on the shipped
examples/corpus.jsonl (a paywalled article, a free one, a subscription page)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

from datasets import Dataset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PAYWALL_LINES = ("You have read", "Subscribe now", "Choose your plan")


def corpus() -> list[dict]:
    text = (EXAMPLES / "corpus.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def example(name: str) -> dict:
    """The globals of an example script, without running its ``__main__`` block."""
    return runpy.run_path(str(EXAMPLES / name), run_name="example")


def check_cleaned(texts: dict[str, str]) -> None:
    """What the shipped corpus must look like cleaned: the subscription page gone, the two
    articles without their boilerplate."""
    assert sorted(texts) == ["harbour-wall", "library-hours"]
    originals = {r["id"]: r["text"] for r in corpus()}
    for doc_id, text in texts.items():
        assert 200 <= len(text) < len(originals[doc_id])
        assert not any(marker in text for marker in PAYWALL_LINES)
    assert texts["harbour-wall"].startswith("Harbour town votes to rebuild")
    assert "Share this article" not in texts["library-hours"]


def test_hf_datasets_map_example():
    clean_dataset = example("hf_datasets.py")["clean_dataset"]
    cleaned = clean_dataset(Dataset.from_list(corpus()))
    check_cleaned(dict(zip(cleaned["id"], cleaned["text"])))
    assert dict(zip(cleaned["id"], cleaned["paywalled"])) == {
        "harbour-wall": True,
        "library-hours": False,
    }


def test_datatrove_pipeline_example(tmp_path):
    clean_corpus = example("datatrove_pipeline.py")["clean_corpus"]
    clean_corpus(str(EXAMPLES), "corpus.jsonl", str(tmp_path))
    records = [
        json.loads(line)
        for path in sorted(tmp_path.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    check_cleaned({r["id"]: r["text"] for r in records})
    paywall = {r["id"]: r["metadata"]["paysieve_paywall"]["detected"] for r in records}
    assert paywall == {"harbour-wall": True, "library-hours": False}
