"""The library API: load a model once, then label the lines of any number of documents.

>>> from inference import Detector
>>> detector = Detector()                      # the bundled default model
>>> result = detector.predict_text(text)
>>> result.labels, result.scores, result.text  # per-line labels, probabilities, cleaned text
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.errors import InputError

CONTENT, BOILERPLATE = "content", "boilerplate"


@dataclass(frozen=True)
class LinePrediction:
    """One line's verdict: its text, label, boilerplate probability and kind (if known)."""

    text: str
    label: str
    score: float
    kind: str | None = None


@dataclass(frozen=True)
class DocumentPrediction:
    """Per-line predictions of one document.

    ``endings`` holds each line's original line break (for text input), so that ``text``
    reproduces the kept lines byte for byte.
    """

    lines: tuple[str, ...]
    scores: np.ndarray
    threshold: float
    endings: tuple[str, ...] | None = None

    @property
    def is_boilerplate(self) -> np.ndarray:
        return self.scores >= self.threshold

    @property
    def labels(self) -> list[str]:
        return [BOILERPLATE if b else CONTENT for b in self.is_boilerplate]

    @property
    def kept_lines(self) -> list[str]:
        return [line for line, b in zip(self.lines, self.is_boilerplate) if not b]

    @property
    def text(self) -> str:
        """The cleaned document: kept lines with their original line breaks."""
        endings = self.endings if self.endings is not None else ("\n",) * len(self.lines)
        return "".join(
            line + end for line, end, b in zip(self.lines, endings, self.is_boilerplate) if not b
        )

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[LinePrediction]:
        for line, score, b in zip(self.lines, self.scores, self.is_boilerplate):
            yield LinePrediction(line, BOILERPLATE if b else CONTENT, float(score))


def split_text(text: str) -> tuple[list[str], list[str]]:
    """Lines of ``text`` and their line breaks (any Unicode break; "" for a last open line)."""
    parts = text.splitlines(keepends=True)
    lines = [p.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") for p in parts]
    return lines, [p[len(line) :] for p, line in zip(parts, lines)]


def _spread_to_blank_lines(scores: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Give each blank line the higher score of its nearest non-blank neighbours.

    A blank line then survives ``clean`` only between two kept lines, so paragraph breaks
    inside the article stay and those around removed blocks go.
    """
    out = np.array(scores, dtype=np.float64)
    if not blank.any():
        return out
    filled = ~blank
    if not filled.any():
        return np.ones(len(out))
    idx = np.arange(len(out))
    prev_idx = np.maximum.accumulate(np.where(filled, idx, -1))
    next_idx = np.minimum.accumulate(np.where(filled, idx, len(out))[::-1])[::-1]
    prev_score = np.where(prev_idx >= 0, out[np.clip(prev_idx, 0, None)], -np.inf)
    next_score = np.where(next_idx < len(out), out[np.clip(next_idx, None, len(out) - 1)], -np.inf)
    out[blank] = np.maximum(prev_score, next_score)[blank]
    return out


class Detector:
    """Labels lines as article content or boilerplate with a trained paysieve model.

    ``model_path`` None loads the bundled default model; ``threshold`` None uses the one
    stored in the model (raise it to keep more lines, lower it to remove more).
    """

    def __init__(self, model_path: str | Path | None = None, threshold: float | None = None):
        # Imported here: scikit-learn is only needed once a model is loaded, so that a
        # process handing documents to workers (and receiving predictions) stays light.
        from model.persistence import load_model

        self.model, self.metadata = load_model(model_path)
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise InputError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = float(self.model.threshold_ if threshold is None else threshold)

    def predict_many(self, documents: Iterable[Sequence[str]]) -> list[DocumentPrediction]:
        """Predictions for many documents (lists of lines), vectorised in one pass."""
        docs = []
        for doc in documents:
            if isinstance(doc, str):
                raise InputError("a document is a list of lines; use predict_texts for strings")
            docs.append(list(doc))
            if not all(isinstance(line, str) for line in docs[-1]):
                raise InputError("every line must be a string")
        blank = [np.array([not line.strip() for line in doc], dtype=bool) for doc in docs]
        model_docs = [[line for line, b in zip(doc, bl) if not b] for doc, bl in zip(docs, blank)]
        proba = self.model.predict_proba_lines(model_docs)
        results = []
        for doc, bl, p in zip(docs, blank, proba):
            scores = np.empty(len(doc))
            scores[~bl] = p
            results.append(
                DocumentPrediction(tuple(doc), _spread_to_blank_lines(scores, bl), self.threshold)
            )
        return results

    def predict_lines(self, lines: Sequence[str]) -> DocumentPrediction:
        """Predictions for one document given as a list of lines."""
        return self.predict_many([lines])[0]

    def predict_text(self, text: str) -> DocumentPrediction:
        """Predictions for one document given as text (split on line breaks)."""
        return self.predict_texts([text])[0]

    def predict_texts(self, texts: Iterable[str]) -> list[DocumentPrediction]:
        """Predictions for many texts, vectorised in one pass; line breaks are kept."""
        texts = list(texts)
        if not all(isinstance(t, str) for t in texts):
            raise InputError("every text must be a string")
        split = [split_text(t) for t in texts]
        results = self.predict_many(lines for lines, _ in split)
        return [
            DocumentPrediction(r.lines, r.scores, r.threshold, tuple(endings))
            for r, (_, endings) in zip(results, split)
        ]

    def clean(self, text: str) -> str:
        """``text`` with its boilerplate lines removed."""
        return self.predict_text(text).text
