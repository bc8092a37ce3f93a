"""Clean a Hugging Face ``datasets.Dataset`` with ``map(batched=True)``.

Run from the repository: ``python examples/hf_datasets.py``. Each process loads the model
on its first batch and keeps it; ``map(..., num_proc=N)`` works the same way.
"""

from __future__ import annotations

from functools import cache

from datasets import Dataset
from paysieve import Detector


@cache
def detector() -> Detector:
    """This process's model, loaded on first use (never pickled into the workers)."""
    return Detector()


def clean_batch(batch: dict[str, list]) -> dict[str, list]:
    """A batch of documents with their text cleaned and the paywall verdict added."""
    predictions = detector().predict_texts(batch["text"])
    return {
        "text": [p.text for p in predictions],
        "paywalled": [p.paywall.detected for p in predictions],
    }


def clean_dataset(dataset: Dataset) -> Dataset:
    """``dataset`` cleaned, without the documents left with fewer than 200 characters."""
    cleaned = dataset.map(clean_batch, batched=True, batch_size=256)
    return cleaned.filter(lambda doc: len(doc["text"]) >= 200)


if __name__ == "__main__":
    corpus = Dataset.from_json("examples/corpus.jsonl")
    for doc in clean_dataset(corpus):
        print(doc["id"], "paywalled" if doc["paywalled"] else "free", doc["text"].splitlines()[0])
