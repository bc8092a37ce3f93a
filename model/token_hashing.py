"""Hashed token features of lines: what a line says, as a sparse vector.

Each line becomes lower-cased tokens (runs of letters, runs of digits with ASCII digits
folded to zeros, and single characters: punctuation, symbols, CJK characters; see
``paysieve.model.character_classes``), and those become hashed features: unigrams, bigrams,
5-character prefixes and 4-character suffixes of long tokens (a cheap stand-in for
stemming, so "abonnieren" meets "abonnement"), the first and the last token, and the whole
line when it is at most ``SHORT_LINE_TOKENS`` tokens ("Share", "Sign in", "3 Months").

Speed comes from never handling a token as a Python string: the lines of a batch are one
array of code points, token boundaries come from each code point's token class, and a
token's hash is a polynomial of its code points computed for all tokens at once (one numpy
step per character position). Every other feature is combined from those hashes with
numpy. The hashes depend only on the token's characters, so a saved model means the same
thing wherever it is loaded.
"""

from __future__ import annotations

import numpy as np
from paysieve.model.character_classes import (
    TOKEN_BREAK,
    TOKEN_DIGIT,
    TOKEN_LETTER,
    TOKEN_SINGLE,
    character_classes,
    code_rows,
    token_classes,
)
from paysieve.model.sparse_rows import SparseRows

_LINE_BREAK = "\n"  # separates the lines of one joined string; never a token of a line

SHORT_LINE_TOKENS = 6
_AFFIX_MIN_LEN = 6
_PREFIX_LEN, _SUFFIX_LEN = 5, 4
# Lines are tokenised this many characters at a time (bounds the per-character arrays).
CHUNK_CHARS = 1 << 20

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_POLY = np.uint64(0x100000001B3)  # multiplier of the token polynomial (the FNV prime)
# Salts keep the feature families apart in the hash space.
_UNIGRAM, _BIGRAM, _FIRST, _LAST, _WHOLE, _PREFIX, _SUFFIX = (
    np.uint64(s) for s in (0x51, 0xB16, 0xF1, 0x1A57, 0x3401E, 0x93E, 0x5AF)
)
_EMPTY_HASH = np.uint64(0xE3B0C442)
_ZERO, _ONE, _NINE = (ord(c) for c in "019")
_FOLD_DIGITS = str.maketrans("123456789", "000000000")


def token_spans(text: str, classes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends): where the tokens of ``text`` (already lower-cased) are; a line break
    is a token of its own here. ``classes`` is the code-point table (default:
    ``character_classes()``)."""
    _, rows = code_rows(text)
    kind = token_classes(character_classes() if classes is None else classes, rows)
    return _spans(kind)


def _spans(kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(kind):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    single = kind >= TOKEN_SINGLE
    run = (kind == TOKEN_LETTER) | (kind == TOKEN_DIGIT)
    changes = kind[1:] != kind[:-1]
    starts = np.flatnonzero(single | (run & np.concatenate(([True], changes))))
    ends = np.flatnonzero(single | (run & np.concatenate((changes, [True])))) + 1
    return starts, ends


def tokenize(line: str) -> list[str]:
    """Lower-cased tokens of one line with digits folded to 0 (prices and dates generalise)."""
    text = line.lower().replace(_LINE_BREAK, " ").translate(_FOLD_DIGITS)
    return [text[a:b] for a, b in zip(*token_spans(text))]


def _span_hashes(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit hash of each span ``points[start:end]``: a polynomial of its code points,
    then mixed with its length. Position ``k`` of every span still that long is one
    numpy step."""
    lengths = ends - starts
    poly = points[starts].astype(np.uint64)
    longer = np.flatnonzero(lengths > 1)
    k = 1
    with np.errstate(over="ignore"):
        while len(longer):
            poly[longer] = poly[longer] * _POLY + points[starts[longer] + k]
            k += 1
            longer = longer[lengths[longer] > k]
    return _mix(poly, lengths.astype(np.uint64))


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
    """Lines to l2-normalised hashed token features (stateless: nothing to fit or cache).

    Parameters
    ----------
    n_features : width of the hashed feature space.
    """

    def __init__(self, n_features: int = 2**18) -> None:
        self.n_features = n_features

    def transform(self, lines: list[str], classes: np.ndarray | None = None) -> SparseRows:
        """(len(lines), n_features) l2-normalised hashed token features; ``classes`` is
        the code-point table (default: ``character_classes()``)."""
        table = character_classes() if classes is None else classes
        rows, hashes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.uint64)]
        for first, last in _chunks(lines, CHUNK_CHARS):
            row, hashed = _line_entries(lines[first:last], table)
            row += first
            rows.append(row)
            hashes.append(hashed)
        # One entry array at a time, built in place: the entries are the largest arrays
        # of a batch's first stage.
        row = np.concatenate(rows)
        del rows
        hashed = np.concatenate(hashes)
        del hashes
        positive = (hashed & np.uint64(1)).astype(bool)
        hashed >>= np.uint64(1)
        hashed %= np.uint64(self.n_features)  # now the column: below 2**63, an int64 too
        matrix = SparseRows.from_signed_entries(
            row, hashed.view(np.int64), positive, n_rows=len(lines), n_columns=self.n_features
        )
        return matrix.normalized()


def _chunks(lines: list[str], max_chars: int) -> list[tuple[int, int]]:
    """Consecutive (first, last) line ranges of about ``max_chars`` characters each."""
    ends = np.cumsum(np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)) + 1)
    bounds, first = [], 0
    while first < len(lines):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] + max_chars, "right")))
        bounds.append((first, min(last, len(lines))))
        first = last
    return bounds


def _line_entries(lines: list[str], table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, hash) of every hashed feature of ``lines`` (rows numbered from 0)."""
    n_lines = len(lines)
    joined = _LINE_BREAK.join(lines).lower()
    if joined.count(_LINE_BREAK) != n_lines - 1:
        joined = _LINE_BREAK.join(line.replace(_LINE_BREAK, " ") for line in lines).lower()
    points, rows = code_rows(joined)
    kind = token_classes(table, rows)
    starts, ends = _spans(kind)
    is_break = kind[starts] == TOKEN_BREAK
    line_of = np.cumsum(is_break)[~is_break]
    starts, ends = starts[~is_break], ends[~is_break]
    # Digits are folded after tokenising: a digit only ever neighbours digits in a token.
    points = points.astype(np.uint64)
    points[(points >= _ONE) & (points <= _NINE)] = _ZERO
    h = _span_hashes(points, starts, ends)
    counts = np.bincount(line_of, minlength=n_lines)
    first_pos = np.concatenate(([0], np.cumsum(counts)[:-1]))
    nonempty = counts > 0

    rows = [line_of, np.flatnonzero(counts == 0)]
    hashes = [_mix(h, _UNIGRAM), np.full(len(rows[1]), _EMPTY_HASH)]
    same_line = line_of[1:] == line_of[:-1]
    rows.append(line_of[1:][same_line])
    hashes.append(_mix(_mix(h[:-1][same_line], h[1:][same_line]), _BIGRAM))
    long = np.flatnonzero(ends - starts >= _AFFIX_MIN_LEN)
    for span, salt in (
        ((starts[long], starts[long] + _PREFIX_LEN), _PREFIX),
        ((ends[long] - _SUFFIX_LEN, ends[long]), _SUFFIX),
    ):
        rows.append(line_of[long])
        hashes.append(_mix(_span_hashes(points, *span), salt))
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
    return np.concatenate(rows), np.concatenate(hashes)
