"""Reading prediction input as a stream of documents, and writing output atomically.

Plain text is one document, one line per line (any line break, kept as it was); a text
longer than ``SEGMENT_LINES`` lines or ``SEGMENT_CHARS`` characters is read as consecutive
documents of that size, so memory stays bounded. A JSON Lines corpus holds one document per
record, as ``lines`` (a list of strings) or ``text`` (a string); every other field is kept.
Input is read in chunks (``CHUNK_BYTES``); ``.gz`` files (and gzip on stdin) are
decompressed on the fly. Invalid UTF-8 is replaced by U+FFFD and counted, or, when strict,
raises an error naming the byte offset. UTF-16 (known by its byte-order mark) is read for
HTML pages only, whose reader decodes it; other UTF-16 input is refused by name. Output
files are written to a temporary file that replaces the target only once complete.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from paysieve.documents.atomic_file import AtomicFile
from paysieve.documents.html_lines import HtmlBlocks, decode_html, html_blocks, looks_like_html
from paysieve.documents.json_records import parse_record
from paysieve.errors import (
    InputError,
    InputIsDirectoryError,
    InputNotFoundError,
    InputNotReadableError,
    InvalidEncodingError,
    NotTextError,
    OutputError,
    RecordError,
)

GZIP_MAGIC = b"\x1f\x8b"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
INPUT_FORMATS = ("auto", "text", "jsonl", "html")
CHUNK_BYTES = 1 << 20
HEAD_BYTES = 1 << 16  # sniffed for binary data and the input format
NOT_TEXT_INVALID_SHARE = 0.3  # a head with more invalid UTF-8 than this is binary
SEGMENT_LINES = 20_000
SEGMENT_CHARS = 8_000_000
BOM = "\ufeff"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # invalid bytes under "surrogateescape"


@dataclass
class InputDocument:
    """One input document: its record (JSON Lines) or None (plain text), and its lines."""

    record: dict | None
    field: str  # "lines", "text" or "html" (lines made from the page source)
    lines: list[str] | None = None
    text: str | None = None
    where: str = ""  # "file:line" of a record, the file name for text
    blocks: HtmlBlocks | None = None  # an HTML page's block lines and their structure


@dataclass
class ReadStats:
    """What reading an input met: documents, replaced bytes, skipped records, a BOM."""

    documents: int = 0
    replaced_bytes: int = 0
    first_replaced: str | None = None  # where the first replacement happened
    skipped: int = 0
    skip_examples: list[str] = field(default_factory=list)
    bom: bool = False

    def skip(self, message: str) -> None:
        self.skipped += 1
        if len(self.skip_examples) < 3:
            self.skip_examples.append(message)


class Utf8Decoder:
    """Incremental UTF-8 decoding that counts (or, strict, refuses) invalid bytes.

    Invalid bytes become U+FFFD, one per byte; ``strict`` raises InvalidEncodingError with
    the offset of the first one in the (decompressed) input. A leading BOM is dropped.
    """

    def __init__(self, name: str, strict: bool, stats: ReadStats) -> None:
        self.name, self.strict, self.stats = name, strict, stats
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.offset = 0  # input bytes decoded so far

    def decode(self, data: bytes, where: str | None = None, final: bool = False) -> str:
        pending_before = len(self._decoder.getstate()[0])
        text = self._decoder.decode(data, final)
        start = self.offset
        self.offset += pending_before + len(data) - len(self._decoder.getstate()[0])
        if start == 0 and text.startswith(BOM):
            text, start = text[1:], 3
            self.stats.bom = True
        if not _has_escaped_bytes(text):
            return text
        match = _ESCAPED_BYTE.search(text)
        offset = start + len(text[: match.start()].encode("utf-8", "surrogateescape"))
        place = where or self.name
        if self.strict:
            raise InvalidEncodingError(
                f"{place}: invalid UTF-8 at byte offset {offset}"
                + (" of the decompressed data" if self.name.endswith(".gz") else ""),
                offset,
            )
        text, replaced = _ESCAPED_BYTE.subn("\ufffd", text)
        if self.stats.first_replaced is None:
            self.stats.first_replaced = f"{place} (byte offset {offset})"
        self.stats.replaced_bytes += replaced
        return text


def _has_escaped_bytes(text: str) -> bool:
    """Whether ``text`` holds invalid bytes escaped as lone surrogates (which UTF-8 cannot
    encode; the encoder finds them several times faster than a regex search)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class InputSource:
    """An opened input file or stdin ("-"): its decompressed bytes, read in chunks or lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.size: int | None = None
        self._raw = sys.stdin.buffer if path == "-" else self._open(path)
        if not hasattr(self._raw, "peek"):  # e.g. a stdin replaced by a test harness
            self._raw = io.BufferedReader(self._raw)
        magic = self._guarded(self._raw.peek, 2)[:2]
        self.gzipped = magic == GZIP_MAGIC
        if self.gzipped and path != "-" and not path.lower().endswith(".gz"):
            self.close()
            raise NotTextError(
                f"{path}: not text (gzip data; name the file *.gz to read it decompressed)"
            )
        self._stream: IO[bytes] = gzip.GzipFile(fileobj=self._raw) if self.gzipped else self._raw
        self.head = self.read(HEAD_BYTES)

    def _open(self, path: str) -> IO[bytes]:
        try:
            raw = open(path, "rb")  # noqa: SIM115 (closed by close())
        except FileNotFoundError:
            raise InputNotFoundError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputIsDirectoryError(f"{path}: is a directory, not a file") from None
        except PermissionError:
            raise InputNotReadableError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputNotReadableError(f"{path}: cannot read ({exc.strerror})") from None
        info = os.fstat(raw.fileno())
        if stat.S_ISDIR(info.st_mode):
            raw.close()
            raise InputIsDirectoryError(f"{path}: is a directory, not a file")
        if stat.S_ISREG(info.st_mode):
            self.size = info.st_size
        return raw

    def _guarded(self, read, *args) -> bytes:
        try:
            return read(*args)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(f"{self.name}: damaged gzip data ({exc})") from None
        except OSError as exc:
            raise InputNotReadableError(f"{self.name}: read error ({exc})") from None

    def read(self, size: int) -> bytes:
        """Up to ``size`` decompressed bytes (fewer only at the end)."""
        return self._guarded(self._stream.read, size)

    def chunks(self) -> Iterator[bytes]:
        """The whole (decompressed) input in chunks, the head first."""
        if self.head:
            yield self.head
        while chunk := self.read(CHUNK_BYTES):
            yield chunk

    def byte_lines(self) -> Iterator[bytes]:
        """The input's lines split on b"\\n" only (each with its b"\\n", the last maybe not)."""
        *complete, rest = self.head.split(b"\n")
        for line in complete:
            yield line + b"\n"
        if rest:
            yield rest + self._guarded(self._stream.readline)
        while line := self._guarded(self._stream.readline):
            yield line

    def position(self) -> int | None:
        """Bytes of the file read so far (compressed bytes for .gz), if it is a file."""
        try:
            return self._raw.tell() if self.size is not None else None
        except OSError:
            return None

    def close(self) -> None:
        if self.path != "-":
            self._raw.close()


def is_jsonl(path: str, head: str, input_format: str) -> bool:
    """Whether to read the input as JSON Lines: by option, by file name, or by content."""
    if input_format != "auto":
        return input_format == "jsonl"
    if path.lower().endswith(JSONL_SUFFIXES):
        return True
    start = head.lstrip()
    if not start.startswith("{"):
        return False
    if "\n" not in start:  # a first record longer than the sniffed head
        return True
    try:
        return isinstance(parse_record(start.split("\n", 1)[0], path), dict)
    except InputError:
        return False


def _check_utf16(source: InputSource, input_format: str) -> None:
    """A UTF-16 input (by its byte-order mark) is read only as an HTML page, whose reader
    decodes it; anything else is refused by name rather than as binary data."""
    if input_format == "html" or (
        input_format == "auto" and looks_like_html(decode_html(source.head))
    ):
        return
    raise NotTextError(
        f"{source.name}: UTF-16 text (byte-order mark); paysieve reads UTF-8 text "
        "(convert it, e.g. iconv -f UTF-16 -t UTF-8)"
    )


def _check_text(source: InputSource) -> None:
    head = source.head
    if b"\x00" in head:
        raise NotTextError(f"{source.name}: not text (binary data: NUL bytes)")
    text = head.decode("utf-8", "surrogateescape")
    invalid = len(_ESCAPED_BYTE.findall(text))
    if head and invalid > NOT_TEXT_INVALID_SHARE * len(head):
        raise NotTextError(f"{source.name}: not text (binary data: mostly invalid UTF-8)")


def lines_with_breaks(texts: Iterator[str]) -> Iterator[str]:
    """Lines (each with its line break) of text that arrives in pieces.

    Splits like ``str.splitlines`` on the whole text: a "\\r\\n" cut between two pieces stays
    one break, and a line spanning pieces is joined.
    """
    pending: list[str] = []
    for text in texts:
        for part in text.splitlines(keepends=True):
            if pending and pending[-1].endswith("\r"):
                if part.startswith("\n"):
                    pending.append("\n")
                    part = part[1:]
                yield "".join(pending)
                pending = []
                if not part:
                    continue
            pending.append(part)
            if part[-1] in LINE_BREAKS and part[-1] != "\r":
                yield "".join(pending)
                pending = []
    if pending:
        yield "".join(pending)


class DocumentReader:
    """The documents of one input file or stdin ("-"), read as a stream.

    Opening checks the file (missing, directory, unreadable: InputFileError subclasses)
    and that it is text (NotTextError), and decides the format: by ``input_format``
    ("auto", "text", "jsonl"), by name, or by content. Iterating yields InputDocuments;
    bad JSON Lines records raise RecordError naming ``file:line``, or, with
    ``skip_bad_records``, are counted in ``stats`` and skipped. Use as a context manager.
    """

    def __init__(
        self,
        path: str,
        input_format: str = "auto",
        strict: bool = False,
        skip_bad_records: bool = False,
    ) -> None:
        if input_format not in INPUT_FORMATS:
            raise InputError(f"unknown input format {input_format!r}")
        self.skip_bad_records = skip_bad_records
        self.stats = ReadStats()
        self.source = InputSource(path)
        utf16 = self.source.head.startswith(UTF16_BOMS)
        try:
            if utf16:
                _check_utf16(self.source, input_format)
            else:
                _check_text(self.source)
        except InputError:
            self.source.close()
            raise
        self.decoder = Utf8Decoder(self.source.name, strict, self.stats)
        head = self.source.head.decode("utf-8", "replace")
        self.is_jsonl = not utf16 and is_jsonl(path, head, input_format)
        self.is_html = not self.is_jsonl and (
            utf16
            or input_format == "html"
            or (input_format == "auto" and looks_like_html(self.source.head))
        )

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.source.close()

    def __iter__(self) -> Iterator[InputDocument]:
        if self.is_jsonl:
            documents = self._records()
        elif self.is_html:
            documents = self._html_page()
        else:
            documents = self._text_segments()
        for doc in documents:
            self.stats.documents += 1
            yield doc

    def _text_segments(self) -> Iterator[InputDocument]:
        segment: list[str] = []
        chars = 0
        emitted = False
        for line in lines_with_breaks(self._decoded_chunks()):
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

    def _decoded_chunks(self) -> Iterator[str]:
        for chunk in self.source.chunks():
            yield self.decoder.decode(chunk)
        yield self.decoder.decode(b"", final=True)

    def _records(self) -> Iterator[InputDocument]:
        for number, raw in enumerate(self.source.byte_lines(), 1):
            where = f"{self.source.name}:{number}"
            text = self.decoder.decode(raw, where, final=True)
            if not text.strip():
                continue
            try:
                yield record_document(text, where)
            except RecordError as exc:
                if not self.skip_bad_records:
                    raise
                self.stats.skip(str(exc))

    def position(self) -> int | None:
        """Bytes of the input file read so far (None for stdin)."""
        return self.source.position()


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


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same existing file (links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def open_output(path: str | None, compress: bool | None = None) -> Iterator[IO[str]]:
    """A text stream to ``path`` (atomically replaced on success) or to stdout (None/"-").

    Output to a name ending in ``.gz`` is gzipped unless ``compress`` says otherwise. A path
    that cannot be written raises OutputError before anything is written.
    """
    if path is None or path == "-":
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{path}: is a directory")
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: no such directory {directory}")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"{path}: cannot write (permission denied)")
    try:
        atomic = AtomicFile(target)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
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
    """A UTF-8 text layer over a binary stream that leaves the stream open.

    Lone surrogates (from JSON escapes like "\\ud800") are written as that escape.
    """
    wrapper = io.TextIOWrapper(
        binary, encoding="utf-8", errors="backslashreplace", newline="", write_through=False
    )
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()


def predicted_record(
    doc: InputDocument,
    labels: list[str],
    scores: list[float],
    kinds: list[str | None] | None = None,
    paywall: dict | None = None,
) -> dict:
    """The input record with per-line ``labels``, ``scores`` (probability of boilerplate)
    and, when the model has a kind model, ``kinds`` and the document's ``paywall`` verdict."""
    base = doc.record if doc.record is not None else {"lines": doc.lines}
    if doc.field == "html":
        base = {**base, "lines": doc.lines}
    record = {**base, "labels": labels, "scores": [round(s, 4) for s in scores]}
    if kinds is not None and paywall is not None:
        record["kinds"] = kinds
        record["paywall"] = paywall
    return record


def cleaned_record(doc: InputDocument, kept_lines: list[str], cleaned_text: str) -> dict:
    """The input record with the cleaned article in ``text`` (and kept ``lines``)."""
    record = dict(doc.record or {})
    if doc.field == "lines":
        record["lines"] = kept_lines
        record["text"] = "\n".join(kept_lines)
    else:
        record["text"] = cleaned_text
    return record
