"""What every code point is, as one table: the shape features and the tokenizer read it.

``character_classes()`` gives one ``uint16`` per code point of the Basic Multilingual Plane,
plus one shared row for all code points above it (``code_rows`` maps code points to rows).
Its low bits are shape classes (digit, letter, upper case, space, CJK, separator, terminal
punctuation, uncased letter, currency sign); bits ``TOKEN_SHIFT`` and up hold the code
point's token class, how the tokenizer (``paysieve.model.token_hashing``) treats it:

- ``TOKEN_LETTER``: letters and other word characters (Python's ``\\w`` without decimal
  digits and ``_``) form runs;
- ``TOKEN_DIGIT``: decimal digits form runs;
- ``TOKEN_SINGLE``: every other visible character (punctuation, symbols, CJK ideographs,
  kana and hangul, and every code point above the BMP, emoji included) is a token alone;
- ``TOKEN_SKIP``: white space and ``_`` separate tokens;
- ``TOKEN_BREAK``: ``"\\n"``, the separator of joined lines.

The table is built from this Python's Unicode data; a fitted featurizer keeps its own copy,
so a model's features do not change with the Python version that runs it.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

TABLE_SIZE = 0x10000  # code points above the BMP share the row at this index

# Shape class bits.
DIGIT, ALPHA, UPPER, SPACE, CJK, SEPARATOR, TERMINAL, UNCASED, MONEY = (1 << i for i in range(9))
CURRENCY_SYMBOLS = "$£€¥₹₩₽₺₪₫₴฿"
TERMINAL_MARKS = ".!?。！？…\"'”’»)"
SEPARATOR_MARKS = "|•·›»/>–-"

# Token classes, in the bits from TOKEN_SHIFT.
TOKEN_SHIFT = 9
TOKEN_SKIP, TOKEN_LETTER, TOKEN_DIGIT, TOKEN_SINGLE, TOKEN_BREAK = range(5)
# Ideographs, kana and hangul are tokens one character each: their words are not spaced.
SINGLE_CHARACTER_RANGES = (
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
)  # fmt: skip


@cache
def character_classes() -> np.ndarray:
    """The class bits of every BMP code point and of the row above it (built once, ~30 ms)."""
    chars = list(map(chr, range(TABLE_SIZE)))

    def where(test) -> np.ndarray:
        return np.fromiter(map(test, chars), dtype=bool, count=TABLE_SIZE)

    digit, alpha, space = where(str.isdigit), where(str.isalpha), where(str.isspace)
    letter = alpha & ~digit
    in_cjk_block = np.zeros(TABLE_SIZE, dtype=bool)
    in_cjk_block[0x3040 : 0xFAFF + 1] = True
    table = np.zeros(TABLE_SIZE + 1, dtype=np.uint16)
    table[:TABLE_SIZE] |= np.where(digit, DIGIT, 0).astype(np.uint16)
    table[:TABLE_SIZE] |= np.where(letter, ALPHA, 0).astype(np.uint16)
    table[:TABLE_SIZE] |= np.where(letter & where(str.isupper), UPPER, 0).astype(np.uint16)
    table[:TABLE_SIZE] |= np.where(letter & in_cjk_block, CJK, 0).astype(np.uint16)
    table[:TABLE_SIZE] |= np.where(~digit & ~alpha & space, SPACE, 0).astype(np.uint16)
    for i in np.flatnonzero(letter):
        if unicodedata.category(chars[i]) == "Lo":
            table[i] |= UNCASED
    for marks, bit in ((SEPARATOR_MARKS, SEPARATOR), (TERMINAL_MARKS, TERMINAL)):
        for ch in marks:
            table[ord(ch)] |= bit
    for ch in CURRENCY_SYMBOLS:
        table[ord(ch)] |= MONEY
    table[TABLE_SIZE] = ALPHA | UNCASED | TOKEN_SINGLE << TOKEN_SHIFT

    tokens = np.full(TABLE_SIZE, TOKEN_SINGLE, dtype=np.uint16)
    tokens[where(str.isalnum)] = TOKEN_LETTER
    tokens[where(str.isdecimal)] = TOKEN_DIGIT
    tokens[space] = TOKEN_SKIP
    tokens[ord("_")] = TOKEN_SKIP
    for first, last in SINGLE_CHARACTER_RANGES:
        tokens[first : last + 1] = TOKEN_SINGLE
    tokens[ord("\n")] = TOKEN_BREAK
    table[:TABLE_SIZE] |= tokens << TOKEN_SHIFT
    return table


def code_rows(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(code points, their rows in the class table) of ``text``."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return points, np.minimum(points, TABLE_SIZE)


def token_classes(table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The token class of every code point (``rows`` from ``code_rows``)."""
    return (table[rows] >> TOKEN_SHIFT).astype(np.uint8)
