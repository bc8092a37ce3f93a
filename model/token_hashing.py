"""Hashed token features of lines: what a line says, as a sparse vector.

Each line becomes lower-cased tokens (CJK characters one by one, letter runs, digit runs
folded to zeros, single punctuation marks), and those become hashed features: unigrams,
bigrams, 5-character prefixes and 4-character suffixes of long tokens (a cheap stand-in
for stemming, so "abonnieren" meets "abonnement"), the first and the last token, and the
whole line when it is at most ``SHORT_LINE_TOKENS`` tokens ("Share", "Sign in",
"3 Months").

Speed comes from hashing each distinct token once: a bounded vocabulary maps a token to
its 64-bit hash, and every other feature is combined from those hashes with numpy. The
hashes are stable across processes and machines (CRC-32 seeded, then mixed), so a saved
model means the same thing wherever it is loaded.
"""

from __future__ import annotations

import re
import zlib
from itertools import repeat

import numpy as np

from model.sparse_rows import SparseRows

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# "\n" separates the lines of one joined string; it is never a token of a line.
_TOKEN = re.compile(rf"\n|[{_CJK}]|[^\W\d_{_CJK}]+|\d+|[^\w\s]")
_ASCII_DIGIT = re.compile("[0-9]")
_LINE_BREAK = "\n"

SHORT_LINE_TOKENS = 6
_AFFIX_MIN_LEN = 6

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# Salts keep the feature families apart in the hash space.
_UNIGRAM, _BIGRAM, _FIRST, _LAST, _WHOLE, _PREFIX, _SUFFIX = (
    np.uint64(s) for s in (0x51, 0xB16, 0xF1, 0x1A57, 0x3401E, 0x93E, 0x5AF)
)
_EMPTY_HASH = np.uint64(0xE3B0C442)


def tokenize(line: str) -> list[str]:
    """Lower-cased tokens of one line with digits folded to 0 (prices and dates generalise)."""
    return [t for t in _TOKEN.findall(_ASCII_DIGIT.sub("0", line.lower())) if t != _LINE_BREAK]


def _crcs(texts: list[str]) -> list[int]:
    """CRC-32 of each text's UTF-8 bytes (``map`` over builtins: no Python frame per text)."""
    utf8 = map(str.encode, texts, repeat("utf-8"), repeat("surrogatepass"))
    return list(map(zlib.crc32, utf8))


def _mix(a: np.ndarray, b: np.ndarray | np.uint64) -> np.ndarray:
    """A well-spread 64-bit hash of the pair (a, b) (splitmix64's finaliser)."""
    with np.errstate(over="ignore"):
        x = a * np.uint64(0x9E3779B97F4A7C15) + b
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x & _M64


class TokenHasher:
    """Lines to l2-normalised hashed token features; keeps a bounded token-hash cache.

    Parameters
    ----------
    n_features : width of the hashed feature space.
    max_vocabulary : distinct tokens whose hashes are kept between calls; the cache is
        emptied when it would grow past this, so memory stays bounded on endless input.
    """

    def __init__(self, n_features: int = 2**18, max_vocabulary: int = 500_000) -> None:
        self.n_features = n_features
        self.max_vocabulary = max_vocabulary
        self._reset()

    def _reset(self) -> None:
        self._vocab: dict[str, int] = {_LINE_BREAK: 0}
        self._hash = np.zeros(1024, dtype=np.uint64)
        self._prefix = np.zeros(1024, dtype=np.uint64)
        self._suffix = np.zeros(1024, dtype=np.uint64)
        self._has_affix = np.zeros(1024, dtype=bool)

    def __getstate__(self) -> dict:
        return {"n_features": self.n_features, "max_vocabulary": self.max_vocabulary}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._reset()

    def _learn(self, new_tokens: set[str]) -> None:
        tokens = list(new_tokens)  # digits are folded already (see ``transform``)
        start = len(self._vocab)
        end = start + len(tokens)
        if end > len(self._hash):
            size = max(end, 2 * len(self._hash))
            for name in ("_hash", "_prefix", "_suffix", "_has_affix"):
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[: len(old)] = old
                setattr(self, name, grown)
        self._hash[start:end] = _crcs(tokens)
        long = [i for i, t in enumerate(tokens) if len(t) >= _AFFIX_MIN_LEN]
        idx = np.asarray(long, dtype=np.int64) + start
        self._prefix[idx] = _crcs([tokens[i][:5] for i in long])
        self._suffix[idx] = _crcs([tokens[i][-4:] for i in long])
        self._has_affix[idx] = True
        self._vocab.update(zip(tokens, range(start, end)))

    def transform(self, lines: list[str]) -> SparseRows:
        """(len(lines), n_features) l2-normalised hashed token features."""
        n_lines = len(lines)
        joined = _LINE_BREAK.join(lines).lower()
        if joined.count(_LINE_BREAK) != n_lines - 1 and n_lines:
            joined = _LINE_BREAK.join(line.replace(_LINE_BREAK, " ") for line in lines).lower()
        # Folding digits before tokenising gives the same tokens as folding each token (a
        # digit only ever neighbours digits within one) and keeps one cache entry per shape.
        tokens = _TOKEN.findall(_ASCII_DIGIT.sub("0", joined))
        new = set(tokens).difference(self._vocab)
        if len(self._vocab) + len(new) > self.max_vocabulary:
            self._reset()
            new = set(tokens).difference(self._vocab)
        if new:
            self._learn(new)
        ids = np.fromiter(map(self._vocab.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        is_break = ids == 0
        line_of = np.cumsum(is_break)[~is_break]
        ids = ids[~is_break]
        h = self._hash[ids]
        counts = np.bincount(line_of, minlength=n_lines)
        first_pos = np.concatenate(([0], np.cumsum(counts)[:-1]))
        nonempty = counts > 0

        rows = [line_of, np.flatnonzero(counts == 0)]
        hashes = [_mix(h, _UNIGRAM), np.full(len(rows[1]), _EMPTY_HASH)]
        same_line = line_of[1:] == line_of[:-1]
        rows.append(line_of[1:][same_line])
        hashes.append(_mix(_mix(h[:-1][same_line], h[1:][same_line]), _BIGRAM))
        affix = self._has_affix[ids]
        for table, salt in ((self._prefix, _PREFIX), (self._suffix, _SUFFIX)):
            rows.append(line_of[affix])
            hashes.append(_mix(table[ids[affix]], salt))
        lines_with = np.flatnonzero(nonempty)
        first = first_pos[lines_with]
        last = first + counts[lines_with] - 1
        rows += [lines_with, lines_with]
        hashes += [_mix(h[first], _FIRST), _mix(h[last], _LAST)]
        short = np.flatnonzero(nonempty & (counts <= SHORT_LINE_TOKENS))
        whole = np.full(len(short), _WHOLE)
        for k in range(SHORT_LINE_TOKENS):
            more = counts[short] > k
            whole[more] = _mix(whole[more], h[first_pos[short][more] + k])
        rows.append(short)
        hashes.append(whole)

        row = np.concatenate(rows)
        hashed = np.concatenate(hashes)
        col = (hashed >> np.uint64(1)) % np.uint64(self.n_features)
        matrix = SparseRows.from_signed_entries(
            row,
            col.astype(np.int64),
            (hashed & np.uint64(1)).astype(bool),
            n_rows=n_lines,
            n_columns=self.n_features,
        )
        return matrix.normalized()
