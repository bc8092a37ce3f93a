"""The library API: load a model once, then label the lines of any number of documents.

>>> from paysieve import Detector
>>> detector = Detector()                      # the bundled default model
>>> result = detector.predict_text(text)
>>> result.labels, result.scores, result.text  # per-line labels, probabilities, cleaned text
>>> result.kinds, result.paywall               # boilerplate kinds, document paywall verdict
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from paysieve.inference.paywall_verdict import PaywallVerdict, paywall_verdict

from paysieve.documents.html_lines import HtmlBlocks
from paysieve.errors import InputError
from paysieve.labels import (
    BOILERPLATE_NAME,
    CONTENT_NAME,
    expand_kinds,
)

KindNames = str | Iterable[str]  # kind and group names, or one comma-separated string
MODEL_LINE_CHARS = 20_000  # the model reads at most this many characters of one line
_SURROGATE = re.compile("[\ud800-\udfff]")


def model_views(documents: list[list[str]]) -> list[list[str]]:
    """``model_view`` of every line, checked a document at a time: a document's lines come
    back as they are unless one is too long or holds a lone surrogate (rare)."""
    return [doc if _readable(doc) else [model_view(line) for line in doc] for doc in documents]


def _readable(lines: list[str]) -> bool:
    """Whether the model reads every line of ``lines`` as it is."""
    if max(map(len, lines), default=0) > MODEL_LINE_CHARS:
        return False
    joined = "".join(lines)
    return joined.isascii() or not _SURROGATE.search(joined)


def model_view(line: str) -> str:
    """What the model reads of a line: at most ``MODEL_LINE_CHARS`` characters, lone
    surrogates (from JSON escapes or surrogateescape) as U+FFFD. Predictions keep the line."""
    if len(line) > MODEL_LINE_CHARS:
        line = line[:MODEL_LINE_CHARS]
    if line.isascii():
        return line
    return _SURROGATE.sub("\ufffd", line)


@dataclass(frozen=True)
class LinePrediction:
    """One line's verdict: its text, label, boilerplate probability and, for boilerplate,
    its kind and the kind's probability."""

    text: str
    label: str
    score: float
    kind: str | None = None
    kind_score: float | None = None


@dataclass(frozen=True)
class DocumentPrediction:
    """Per-line predictions of one document.

    ``endings`` holds each line's original line break (for text input), so that ``text``
    reproduces the kept lines byte for byte. ``best_kinds`` and ``kind_scores`` are the
    most likely boilerplate kind of every line and its probability (None for blank lines,
    or when the model has no kind model), ``kind_probabilities`` the probability of every
    kind; ``paywall`` is the document's paywall verdict.
    """

    lines: tuple[str, ...]
    scores: np.ndarray
    threshold: float
    endings: tuple[str, ...] | None = None
    best_kinds: tuple[str | None, ...] | None = None
    kind_scores: np.ndarray | None = None
    paywall: PaywallVerdict | None = None
    # P(kind | boilerplate) of every line, one column per name in kind_names (float32).
    kind_probabilities: np.ndarray | None = None
    kind_names: tuple[str, ...] = ()

    @property
    def is_boilerplate(self) -> np.ndarray:
        return self.scores >= self.threshold

    @property
    def labels(self) -> list[str]:
        return [BOILERPLATE_NAME if b else CONTENT_NAME for b in self.is_boilerplate]

    @property
    def kinds(self) -> list[str | None]:
        """Kind of every boilerplate line; None for content lines (and without a kind model)."""
        best = self.best_kinds or (None,) * len(self.lines)
        return [k if b else None for k, b in zip(best, self.is_boilerplate)]

    def removed(self, drop: KindNames | None = None, keep: KindNames | None = None) -> np.ndarray:
        """Which lines ``cleaned`` removes: all boilerplate by default; with ``drop``, only
        boilerplate of those kinds (``targeted_removal``: the safe mode, article lines are
        never removed); with ``keep``, all boilerplate but those kinds.

        Kinds are named by kind or by group (``paysieve.labels.KINDS``, ``KIND_GROUPS``), as a
        collection or one comma-separated string; an unknown name raises UnknownKindError.
        Choosing kinds when the model names none (it has no kind model) raises InputError.
        """
        mask = np.array(self.is_boilerplate, dtype=bool)
        if drop is None and keep is None:
            return mask
        if self.best_kinds is None:
            raise InputError(
                "drop and keep choose boilerplate by kind, and this model names no kinds "
                "(it was trained without a kind model)"
            )
        if drop is not None:
            blank = np.array([not line.strip() for line in self.lines], dtype=bool)
            mask = targeted_removal(mask, self.scores * self.kind_share(expand_kinds(drop)), blank)
        if keep is not None:
            kept = expand_kinds(keep)
            mask &= np.array([k not in kept for k in self.kinds], dtype=bool)
        return mask

    def kind_share(self, kinds: Collection[str]) -> np.ndarray:
        """Per line, P(its kind is one of ``kinds`` | it is boilerplate); from the most
        likely kind alone (1 or 0) when the prediction has no kind probabilities."""
        if self.kind_probabilities is None:
            best = self.best_kinds or (None,) * len(self.lines)
            return np.array([k in kinds for k in best], dtype=np.float64)
        columns = [i for i, name in enumerate(self.kind_names) if name in kinds]
        return self.kind_probabilities[:, columns].sum(axis=1, dtype=np.float64)

    @property
    def kept_lines(self) -> list[str]:
        return [line for line, b in zip(self.lines, self.is_boilerplate) if not b]

    def cleaned(self, drop: KindNames | None = None, keep: KindNames | None = None) -> str:
        """The document without the lines ``removed(drop, keep)`` selects, line breaks kept."""
        endings = self.endings if self.endings is not None else ("\n",) * len(self.lines)
        gone = self.removed(drop, keep)
        return "".join(line + end for line, end, g in zip(self.lines, endings, gone) if not g)

    @property
    def text(self) -> str:
        """The cleaned document: kept lines with their original line breaks."""
        return self.cleaned()

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[LinePrediction]:
        kind_scores = self.kind_scores if self.kind_scores is not None else [None] * len(self)
        for line, score, b, kind, kind_score in zip(
            self.lines, self.scores, self.is_boilerplate, self.kinds, kind_scores
        ):
            yield LinePrediction(
                line,
                BOILERPLATE_NAME if b else CONTENT_NAME,
                float(score),
                kind,
                None if kind is None or kind_score is None else float(kind_score),
            )


# Inside the article's span (before its last kept line), ``--drop`` asks for more evidence:
# a line there that mentions a price or a newsletter is more often article than not.
INSIDE_ARTICLE_CUT = 0.8


def targeted_removal(
    is_boilerplate: np.ndarray, dropped_probability: np.ndarray, blank: np.ndarray
) -> np.ndarray:
    """The lines ``clean --drop`` removes: the non-blank boilerplate lines that are more
    likely than not boilerplate of a dropped kind (``dropped_probability``: P(boilerplate)
    x P(kind is dropped | boilerplate) >= 0.5; before the last kept non-blank line, inside
    the article, >= ``INSIDE_ARTICLE_CUT``), and the blank lines next to them. Every other
    line stays: the article, boilerplate of other kinds, uncertain lines, and a blank line
    between two kept lines, so a removed run leaves its article neighbours and their
    paragraph breaks as they were."""
    kept = np.flatnonzero(~is_boilerplate & ~blank)
    cut = np.full(len(blank), 0.5)
    if len(kept):
        cut[: kept[-1]] = INSIDE_ARTICLE_CUT
    chosen = is_boilerplate & ~blank & (dropped_probability >= cut)
    return _spread_to_blank_lines(chosen.astype(np.float64), blank) >= 0.5


def _unblank(rows: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """The rows of the lines that are not ``blank`` (``rows`` itself when none is: an HTML
    page has no blank lines, and its arrays can be large)."""
    return rows[~blank] if blank.any() else rows


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
        # Imported here: the model's modules are only needed once a model is loaded, so
        # that a process handing documents to workers (and receiving predictions) stays light.
        from paysieve.model.persistence import load_model

        self.model_path = model_path
        self.model, self.metadata = load_model(model_path)
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise InputError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = float(self.model.threshold_ if threshold is None else threshold)

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """The boilerplate kinds this model names (empty without a kind model)."""
        return tuple(str(k) for k in self.model.kind_classes_)

    def predict_many(self, documents: Iterable[Sequence[str]]) -> list[DocumentPrediction]:
        """Predictions for many documents (lists of lines), vectorised in one pass."""
        docs = []
        for doc in documents:
            if isinstance(doc, str):
                raise InputError("a document is a list of lines; use predict_texts for strings")
            docs.append(list(doc))
            if not all(isinstance(line, str) for line in docs[-1]):
                raise InputError("every line must be a string")
        return self._predict(docs)

    def predict_blocks(self, pages: Iterable[HtmlBlocks]) -> list[DocumentPrediction]:
        """Predictions for HTML pages already turned into block lines with their structure
        (``paysieve.documents.html_lines.html_blocks``); the model's HTML stage, when it has
        one, reads the structure."""
        pages = list(pages)
        return self._predict([list(p.lines) for p in pages], pages)

    def _predict(
        self, docs: list[list[str]], pages: list[HtmlBlocks] | None = None
    ) -> list[DocumentPrediction]:
        blank = [np.array([not line.strip() for line in doc], dtype=bool) for doc in docs]
        model_docs = model_views(
            [[line for line, b in zip(doc, bl) if not b] for doc, bl in zip(docs, blank)]
        )
        html = None
        if pages is not None:
            html = [
                (_unblank(p.structure, bl), _unblank(p.container, bl))
                for p, bl in zip(pages, blank)
            ]
        outputs = self.model.score_documents(model_docs, html=html)
        return [self._prediction(doc, bl, out) for doc, bl, out in zip(docs, blank, outputs)]

    def _prediction(self, doc: list[str], blank: np.ndarray, out) -> DocumentPrediction:
        """One document's prediction from the model's output for its non-blank lines."""
        lines = tuple(doc)
        scores = np.empty(len(doc))
        scores[~blank] = out.proba
        scores = _spread_to_blank_lines(scores, blank)
        if out.kind_proba is None:
            return DocumentPrediction(lines, scores, self.threshold)
        names = self.kinds
        best = np.full(len(doc), -1)
        best[~blank] = out.kind_proba.argmax(axis=1)
        kind_scores = np.zeros(len(doc))
        kind_scores[~blank] = out.kind_proba.max(axis=1)
        kind_proba = out.kind_proba
        if blank.any():
            kind_proba = np.zeros((len(doc), len(names)))
            kind_proba[~blank] = out.kind_proba
        line_proba = np.zeros(len(doc))  # blank lines are no evidence of any kind
        line_proba[~blank] = out.proba
        verdict = paywall_verdict(
            lines, scores >= self.threshold, line_proba, kind_proba, names, self.model.paywall_rule
        )
        return DocumentPrediction(
            lines,
            scores,
            self.threshold,
            best_kinds=tuple(names[k] if k >= 0 else None for k in best),
            kind_scores=kind_scores,
            paywall=verdict,
            kind_probabilities=kind_proba.astype(np.float32),
            kind_names=names,
        )

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
        return self.predict_documents(texts)

    def predict_documents(
        self, documents: Iterable[Sequence[str] | str | HtmlBlocks]
    ) -> list[DocumentPrediction]:
        """Predictions for a mix of documents, each a list of lines, a text (whose line
        breaks are kept) or an HTML page's ``HtmlBlocks``, in input order (one vectorised
        pass for the pages, one for the rest)."""
        documents = list(documents)
        is_page = [isinstance(d, HtmlBlocks) for d in documents]
        pages = iter(self.predict_blocks(d for d, page in zip(documents, is_page) if page))
        split = [
            split_text(d) if isinstance(d, str) else (d, None)
            for d, page in zip(documents, is_page)
            if not page
        ]
        texts = iter(
            r if endings is None else replace(r, endings=tuple(endings))
            for r, (_, endings) in zip(self.predict_many(lines for lines, _ in split), split)
        )
        return [next(pages) if page else next(texts) for page in is_page]

    def clean(self, text: str) -> str:
        """``text`` with its boilerplate lines removed."""
        return self.predict_text(text).text

    def predict_html(self, page: str | bytes) -> DocumentPrediction:
        """Predictions for the block lines of an HTML page (needs ``paysieve[html]``)."""
        return self.predict_htmls([page])[0]

    def predict_htmls(self, pages: Iterable[str | bytes]) -> list[DocumentPrediction]:
        """Predictions for many HTML pages (source text or bytes), vectorised in one pass."""
        from paysieve.documents.html_lines import html_blocks

        pages = list(pages)
        if not all(isinstance(p, (str, bytes)) for p in pages):
            raise InputError("every HTML page must be a string or bytes")
        return self.predict_blocks(html_blocks(page) for page in pages)

    def clean_html(self, page: str | bytes) -> str:
        """The article text of an HTML page: its kept block lines, one per line."""
        return self.predict_html(page).text
