"""Per-line features: what a line says (hashed tokens) and what kind of line it is (shape).

Both are stateless functions of the line's text alone, so a line's features can be
computed once and reused wherever the same text occurs again (menus and footers repeat
across the pages of a site). Context from neighbouring lines is added later, in
``model.context_features``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.preprocessing import normalize

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# One token per CJK character (those scripts do not separate words), letter runs,
# digit runs and single punctuation or symbol characters.
_TOKEN = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}]+|\d+|[^\w\s]")
_DIGITS = str.maketrans("0123456789", "0000000000")
_CURRENCY = re.compile(
    r"[$£€¥₹₩₽₺₪₫₴฿]|\b(?:usd|eur|gbp|chf|inr|rs|zł|kr|r\$|a\$|c\$|nt\$|hk\$)\b", re.I
)
_PRICE = re.compile(r"(?:[$£€¥₹₩₽]\s?\d|\d[\d.,]*\s?(?:[$£€¥₹₩₽]|zł|kr|eur|usd|euro))", re.I)
_URLISH = re.compile(r"https?://|www\.|\.com\b|@\w+\.\w+|\b\w+@\w+")
_TERMINAL = frozenset(".!?。！？…\"'”’»)")
_SEPARATORS = frozenset("|•·›»/>–-")

# Whole-line tokens are only emitted for lines this short: "Share", "Sign in", "3 Months".
SHORT_LINE_TOKENS = 6
# Prefix/suffix features stand in for stemming, so "abonnieren" and "abonnement" meet.
_AFFIX_MIN_LEN = 6

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


def tokenize(line: str) -> list[str]:
    """Lower-cased tokens with digits folded to 0 (prices and dates generalise)."""
    return _TOKEN.findall(line.lower().translate(_DIGITS))


def token_features(line: str) -> list[str]:
    """Hashed-feature names of one line: unigrams, bigrams, affixes, edges, whole short line."""
    toks = tokenize(line)
    if not toks:
        return ["empty"]
    feats = toks + [a + " " + b for a, b in pairwise(toks)]
    feats += ["<" + t[:5] for t in toks if len(t) >= _AFFIX_MIN_LEN]
    feats += [">" + t[-4:] for t in toks if len(t) >= _AFFIX_MIN_LEN]
    feats.append("^" + toks[0])
    feats.append("$" + toks[-1])
    if len(toks) <= SHORT_LINE_TOKENS:
        feats.append("=" + " ".join(toks))
    return feats


def shape_features(line: str) -> list[float]:
    """Language-independent shape of a line, each value roughly in [0, 1]."""
    text = line.strip()
    n = len(text)
    if n == 0:
        return [0.0] * len(SHAPE_FEATURE_NAMES)
    words = text.split()
    n_words = len(words)
    digits = upper = letters = punct = cjk = seps = 0
    for ch in text:
        if ch.isdigit():
            digits += 1
        elif ch.isalpha():
            letters += 1
            if ch.isupper():
                upper += 1
            if "\u3040" <= ch <= "\ufaff":
                cjk += 1
        elif not ch.isspace():
            punct += 1
            if ch in _SEPARATORS:
                seps += 1
    titled = sum(1 for w in words if w[:1].isupper())
    first = text[0]
    return [
        min(math.log1p(n) / 7.0, 1.5),
        min(math.log1p(n_words) / 5.0, 1.5),
        min((n - n_words + 1) / n_words / 10.0, 1.5),
        digits / n,
        upper / letters if letters else 0.0,
        punct / n,
        cjk / n,
        1.0 if text[-1] in _TERMINAL else 0.0,
        1.0 if first.isupper() or unicodedata.category(first) == "Lo" else 0.0,
        titled / n_words,
        1.0 if _CURRENCY.search(text) else 0.0,
        1.0 if _PRICE.search(text) else 0.0,
        1.0 if _URLISH.search(text) else 0.0,
        seps / n,
        1.0 if n_words <= 3 and cjk < 8 else 0.0,
        1.0 if n >= 120 or cjk >= 40 else 0.0,
    ]


class LineFeaturizer:
    """Turns lines into hashed token features (sparse, l2-normalised) and shape features.

    Stateless apart from its parameters: it needs no fitting and holds no vocabulary.
    """

    def __init__(self, n_features: int = 2**18) -> None:
        self.n_features = n_features
        self._hasher = FeatureHasher(n_features=n_features, input_type="string")

    def transform(self, lines: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """(hashed token matrix, shape matrix) of ``lines``; each distinct text is done once."""
        unique: dict[str, int] = {}
        index = np.fromiter(
            (unique.setdefault(line, len(unique)) for line in lines),
            dtype=np.int64,
            count=len(lines),
        )
        texts = list(unique)
        hashed = normalize(self._hasher.transform(token_features(t) for t in texts))
        shape = np.array([shape_features(t) for t in texts], dtype=np.float64).reshape(
            len(texts), len(SHAPE_FEATURE_NAMES)
        )
        return hashed[index], shape[index]
