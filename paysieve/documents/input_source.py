"""Opening an input file or stdin and reading its (decompressed) bytes.

A file whose data starts with the gzip magic is decompressed on the fly when its name ends
in ``.gz`` (and always on stdin); gzip data under another name is refused, so a packed file
is never read as text by mistake. The first ``HEAD_BYTES`` are read at once: enough to
tell the format and to refuse binary data before anything is written.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from paysieve.documents.decoding import ESCAPED_BYTE
from paysieve.errors import (
    InputError,
    InputFileError,
    InputIsDirectoryError,
    InputNotFoundError,
    InputNotReadableError,
    NotTextError,
)

STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20
HEAD_BYTES = 1 << 16  # sniffed for binary data and the input format
NOT_TEXT_INVALID_SHARE = 0.3  # a head with more invalid UTF-8 than this is binary


def _input_file_error(path: str | Path, exc: OSError) -> InputFileError:
    """The error that says, in one line naming ``path``, why it cannot be read."""
    if isinstance(exc, FileNotFoundError):
        return InputNotFoundError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputIsDirectoryError(f"{path}: is a directory, not a file")
    if isinstance(exc, PermissionError):
        return InputNotReadableError(f"{path}: permission denied")
    return InputNotReadableError(f"{path}: cannot read ({exc.strerror})")


def open_input_file(path: str | Path) -> IO[bytes]:
    """``path`` opened for reading bytes; a missing, directory or unreadable path raises the
    matching InputFileError with a one-line message naming it."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 (the caller closes it)
    except OSError as exc:
        raise _input_file_error(path, exc) from None
    if stat.S_ISDIR(os.fstat(raw.fileno()).st_mode):
        raw.close()
        raise _input_file_error(path, IsADirectoryError())
    return raw


def check_input_files(paths: list[str]) -> None:
    """Raise the error ``open_input_file`` would for the first path that is missing, a
    directory or not readable, without opening any (a named pipe must be read only once),
    so that a run over several files stops before it writes anything ("-" is stdin)."""
    for path in paths:
        if path == STDIN:
            continue
        try:
            is_directory = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:
            raise _input_file_error(path, exc) from None
        if is_directory:
            raise _input_file_error(path, IsADirectoryError())
        if not os.access(path, os.R_OK):
            raise _input_file_error(path, PermissionError())


class InputSource:
    """An opened input file or stdin ("-"): its decompressed bytes, read in chunks or lines.

    ``size`` is the file's size in bytes (None for stdin and other streams); ``head`` the
    first ``HEAD_BYTES`` decompressed bytes, already read.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.name = "<stdin>" if self.path == STDIN else self.path
        self.size: int | None = None
        if self.path == STDIN:
            self._raw: IO[bytes] = sys.stdin.buffer
        else:
            self._raw = open_input_file(self.path)
            info = os.fstat(self._raw.fileno())
            if stat.S_ISREG(info.st_mode):
                self.size = info.st_size
        if not hasattr(self._raw, "peek"):  # e.g. a stdin replaced by a test harness
            self._raw = io.BufferedReader(self._raw)
        magic = self._guarded(self._raw.peek, 2)[:2]
        self.gzipped = magic == GZIP_MAGIC
        if self.gzipped and self.path != STDIN and not self.path.lower().endswith(".gz"):
            self.close()
            raise NotTextError(
                f"{self.path}: not text (gzip data; name the file *.gz to read it decompressed)"
            )
        self._stream: IO[bytes] = gzip.GzipFile(fileobj=self._raw) if self.gzipped else self._raw
        self.head = self.read(HEAD_BYTES)

    def _guarded(self, read, *args) -> bytes:
        try:
            return read(*args)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(f"{self.name}: damaged gzip data ({exc})") from None
        except OSError as exc:
            raise InputNotReadableError(f"{self.name}: read error ({exc})") from None

    def check_is_text(self) -> None:
        """Raise NotTextError when the head is binary data (NUL bytes, mostly invalid UTF-8)."""
        if b"\x00" in self.head:
            raise NotTextError(f"{self.name}: not text (binary data: NUL bytes)")
        invalid = len(ESCAPED_BYTE.findall(self.head.decode("utf-8", "surrogateescape")))
        if self.head and invalid > NOT_TEXT_INVALID_SHARE * len(self.head):
            raise NotTextError(f"{self.name}: not text (binary data: mostly invalid UTF-8)")

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
        if self.path != STDIN:
            self._raw.close()

    def __enter__(self) -> InputSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
