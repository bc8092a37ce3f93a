"""JSON records and the documents they hold.

A record is a JSON object holding its document as ``lines`` (a list of strings), ``text``
(a string) or ``html`` (the page source, read as its block lines), in that order of
preference; every other field is kept. Bad records raise an InputError naming where they
are (``file:line`` for JSON Lines).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from paysieve.documents.html_lines import HtmlBlocks, html_blocks
from paysieve.errors import InputError, RecordError


@dataclass
class InputDocument:
    """One input document: its record (JSON input) or None (plain text), and its lines."""

    record: dict | None
    field: str  # "lines", "text" or "html" (lines made from the page source)
    lines: list[str] | None = None
    text: str | None = None
    where: str = ""  # "file:line" of a record, the file name for text
    blocks: HtmlBlocks | None = None  # an HTML page's block lines and their structure


def parse_json(raw: str, where: str, error: type[InputError] = InputError) -> Any:
    """The JSON value of ``raw``; invalid JSON raises ``error`` naming ``where``."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise error(f"{where}: not valid JSON (nested too deeply)") from None


def parse_record(raw: str, where: str, error: type[InputError] = InputError) -> dict:
    """The JSON object on one line; anything else raises ``error`` naming ``where``."""
    return checked_record(parse_json(raw, where, error), where, error)


def checked_record(value: Any, where: str, error: type[InputError] = InputError) -> dict:
    """``value`` if it is a JSON object (a dict); anything else raises ``error``."""
    if not isinstance(value, dict):
        raise error(f"{where}: a record must be a JSON object")
    return value


def iter_records(
    raw_lines: Iterable[str], name: str, error: type[InputError] = InputError
) -> Iterator[tuple[dict, str]]:
    """(record, "name:line") for every non-blank line; a bad one raises ``error`` naming it."""
    for number, raw in enumerate(raw_lines, 1):
        if raw.strip():
            where = f"{name}:{number}"
            yield parse_record(raw, where, error), where


def record_document(text: str, where: str) -> InputDocument:
    """The document in one JSON Lines record; a bad record raises RecordError."""
    return document_of_record(parse_record(text, where, RecordError), where)


def html_document(record: dict | None, page: str | bytes, where: str) -> InputDocument:
    """The document of an HTML page: its block lines, with their structure."""
    blocks = html_blocks(page)
    return InputDocument(record, "html", lines=blocks.lines, where=where, blocks=blocks)


def document_of_record(record: dict, where: str) -> InputDocument:
    """The document a record holds in ``lines``, ``text`` or ``html`` (in that order of
    preference); a record with none of them raises RecordError naming ``where``."""
    lines = record.get("lines")
    if lines is not None:
        if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
            raise RecordError(f"{where}: 'lines' must be a list of strings")
        return InputDocument(record, "lines", lines=lines, where=where)
    if isinstance(record.get("text"), str):
        return InputDocument(record, "text", text=record["text"], where=where)
    if isinstance(record.get("html"), str):
        return html_document(record, record["html"], where)
    raise RecordError(
        f"{where}: record has no 'lines' (list of strings), 'text' or 'html' (string)"
    )
