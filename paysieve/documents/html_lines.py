"""HTML pages as text lines: one line per block element, the way a scraper's text dump looks.

Block elements (paragraphs, headings, list items, table cells, captions, quotes, ``div``...)
start and end a line, ``<br>`` ends one, and inside ``<pre>`` every newline does; inline
markup is joined into the surrounding line as written; whitespace is collapsed and empty
lines are dropped. The page head and non-text elements (``script``, ``style``, ``noscript``,
``template``, ``svg``, media...) are dropped. These are the rules the benchmark's labelled
lines were made with, so the model sees HTML input as it saw its training pages.

``html_blocks`` also records what the text alone lacks, for the HTML stage
(``paysieve.model.html_features``): each line's link share, block kind, depth, enclosing zones
(``nav``, ``footer``, ``article``...), furniture or article words in its ancestors' class and
id, whether an ancestor hides it (``hidden``, ``aria-hidden``, ``display: none``), and the
element that holds its block.

Parsing is done by selectolax's Lexbor engine (a browser-grade HTML5 parser: any input gives
a tree, however deep or large), in the optional extra ``paysieve[html]``.

Bytes are decoded by their byte-order mark, else their declared charset (``<meta charset>``,
``<meta http-equiv="Content-Type">``, ``<?xml encoding>``), else as UTF-8; invalid bytes
become U+FFFD. A declared charset that is unknown, or that contradicts bytes that are valid
UTF-8, is ignored. NUL and the other control characters that are not whitespace are dropped
(a browser shows none of them), so they never make a page unreadable (``html_text``).

Hostile pages (200,000 nested elements, 100,000 attributes on one element...) are parsed in
time and memory linear in the page: the few tags past browser-like limits are flattened
first, their text kept (``paysieve.documents.html_bounds``, limits in docs/html-limits.md).
"""

from __future__ import annotations

import codecs
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from paysieve.documents.freed_memory import return_freed_memory
from paysieve.documents.html_bounds import bounded_html
from paysieve.errors import PaysieveError

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
_LINE_TAGS = BLOCK_TAGS | {"pre"}  # elements that make lines of their own

HUGE_LINE = 1 << 20  # characters from which a line's whitespace is collapsed in place
# Characters of HTML from which the parsed tree's freed memory goes back to the system (on
# an ordinary page the few megabytes it held are left for the next page to reuse).
RETURN_FREED_FROM = 1 << 18
_WHITESPACE = re.compile(r"\s+")  # what str.split splits on
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
# What may come before a document's doctype or <html>: whitespace, comments, <?xml ...?>.
_PROLOGUE_ITEM = re.compile(r"\s+|<!--|<\?xml[^>]*>")
_DOCUMENT_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)
# Control characters a browser shows nothing for, dropped from HTML (the whitespace ones,
# tab, line breaks, form feed and the separators str.split knows, stay).
_CONTROL_CHARACTERS = tuple(map(chr, (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F)))
_INVISIBLE_CONTROLS = re.compile(f"[{''.join(_CONTROL_CHARACTERS)}]+")
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
    head = html_text(page[:SNIFF_BYTES]).lstrip("\ufeff")
    if _DOCUMENT_START.match(head, _prologue_end(head)):
        return True
    return head.lstrip().startswith("<") and len(_ELEMENT_TAG.findall(head)) >= MIN_TAGS


def _prologue_end(text: str) -> int:
    """Where the whitespace, comments and XML declaration at the start of a page end (a
    loop, not one regular expression: that backtracks exponentially over many comments)."""
    pos = 0
    while item := _PROLOGUE_ITEM.match(text, pos):
        if item.group() == "<!--":
            close = text.find("-->", item.end())
            if close < 0:
                return pos
            pos = close + 3
        else:
            pos = item.end()
    return pos


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


def html_text(page: bytes | str) -> str:
    """The text of an HTML page as the parser reads it, whether it came as a file's bytes
    (decoded by ``decode_html``) or as a string (a JSON Lines ``html`` field): NUL and the
    other control characters a browser shows nothing for are dropped."""
    text = decode_html(page) if isinstance(page, bytes) else page
    if any(control in text for control in _CONTROL_CHARACTERS):  # faster than a search
        return _INVISIBLE_CONTROLS.sub("", text)
    return text


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


# Structure of a block line (``HtmlBlocks.structure`` columns), for the HTML stage.
BLOCK_CATEGORIES = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "div", "pre", "blockquote",
    "figcaption", "dd", "dt", "title", "other",
)  # fmt: skip
ZONE_TAGS = (
    "nav", "header", "footer", "aside", "form", "article", "main", "figure", "table", "list",
)  # fmt: skip
STRUCTURE_NAMES: tuple[str, ...] = (
    ("link_share", "block_category", "depth", "boilerplate_hints", "content_hints")
    + tuple(f"in_{zone}" for zone in ZONE_TAGS)
    + ("hidden",)
)
_COLUMN = {name: i for i, name in enumerate(STRUCTURE_NAMES)}
_LIST_BIT = 1 << ZONE_TAGS.index("list")  # "list" is <ul> or <ol>
_ZONE_BIT = {tag: 1 << i for i, tag in enumerate(ZONE_TAGS) if tag != "list"}
_ZONE_BIT |= {"ul": _LIST_BIT, "ol": _LIST_BIT}
_CATEGORY = {tag: i for i, tag in enumerate(BLOCK_CATEGORIES)}
_OTHER = _CATEGORY["other"]
# class/id words (lower-cased; a case-blind pattern is several times slower) that mark page
# furniture, and those that mark the article.
_BOILERPLATE_HINT = re.compile(
    r"nav|menu|footer|header|comment|share|social|related|sidebar|widget|promo|banner|cookie"
    r"|newsletter|subscri|breadcrumb|tags?\b|byline|caption|gallery|\bads?\b|advert|sponsor"
    r"|popular|recommend|login|signup|modal|toolbar|paywall"
)
CACHED_WORDS = 256  # longer class/id values are not kept in the hints cache
_CONTENT_HINT = re.compile(r"article|content|story|post|entry|body|text|main|prose")
# Text a browser does not show (schema.org metadata blocks, closed menus, templates).
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


class _Context(NamedTuple):
    """What a text node inherits from its ancestors."""

    in_link: bool = False
    category: int = _OTHER
    zones: int = 0
    boilerplate_hints: int = 0
    content_hints: int = 0
    block: int = 0  # the enclosing block element (numbered in document order)
    container: int = 0  # the block element that encloses that one
    hidden: bool = False  # an ancestor is hidden (``hidden``, aria-hidden, display:none)


# The context fields a line's structure reads, in the order _LineBuilder stores them.
_STRUCTURE_FIELDS = (
    "category",
    "zones",
    "boilerplate_hints",
    "content_hints",
    "container",
    "hidden",
)
_structure_fields = itemgetter(*(_Context._fields.index(name) for name in _STRUCTURE_FIELDS))
_FIELD_COLUMN = {name: i for i, name in enumerate((*_STRUCTURE_FIELDS, "depth"))}


@dataclass(frozen=True)
class HtmlBlocks:
    """An HTML page as block lines, with each line's structure: ``structure`` has one row
    per line (columns ``STRUCTURE_NAMES``), ``container`` numbers the element that holds
    the line's block (lines of one article body share it)."""

    lines: list[str]
    structure: np.ndarray
    container: np.ndarray


class _LineBuilder:
    """Collects text pieces into lines; ``end_line`` closes the current one and records
    its structure: the first piece's context and depth, and how much of the text is link
    text. Per line it keeps the text and eight machine numbers (not the context object: a
    page of 50,000 table cells would keep 50,000 of them while its tree is in memory)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.fields = array("q")  # per line: its context's _STRUCTURE_FIELDS, then its depth
        self.link_shares = array("d")
        self._pieces: list[str] = []
        self._first: tuple[_Context, int] | None = None
        self._chars = self._link_chars = 0

    def end_line(self) -> None:
        if self._pieces:
            text = "".join(self._pieces)
            # the same collapse; for a huge text, without a list of every word in memory
            line = (
                " ".join(text.split())
                if len(text) < HUGE_LINE
                else _WHITESPACE.sub(" ", text).strip()
            )
            if line and self._first is not None:
                ctx, depth = self._first
                self.lines.append(line)
                self.fields.extend(_structure_fields(ctx))
                self.fields.append(depth)
                self.link_shares.append(self._link_chars / (self._chars or 1))
            self._pieces.clear()
            self._first = None
            self._chars = self._link_chars = 0

    def add(self, text: str, context: _Context, depth: int) -> None:
        """Add a piece of text to the current line."""
        self._pieces.append(text)
        if self._first is None:
            self._first = (context, depth)
        n = len(text.strip())
        self._chars += n
        if context.in_link:
            self._link_chars += n

    def add_preformatted(self, text: str, context: _Context, depth: int) -> None:
        """Add text from inside ``<pre>``: each newline in it ends a line."""
        *whole, last = text.split("\n")
        for part in whole:
            self.add(part, context, depth)
            self.end_line()
        self.add(last, context, depth)

    def blocks(self) -> HtmlBlocks:
        """The lines and their structure, written column by column into one array."""
        n = len(self.lines)
        fields = np.frombuffer(self.fields, dtype=np.int64).reshape(n, len(_FIELD_COLUMN))
        structure = np.empty((n, len(STRUCTURE_NAMES)))

        def field(name: str) -> np.ndarray:
            return fields[:, _FIELD_COLUMN[name]]

        structure[:, _COLUMN["link_share"]] = np.frombuffer(self.link_shares, dtype=np.float64)
        structure[:, _COLUMN["block_category"]] = field("category")
        structure[:, _COLUMN["depth"]] = field("depth")
        structure[:, _COLUMN["boilerplate_hints"]] = field("boilerplate_hints")
        structure[:, _COLUMN["content_hints"]] = field("content_hints")
        zones = field("zones")
        for bit, zone in enumerate(ZONE_TAGS):
            structure[:, _COLUMN[f"in_{zone}"]] = (zones >> bit) & 1
        structure[:, _COLUMN["hidden"]] = field("hidden")
        return HtmlBlocks(self.lines, structure, field("container").copy())


def _parser():
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        raise HtmlSupportMissing(
            "HTML input needs the optional HTML parser: pip install 'paysieve[html]'"
        ) from None
    return LexborHTMLParser


def _hints_of(words: str) -> tuple[int, int]:
    """(1 if the class/id words mark page furniture, 1 if they mark the article)."""
    words = words.lower()
    return int(bool(_BOILERPLATE_HINT.search(words))), int(bool(_CONTENT_HINT.search(words)))


_hints = lru_cache(maxsize=65536)(_hints_of)  # for the short words pages repeat


def _child_context(node, tag: str, context: _Context, block_number: int) -> _Context:
    """The context a child of element ``node`` (tag ``tag``) inherits (the same object
    when nothing changes, as for most inline elements)."""
    in_link, category, zones, bp_hints, ct_hints, block, container, hidden = context
    attributes = node.attributes
    words, hides = None, False
    if attributes:
        names, ident = attributes.get("class"), attributes.get("id")
        words = f"{names} {ident}" if names and ident else names or ident
        if words:
            bp, ct = _hints(words) if len(words) < CACHED_WORDS else _hints_of(words)
            bp_hints, ct_hints = bp_hints + bp, ct_hints + ct
        hides = not hidden and _hides(attributes)
    if block_number:
        container, block = block, block_number
        category = _CATEGORY.get(tag, _OTHER)
    elif not (words or hides) and tag not in _ZONE_BIT and (in_link or tag != "a"):
        return context
    return _Context(
        in_link or tag == "a",
        category,
        zones | _ZONE_BIT.get(tag, 0),
        bp_hints,
        ct_hints,
        block,
        container,
        hidden or hides,
    )


def _hides(attributes: dict) -> bool:
    """Whether an element's attributes hide it from view."""
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    return bool(style and _HIDING_STYLE.search(style))


def html_blocks(page: bytes | str) -> HtmlBlocks:
    """The block lines of an HTML page with their structure (bytes are decoded with
    ``decode_html``)."""
    text = bounded_html(html_text(page), _LINE_TAGS, DROPPED_TAGS)
    size = len(text)
    tree = _parser()(text)
    # The page's text and the UTF-8 copy the parser keeps are not read again: freed
    # before the walk makes the lines.
    tree.raw_html = b""
    del text
    out = _LineBuilder()
    root = tree.body or tree.root
    if root is not None:
        _walk(root, out)
    del tree, root  # the tree's memory is freed before the structure's arrays are made
    if size >= RETURN_FREED_FROM:
        return_freed_memory()
    return out.blocks()


def _walk(root, out: _LineBuilder) -> None:
    """Give ``out`` the text of ``root`` and its descendants, in document order."""
    add, end_line = out.add, out.end_line
    blocks = 0
    # Depth-first walk with an explicit stack (no recursion limit on deep pages) of the
    # open elements. The open element's state is kept in locals: the children still to
    # visit, whether it is a block, whether it is inside <pre>, the context its children
    # inherit and their depth. Entering an element pushes its parent's state; the for loop
    # resumes the parent's children when the element is done. The root is the one child
    # of a virtual parent.
    stack = []
    children, is_block, in_pre, context, depth = iter((root,)), False, False, _Context(), 0
    while True:
        for node in children:
            tag = node.tag
            if tag == "-text":
                text = node.text_content or ""
                if in_pre and "\n" in text:
                    out.add_preformatted(text, context, depth)
                else:
                    add(text, context, depth)
                continue
            if not tag or tag[0] in "-_!#" or tag in DROPPED_TAGS:
                continue  # comment, doctype, dropped element
            if tag == "br":
                end_line()
                continue
            block = tag in BLOCK_TAGS or tag == "pre"
            if block:
                end_line()
                blocks += 1
            stack.append((children, is_block, in_pre, context, depth))
            context = _child_context(node, tag, context, blocks if block else 0)
            children = node.iter(include_text=True)
            is_block, in_pre, depth = block, in_pre or tag == "pre", depth + 1
            break
        else:
            if is_block:
                end_line()
            if not stack:
                break
            children, is_block, in_pre, context, depth = stack.pop()
    end_line()


def html_lines(page: bytes | str) -> list[str]:
    """The text lines of an HTML page (bytes are decoded with ``decode_html``)."""
    return html_blocks(page).lines
