"""The lockbox: a fixed, seeded share of real-page sites kept out of every model choice.

A site is in the lockbox when a seeded sha256 hash of its name falls below ``share``: the
set follows from the code alone (no list of site names copied from the data), is the same
on every machine and run, and does not depend on which pages a data file holds. Pages of
lockbox sites are never looked at page by page, never used to choose settings, and scored
once, with the final settings, by ``benchmarks/real_pages_benchmark.py --lockbox``.
"""

from __future__ import annotations

import hashlib

LOCKBOX_SEED = "paysieve-lockbox-20261207"
LOCKBOX_SHARE = 0.15


def in_lockbox(site: str, share: float = LOCKBOX_SHARE, seed: str = LOCKBOX_SEED) -> bool:
    """Whether ``site`` (a page's site group, e.g. its registered domain) is in the lockbox."""
    digest = hashlib.sha256(f"{seed}\0{site}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share
