"""JSON Lines records, shared by the training reader and the prediction input reader."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from model.errors import InputError


def iter_records(
    raw_lines: Iterable[str], name: str, error: type[InputError] = InputError
) -> Iterator[tuple[dict, str]]:
    """(record, "name:line") for every non-blank line; a bad one raises ``error`` naming it."""
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise error(f"{where}: a record must be a JSON object")
        yield record, where
