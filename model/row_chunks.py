"""Row chunks: scoring a long batch of lines a slice at a time, with the same floats.

The wide per-line arrays of a batch (hashed token rows, kind-context features) are built
and scored a chunk of lines at a time, so that a page of 100,000 lines holds one chunk of
them, not all. Every row is computed alone, except in the matrix products: OpenBLAS works
through the rows of a product in groups of up to 8, and a row in the last, smaller group
(or a product of one row, which numpy hands to another routine) can come out one rounding
apart. Chunks of a multiple of 8 lines, with a lone last line kept in the chunk before,
group every row as the whole batch does, so the results equal the whole batch's bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator

ROW_GROUP = 8  # chunk sizes are rounded up to a multiple of this


def row_chunks(n: int, size: int) -> Iterator[slice]:
    """Consecutive slices covering ``range(n)``, about ``size`` rows each (one empty slice
    for ``n`` = 0): the chunks are a multiple of 8 rows long, and the last is never a
    single row out of several."""
    size = max(-(-size // ROW_GROUP) * ROW_GROUP, ROW_GROUP)
    start = 0
    while True:
        stop = n if n - start <= size + 1 else start + size
        yield slice(start, stop)
        if stop >= n:
            return
        start = stop
