"""JSON Lines records, shared by the training reader and the prediction input reader."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from paysieve.errors import InputError


def parse_record(raw: str, where: str, error: type[InputError] = InputError) -> dict:
    """The JSON object on one line; anything else raises ``error`` naming ``where``."""
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise error(f"{where}: not valid JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise error(f"{where}: a record must be a JSON object")
    return record


def iter_records(
    raw_lines: Iterable[str], name: str, error: type[InputError] = InputError
) -> Iterator[tuple[dict, str]]:
    """(record, "name:line") for every non-blank line; a bad one raises ``error`` naming it."""
    for number, raw in enumerate(raw_lines, 1):
        if raw.strip():
            where = f"{name}:{number}"
            yield parse_record(raw, where, error), where
