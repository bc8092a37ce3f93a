"""HTML pages as text lines: one line per block element, the way a scraper's text dump looks.

Block elements (paragraphs, headings, list items, table cells, captions, quotes, ``div``...)
start and end a line, ``<br>`` ends one, and inside ``<pre>`` every newline does; inline
markup is joined into the surrounding line as written; whitespace is collapsed and empty
lines are dropped. The page head and non-text elements (``script``, ``style``, ``noscript``,
``template``, ``svg``, media...) are dropped. These are the rules the benchmark's labelled
lines were made with, so the model sees HTML input as it saw its training pages.

Parsing is done by selectolax's Lexbor engine (a browser-grade HTML5 parser: any input gives
a tree, however deep or large), in the optional extra ``paysieve[html]``.

Bytes are decoded by their byte-order mark, else their declared charset (``<meta charset>``,
``<meta http-equiv="Content-Type">``, ``<?xml encoding>``), else as UTF-8; invalid bytes
become U+FFFD. A declared charset that is unknown, or that contradicts bytes that are valid
UTF-8, is ignored.
"""

from __future__ import annotations

import codecs
import re

from model.errors import PaysieveError

# fmt: off
BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
    "legend", "li", "main", "menu", "nav", "noframes", "ol", "option", "optgroup", "p", "pre",
    "section", "select", "summary", "table", "tbody", "td", "textarea", "tfoot", "th", "thead",
    "title", "tr", "ul",
))
DROPPED_TAGS = frozenset((
    "head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
    "canvas", "audio", "video", "source", "track", "map",
))
# fmt: on

SNIFF_BYTES = 65536
CHARSET_BYTES = 4096
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# As browsers do (WHATWG Encoding): these labels mean windows-1252, and a UTF-16 label
# in a page whose bytes were readable enough to find it means UTF-8.
_CHARSET_ALIASES = {
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}
_DOCUMENT_START = re.compile(
    r"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_ELEMENT_TAG = re.compile(
    r"</?(?:p|div|span|a|br|li|ul|ol|h[1-6]|table|tr|td|th|section|article|header|footer|"
    r"nav|main|aside|figure|figcaption|blockquote|pre|img|meta|link|script|style|em|strong|b|i)"
    r"[\s/>]",
    re.IGNORECASE,
)
MIN_TAGS = 8  # element tags in the first SNIFF_BYTES that make a document without <html> HTML


class HtmlSupportMissing(PaysieveError):
    """HTML input was given but the optional HTML parser is not installed."""


def looks_like_html(page: bytes | str) -> bool:
    """Whether a document is an HTML page (or fragment) rather than plain text.

    True when it starts (after whitespace, comments, an XML declaration) with a doctype,
    ``<html>``, ``<head>`` or ``<body>``, or when it starts with a tag and holds at least
    ``MIN_TAGS`` HTML element tags in its first 64 KB.
    """
    head = page[:SNIFF_BYTES]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    head = head.lstrip("\ufeff\xef\xbb\xbf")
    if _DOCUMENT_START.match(head):
        return True
    return head.lstrip().startswith("<") and len(_ELEMENT_TAG.findall(head)) >= MIN_TAGS


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset a page declares near its start, if Python knows it."""
    match = _DECLARED_CHARSET.search(data[:CHARSET_BYTES])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
        b"".decode(name)  # rejects codecs that are not text encodings (base64, rot13...)
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def decode_html(data: bytes) -> str:
    """Text of an HTML page's bytes: BOM, else declared charset, else UTF-8 (with U+FFFD)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    charset = declared_charset(data)
    if charset and charset != "utf-8" and not data.isascii():
        try:
            return data.decode("utf-8")  # valid UTF-8 with non-ASCII: the declaration is wrong
        except UnicodeDecodeError:
            pass
    return data.decode(charset or "utf-8", errors="replace")


class _LineBuilder:
    """Collects text pieces into lines; ``end_line`` closes the current one."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._pieces: list[str] = []

    def end_line(self) -> None:
        if self._pieces:
            line = " ".join("".join(self._pieces).split())
            self._pieces.clear()
            if line:
                self.lines.append(line)

    def add(self, text: str, preformatted: bool) -> None:
        if not preformatted or "\n" not in text:
            self._pieces.append(text)
            return
        *whole, last = text.split("\n")
        for part in whole:
            self._pieces.append(part)
            self.end_line()
        self._pieces.append(last)


def _parser():
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        raise HtmlSupportMissing(
            "HTML input needs the optional HTML parser: pip install 'paysieve[html]'"
        ) from None
    return LexborHTMLParser


def html_lines(page: bytes | str) -> list[str]:
    """The text lines of an HTML page (bytes are decoded with ``decode_html``)."""
    text = decode_html(page) if isinstance(page, bytes) else page
    tree = _parser()(text.replace("\x00", ""))
    root = tree.body or tree.root
    out = _LineBuilder()
    if root is None:
        return out.lines
    # Depth-first walk with an explicit stack (no recursion limit on deep pages):
    # (node, closing, inside <pre>).
    stack = [(root, False, False)]
    while stack:
        node, closing, in_pre = stack.pop()
        tag = node.tag
        if closing:
            out.end_line()
            continue
        if tag == "-text":
            out.add(node.text_content or "", in_pre)
            continue
        if not tag or tag[0] in "-_!#" or tag in DROPPED_TAGS:
            continue  # comment, doctype, dropped element
        if tag == "br":
            out.end_line()
            continue
        if tag in BLOCK_TAGS or tag == "pre":
            out.end_line()
            stack.append((node, True, in_pre))
        child_pre = in_pre or tag == "pre"
        children = list(node.iter(include_text=True))
        stack.extend((child, False, child_pre) for child in reversed(children))
    out.end_line()
    return out.lines
