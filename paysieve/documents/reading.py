"""Reading an input file or stdin as a stream of documents.

Formats (``INPUT_FORMATS``; "auto" decides by the file name, then by the content):

- plain text: one document, one line per line (any line break, kept as it was); a text
  longer than ``SEGMENT_LINES`` lines or ``SEGMENT_CHARS`` characters is read as
  consecutive documents of that size, so memory stays bounded;
- JSON Lines (``.jsonl``, ``.ndjson``): one record per line, read one at a time;
- JSON (``.json``): a JSON array of records, or one (pretty-printed) record; the file is
  read whole;
- HTML: one page, read whole, as its block lines (``paysieve.documents.html_lines``).

Records hold their document as described in ``paysieve.documents.records``. Invalid UTF-8
is replaced by U+FFFD and counted, or, when strict, raises an error naming the byte offset.
UTF-16 (known by its byte-order mark) is read for HTML pages only, whose reader decodes it;
other UTF-16 input is refused by name rather than as binary data.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paysieve.documents.decoding import DecodingStats, Utf8Decoder, lines_with_breaks
from paysieve.documents.html_lines import decode_html, looks_like_html
from paysieve.documents.input_source import InputSource
from paysieve.documents.records import (
    InputDocument,
    checked_record,
    document_of_record,
    html_document,
    parse_json,
    parse_record,
    record_document,
)
from paysieve.errors import InputError, NotTextError, RecordError

INPUT_FORMATS = ("auto", "text", "jsonl", "json", "html")
RECORD_FORMATS = ("jsonl", "json")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_SUFFIXES = (".json", ".json.gz")
SEGMENT_LINES = 20_000
SEGMENT_CHARS = 8_000_000
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# The start of a JSON array of records, and of a record spread over several lines.
_JSON_ARRAY = re.compile(r"\[\s*[{\]]")
_JSON_OBJECT = re.compile(r'\{\s*["}]')


@dataclass
class ReadStats(DecodingStats):
    """What reading an input met: documents, skipped records, and what decoding met."""

    documents: int = 0
    skipped: int = 0
    skip_examples: list[str] = field(default_factory=list)

    def skip(self, message: str) -> None:
        self.skipped += 1
        if len(self.skip_examples) < 3:
            self.skip_examples.append(message)


def input_format_of(path: str, head: bytes, input_format: str = "auto") -> str:
    """The format to read an input in: ``input_format`` unless "auto", else by the file
    name (``JSONL_SUFFIXES``, ``JSON_SUFFIXES``), else by its first bytes ``head``.

    A ``.json`` file holding JSON Lines (as many tools write them) is read as JSON Lines.
    """
    if input_format != "auto":
        return input_format
    if head.startswith(UTF16_BOMS):  # only an HTML page is read in UTF-16 (its reader decodes it)
        return "html" if looks_like_html(decode_html(head)) else "text"
    name = path.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    start = head.decode("utf-8", "replace").lstrip()
    if name.endswith(JSON_SUFFIXES):
        return _records_format(start, path) or "json"
    return _records_format(start, path) or ("html" if looks_like_html(head) else "text")


def _records_format(start: str, path: str) -> str | None:
    """ "jsonl" or "json" when ``start`` (an input's first characters) begins like JSON
    Lines or a JSON document of records, else None."""
    if _JSON_ARRAY.match(start):
        return "json"
    if not start.startswith("{"):
        return None
    if "\n" not in start:  # a first record longer than the sniffed head
        return "jsonl"
    try:
        parse_record(start.split("\n", 1)[0], path)
        return "jsonl"
    except InputError:
        return "json" if _JSON_OBJECT.match(start) else None


def json_lines(source: InputSource, decoder: Utf8Decoder) -> Iterator[tuple[str, str]]:
    """(text, "file:line") of every non-blank line of a JSON Lines input."""
    for number, raw in enumerate(source.byte_lines(), 1):
        where = f"{source.name}:{number}"
        text = decoder.decode(raw, where, final=True)
        if text.strip():
            yield text, where


def read_json_lines(
    path: str | Path, error: type[InputError] = RecordError
) -> Iterator[tuple[dict, str]]:
    """(record, "file:line") of every record of a JSON Lines file (``.gz`` ok), invalid
    UTF-8 being an error; a bad record raises ``error`` naming its line."""
    with InputSource(path) as source:
        source.check_is_text()
        decoder = Utf8Decoder(source.name, strict=True, stats=DecodingStats())
        for text, where in json_lines(source, decoder):
            yield parse_record(text, where, error), where


class DocumentReader:
    """The documents of one input file or stdin ("-"), read as a stream.

    Opening checks the file (missing, directory, unreadable: InputFileError subclasses)
    and that it is text (NotTextError), and decides the format (``input_format_of``).
    Iterating yields InputDocuments; bad records raise RecordError naming where they are,
    or, with ``skip_bad_records``, are counted in ``stats`` and skipped. Use as a context
    manager.
    """

    def __init__(
        self,
        path: str | Path,
        input_format: str = "auto",
        strict: bool = False,
        skip_bad_records: bool = False,
    ) -> None:
        if input_format not in INPUT_FORMATS:
            raise InputError(
                f"unknown input format {input_format!r} (formats: {', '.join(INPUT_FORMATS)})"
            )
        self.skip_bad_records = skip_bad_records
        self.stats = ReadStats()
        self.source = InputSource(path)
        try:
            self.format = input_format_of(self.source.path, self.source.head, input_format)
            utf16 = self.source.head.startswith(UTF16_BOMS)
            if utf16 and self.format != "html":
                raise NotTextError(
                    f"{self.source.name}: UTF-16 text (byte-order mark); paysieve reads "
                    "UTF-8 text (convert it, e.g. iconv -f UTF-16 -t UTF-8)"
                )
            if not (self.format == "html" and (utf16 or looks_like_html(self.source.head))):
                # an HTML page's NUL and control bytes are dropped when it is parsed
                self.source.check_is_text()
        except InputError:
            self.source.close()
            raise
        self.decoder = Utf8Decoder(self.source.name, strict, self.stats)

    @property
    def holds_records(self) -> bool:
        """Whether the input is JSON records (written back as records) rather than a text."""
        return self.format in RECORD_FORMATS

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.source.close()

    def __iter__(self) -> Iterator[InputDocument]:
        documents = {
            "jsonl": self._json_lines,
            "json": self._json_document,
            "html": self._html_page,
            "text": self._text_segments,
        }[self.format]()
        for doc in documents:
            self.stats.documents += 1
            yield doc

    def _text_segments(self) -> Iterator[InputDocument]:
        segment: list[str] = []
        chars = 0
        emitted = False
        for line in lines_with_breaks(self.decoder.decode_all(self.source.chunks())):
            segment.append(line)
            chars += len(line)
            if len(segment) >= SEGMENT_LINES or chars >= SEGMENT_CHARS:
                yield InputDocument(None, "text", text="".join(segment), where=self.source.name)
                segment, chars, emitted = [], 0, True
        if segment or not emitted:
            yield InputDocument(None, "text", text="".join(segment), where=self.source.name)

    def _html_page(self) -> Iterator[InputDocument]:
        """An HTML page is one document: its block lines (the page is read whole)."""
        yield html_document(None, b"".join(self.source.chunks()), self.source.name)

    def _json_lines(self) -> Iterator[InputDocument]:
        for number, (text, where) in enumerate(json_lines(self.source, self.decoder)):
            if number == 0 and text.strip() in ("{", "["):
                raise RecordError(
                    f"{where}: a JSON document spread over lines, not JSON Lines "
                    "(--input-format json reads it)"
                )
            doc = self._unless_skipped(record_document, text, where)
            if doc is not None:
                yield doc

    def _json_document(self) -> Iterator[InputDocument]:
        """The records of a JSON array, or the one record of a JSON object."""
        name = self.source.name
        text = "".join(self.decoder.decode_all(self.source.chunks()))
        if not text.strip():
            return
        try:
            value = parse_json(text, name)
        except InputError as exc:
            raise InputError(f"{exc}; --input-format text reads it as plain text") from None
        if isinstance(value, dict):
            items = [(value, name)]
        elif isinstance(value, list):
            items = [(item, f"{name}[{index}]") for index, item in enumerate(value)]
        else:
            raise InputError(f"{name}: a JSON input must be an array of records or one record")
        for item, where in items:
            doc = self._unless_skipped(_item_document, item, where)
            if doc is not None:
                yield doc

    def _unless_skipped(
        self, read: Callable[[Any, str], InputDocument], item: Any, where: str
    ) -> InputDocument | None:
        """``read(item, where)``, or None when it is a bad record to skip (and count)."""
        try:
            return read(item, where)
        except RecordError as exc:
            if not self.skip_bad_records:
                raise
            self.stats.skip(str(exc))
            return None

    def position(self) -> int | None:
        """Bytes of the input file read so far (None for stdin)."""
        return self.source.position()


def _item_document(item: Any, where: str) -> InputDocument:
    """The document of one item of a JSON input."""
    return document_of_record(checked_record(item, where, RecordError), where)
