"""Language-independent shape of a line: length, character classes, price and URL marks.

Shape is what keeps the model working on languages and sites it has seen little of: a long
line of letters ending in a full stop reads like prose anywhere, a two-word title-cased
line like a menu item. ``shape_matrix`` computes it for many lines at once with numpy
over their code points (per-character Python loops would dominate prediction time).
"""

from __future__ import annotations

import re

import numpy as np
from paysieve.model.character_classes import (
    ALPHA,
    CJK,
    DIGIT,
    MONEY,
    SEPARATOR,
    SPACE,
    TERMINAL,
    UNCASED,
    UPPER,
    character_classes,
    code_rows,
)

SHAPE_FEATURE_NAMES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "mean_word_len",
    "digit_share",
    "upper_share",
    "punct_share",
    "cjk_share",
    "ends_terminal",
    "starts_upper",
    "title_case_share",
    "has_currency",
    "has_price",
    "has_url",
    "separator_share",
    "is_short",
    "is_long",
)

# Prices and currency codes need digits nearby, so these run only on lines with digits.
_CURRENCY_CODE = re.compile(r"\b(?:usd|eur|gbp|chf|inr|rs|zł|kr|r\$|a\$|c\$|nt\$|hk\$)\b")
_PRICE = re.compile(r"[$£€¥₹₩₽][ \t]?\d|\d[ \t]?(?:[$£€¥₹₩₽]|zł|kr|eur|usd|euro)")
_URL_MARKS = ("://", "www.", ".com", "@")


def _segment_counts(masks: list[np.ndarray], starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(n_lines, len(masks)): per line, how many of its code points each mask marks.

    Each sum runs from a line's start to the next non-empty line's start; what lies
    between (the "\n" separators) is whitespace, which no mask marks.
    """
    counts = np.zeros((len(starts), len(masks)), dtype=np.float64)
    nonempty = np.flatnonzero(ends > starts)
    if len(nonempty):
        at = starts[nonempty]
        for j, mask in enumerate(masks):
            counts[nonempty, j] = np.add.reduceat(mask[: ends[-1]], at, dtype=np.int32)
    return counts


def _joined(texts: list[str], candidates: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    """The candidate lines joined by "\n", and where each starts and ends in that string."""
    picked = [texts[i] for i in candidates]
    lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)
    return "\n".join(picked), starts, starts + lengths


def _flag_lines(n: int, candidates: np.ndarray, starts: np.ndarray, hits) -> np.ndarray:
    """1.0 for the candidate lines in which a hit position (in the joined string) falls."""
    flags = np.zeros(n, dtype=np.float64)
    hits = np.fromiter(hits, dtype=np.int64)
    flags[candidates[np.searchsorted(starts, hits, side="right") - 1]] = 1.0
    return flags


def _lines_matching(pattern: re.Pattern, texts: list[str], candidates: np.ndarray) -> np.ndarray:
    """1.0 for the lines among ``candidates`` (indices into ``texts``) that ``pattern`` finds."""
    joined, starts, _ = _joined(texts, candidates)
    hits = (m.start() for m in pattern.finditer(joined))
    return _flag_lines(len(texts), candidates, starts, hits)


def _lines_containing(marks: tuple[str, ...], texts: list[str]) -> np.ndarray:
    """1.0 for the lines of ``texts`` that contain one of the ``marks`` (none holds "\n").

    ``str.find`` skips to the rare hits; a regex alternation would try every position.
    """
    candidates = np.arange(len(texts))
    joined, starts, _ = _joined(texts, candidates)

    def hits():
        for mark in marks:
            at = joined.find(mark)
            while at >= 0:
                yield at
                line_end = joined.find("\n", at)  # one hit per line is enough
                at = joined.find(mark, line_end + 1) if line_end >= 0 else -1

    return _flag_lines(len(texts), candidates, starts, hits())


def shape_matrix(lines: list[str], classes: np.ndarray | None = None) -> np.ndarray:
    """(len(lines), len(SHAPE_FEATURE_NAMES)) shape features, each roughly in [0, 1];
    ``classes`` is the code-point class table (default: ``character_classes()``)."""
    if not lines:
        return np.zeros((0, len(SHAPE_FEATURE_NAMES)))
    texts = [line.strip() for line in lines]
    # One joined string, one code-point array; "\n" keeps words from running together.
    joined, starts, ends = _joined(texts, np.arange(len(texts)))
    lengths = ends - starts
    _, rows = code_rows(joined)
    # A trailing 0 keeps first/last-character lookups in range for empty input.
    table = character_classes() if classes is None else classes
    bits = np.append(table[rows], np.uint16(0))

    def has(flag: int) -> np.ndarray:
        return (bits & flag) != 0

    space, alpha, upper, digit = has(SPACE), has(ALPHA), has(UPPER), has(DIGIT)
    word_start = ~space & np.concatenate(([True], space[:-1]))
    n = np.maximum(lengths, 1).astype(np.float64)
    counts = _segment_counts(
        [
            word_start,
            alpha,
            digit,
            has(CJK),
            ~(alpha | space | digit),
            upper,
            word_start & upper,
            has(MONEY),
            has(SEPARATOR),
        ],
        starts,
        ends,
    )
    words, letters, digits, cjk, punct, uppers, capitalised, money, separators = counts.T
    n_words = np.maximum(words, 1.0)
    nonempty = lengths > 0
    first = np.where(nonempty, bits[starts], 0)
    last = np.where(nonempty, bits[np.maximum(ends - 1, 0)], 0)
    with_digits = np.flatnonzero(digits > 0)
    lowered = [t.lower() for t in texts]
    has_url = _lines_containing(_URL_MARKS, lowered)

    out = np.column_stack(
        [
            np.minimum(np.log1p(lengths) / 7.0, 1.5),
            np.minimum(np.log1p(n_words) / 5.0, 1.5),
            np.minimum((n - n_words + 1) / n_words / 10.0, 1.5),
            digits / n,
            np.divide(uppers, letters, out=np.zeros(len(n)), where=letters > 0),
            punct / n,
            cjk / n,
            (last & TERMINAL) != 0,
            (first & (UPPER | UNCASED)) != 0,
            capitalised / n_words,
            (money > 0) | (_lines_matching(_CURRENCY_CODE, lowered, with_digits) > 0),
            _lines_matching(_PRICE, lowered, with_digits),
            has_url,
            separators / n,
            (n_words <= 3) & (cjk < 8),
            (lengths >= 120) | (cjk >= 40),
        ]
    ).astype(np.float64)
    out[~nonempty] = 0.0
    return out


def shape_features(line: str) -> list[float]:
    """Shape features of one line (see ``shape_matrix``)."""
    return shape_matrix([line])[0].tolist()
