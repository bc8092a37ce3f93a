"""Give the memory a parsed page's tree freed back to the operating system.

The HTML parser allocates its tree from the C heap; once freed, glibc keeps those pages for
later small allocations, while the model's arrays for the page's lines are allocated apart
(large blocks are mapped fresh). Without this, a page's peak memory is its tree plus its
scoring, not the larger of the two. Elsewhere than on glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def return_freed_memory() -> bool:
    """Return the C heap's free pages to the system; False where that is not possible."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
