"""Reading prediction input (plain text or JSON Lines, optionally gzipped) and writing output.

Plain text is one document, one line per line; an HTML page is one document, one line per
block element (``inference.html_lines``). A JSON Lines corpus holds one document per record,
as ``lines`` (a list of strings), ``text`` (a string) or, failing both, ``html`` (the page
source); every other field is kept.
Input is read and validated whole before anything is written, and files are written to a
temporary file that replaces the target only once complete.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from inference.html_lines import html_lines, looks_like_html
from model.atomic_file import AtomicFile
from model.errors import InputError
from model.json_records import iter_records

GZIP_MAGIC = b"\x1f\x8b"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


@dataclass
class InputDocument:
    """One input document: its record (JSON Lines) or None (plain text), and its lines."""

    record: dict | None
    field: str  # "lines", "text" or "html" (lines made from the page source)
    lines: list[str] | None = None
    text: str | None = None


def read_bytes(path: str) -> bytes:
    """Raw bytes of a file or of stdin ("-"), gunzipped when they are gzip data."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            p = Path(path)
            if p.is_dir():
                raise InputError(f"{path}: is a directory, not a file")
            data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: damaged gzip data ({exc})") from None
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: not text (binary data)")
    return data


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped; invalid bytes become U+FFFD)."""
    return data.decode("utf-8-sig", errors="replace")


def is_jsonl(path: str, text: str, input_format: str) -> bool:
    """Whether to read the input as JSON Lines: by option, by file name, or by content."""
    if input_format != "auto":
        return input_format == "jsonl"
    if path.lower().endswith(JSONL_SUFFIXES):
        return True
    first = text.lstrip()[:1]
    if first != "{":
        return False
    try:
        record = json.loads(text.lstrip().split("\n", 1)[0])
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict)


def parse_jsonl(text: str, name: str) -> list[InputDocument]:
    """Documents of a JSON Lines corpus; the first bad record raises with file:line."""
    docs = []
    for record, where in iter_records(text.split("\n"), name):
        lines = record.get("lines")
        if lines is not None:
            if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
                raise InputError(f"{where}: 'lines' must be a list of strings")
            docs.append(InputDocument(record, "lines", lines=lines))
        elif isinstance(record.get("text"), str):
            docs.append(InputDocument(record, "text", text=record["text"]))
        elif isinstance(record.get("html"), str):
            docs.append(InputDocument(record, "html", lines=html_lines(record["html"])))
        else:
            raise InputError(f"{where}: record has no 'lines' (list), 'text' or 'html' (string)")
    return docs


def read_documents(path: str, input_format: str = "auto") -> tuple[list[InputDocument], bool]:
    """(documents, is_jsonl) of one input file or stdin ("-")."""
    if input_format not in ("auto", "text", "jsonl", "html"):
        raise InputError(f"unknown input format {input_format!r}")
    data = read_bytes(path)
    text = decode(data)
    name = "<stdin>" if path == "-" else path
    if is_jsonl(path, text, input_format):
        return parse_jsonl(text, name), True
    if input_format == "html" or (input_format == "auto" and looks_like_html(data)):
        return [InputDocument(None, "html", lines=html_lines(data))], False
    return [InputDocument(None, "text", text=text)], False


@contextmanager
def open_output(path: str | None, compress: bool | None = None) -> Iterator[IO[str]]:
    """A text stream to ``path`` (atomically replaced on success) or to stdout (None/"-").

    Output to a name ending in ``.gz`` is gzipped unless ``compress`` says otherwise.
    """
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: is a directory")
    directory = target.parent
    if not directory.is_dir():
        raise InputError(f"{path}: no such directory {directory}")
    try:
        atomic = AtomicFile(target)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    gz = path.endswith(".gz") if compress is None else compress
    with atomic as raw:
        if gz:
            with gzip.GzipFile(fileobj=raw, mode="wb") as zipped, open_text_writer(zipped) as out:
                yield out
        else:
            with open_text_writer(raw) as out:
                yield out


@contextmanager
def open_text_writer(binary: IO[bytes]) -> Iterator[IO[str]]:
    """A UTF-8 text layer over a binary stream that leaves the stream open."""
    import io

    wrapper = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()


def predicted_record(doc: InputDocument, labels: list[str], scores: list[float]) -> dict:
    """The input record with per-line ``labels`` and ``scores`` (probability of boilerplate)."""
    base = doc.record if doc.record is not None else {"lines": doc.lines}
    if doc.field == "html":
        base = {**base, "lines": doc.lines}
    return {**base, "labels": labels, "scores": [round(s, 4) for s in scores]}


def cleaned_record(doc: InputDocument, kept_lines: list[str], cleaned_text: str) -> dict:
    """The input record with the cleaned article in ``text`` (and kept ``lines``)."""
    record = dict(doc.record or {})
    if doc.field == "lines":
        record["lines"] = kept_lines
        record["text"] = "\n".join(kept_lines)
    else:
        record["text"] = cleaned_text
    return record
