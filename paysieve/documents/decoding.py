"""Bytes to text: incremental UTF-8 decoding that counts or refuses invalid bytes, and lines
that keep their line breaks however the text arrives in pieces."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from paysieve.errors import InvalidEncodingError

BOM = "\ufeff"
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # invalid bytes under "surrogateescape"


@dataclass
class DecodingStats:
    """What decoding met: invalid bytes replaced (and where the first was), a leading BOM."""

    replaced_bytes: int = 0
    first_replaced: str | None = None
    bom: bool = False


class Utf8Decoder:
    """Incremental UTF-8 decoding that counts (or, strict, refuses) invalid bytes.

    Invalid bytes become U+FFFD, one per byte, counted in ``stats``; ``strict`` raises
    InvalidEncodingError with the offset of the first one in the (decompressed) input. A
    leading BOM is dropped and noted in ``stats``.
    """

    def __init__(self, name: str, strict: bool, stats: DecodingStats) -> None:
        self.name, self.strict, self.stats = name, strict, stats
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.offset = 0  # input bytes decoded so far

    def decode(self, data: bytes, where: str | None = None, final: bool = False) -> str:
        """The text of ``data`` (the bytes after those decoded before); ``where`` names the
        place in error messages (default: the input's name)."""
        pending_before = len(self._decoder.getstate()[0])
        text = self._decoder.decode(data, final)
        start = self.offset
        self.offset += pending_before + len(data) - len(self._decoder.getstate()[0])
        if start == 0 and text.startswith(BOM):
            text, start = text[1:], 3
            self.stats.bom = True
        if not _has_escaped_bytes(text):
            return text
        match = ESCAPED_BYTE.search(text)
        offset = start + len(text[: match.start()].encode("utf-8", "surrogateescape"))
        place = where or self.name
        if self.strict:
            raise InvalidEncodingError(
                f"{place}: invalid UTF-8 at byte offset {offset}"
                + (" of the decompressed data" if self.name.endswith(".gz") else ""),
                offset,
            )
        text, replaced = ESCAPED_BYTE.subn("\ufffd", text)
        if self.stats.first_replaced is None:
            self.stats.first_replaced = f"{place} (byte offset {offset})"
        self.stats.replaced_bytes += replaced
        return text

    def decode_all(self, chunks: Iterable[bytes]) -> Iterator[str]:
        """The text of every chunk, then of the bytes a last cut character left pending."""
        for chunk in chunks:
            yield self.decode(chunk)
        yield self.decode(b"", final=True)


def _has_escaped_bytes(text: str) -> bool:
    """Whether ``text`` holds invalid bytes escaped as lone surrogates (which UTF-8 cannot
    encode; the encoder finds them several times faster than a regex search)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lines_with_breaks(texts: Iterable[str]) -> Iterator[str]:
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
