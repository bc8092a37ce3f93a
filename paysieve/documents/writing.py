"""Writing output: to stdout, to a text stream, or to a file replaced only once complete."""

from __future__ import annotations

import gzip
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from paysieve.documents.atomic_file import AtomicFile
from paysieve.errors import OutputError

STDOUT = "-"
Target = str | Path | IO[str] | None  # None or "-": stdout


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same existing file (links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def open_output(target: Target, compress: bool | None = None) -> Iterator[IO[str]]:
    """A text stream to ``target``: a file path (atomically replaced on success), an open
    text stream (written as it is), or stdout (None or "-").

    Output to a name ending in ``.gz`` is gzipped unless ``compress`` says otherwise. A path
    that cannot be written raises OutputError before anything is written.
    """
    if target is None or (isinstance(target, str) and target == STDOUT):
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        yield sys.stdout
        sys.stdout.flush()
        return
    if not isinstance(target, (str, Path)):
        yield target
        return
    path = Path(target)
    if path.is_dir():
        raise OutputError(f"{target}: is a directory")
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{target}: no such directory {directory}")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{target}: cannot write (permission denied)")
    try:
        atomic = AtomicFile(path)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    gz = path.name.endswith(".gz") if compress is None else compress
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
