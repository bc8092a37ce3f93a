"""Hostile HTML made linear to parse: the few tags past browser-like limits are flattened.

An HTML5 tree builder (Lexbor's, as a browser's) does work per tag in proportion to the
depth of the open elements (its scope checks walk them), per ``<option>`` in proportion to
its ``<select>``'s options, per attribute in proportion to the element's attributes, and
reopens, in every block that follows, the formatting elements (``b``, ``a``, ``font``...)
an end tag left open. A page of 200,000 nested ``<div>`` elements thus takes minutes to
parse. ``bounded_html`` reads the page's markup once, with a tokenizer and a shadow of the
tree builder's stack of open elements (both linear in the page), and rewrites only the tags
that go past a limit:

- depth: an element that would open below ``MAX_DEPTH`` open elements (where Blink and
  WebKit stop nesting too) is flattened: a block element becomes a line break (``<br>``), so
  its text still makes lines of its own, an inline element is left out (its text joins the
  line, as written), and an element whose content is never shown (``template``, ``svg``,
  media...) is left out with that content;
- attributes: past ``MAX_ATTRIBUTES`` on one element, only those the HTML walk reads
  (``class``, ``id``, ``style``, ``hidden``, ``aria-hidden``) are kept;
- options: a ``<select>`` is split into selects of at most ``MAX_OPTIONS`` options;
- formatting: when an end tag would leave more than ``MAX_REOPENED`` formatting elements to
  be reopened in the blocks that follow (or once reopening has cost more than the page's
  own tags), they are closed where they stand, by end tags written before it.

Text is never dropped (except inside elements whose content the walk drops anyway), and a
page within the limits, as every ordinary page is, comes back unchanged (the same object).
The shadow stack follows the HTML standard's main rules (implied ends of ``p``, ``li``,
``dd``, ``dt``, ``option``, headings and table parts; scope; ``<a>`` inside ``<a>``); where it
is simpler than the standard it errs towards a deeper stack: it flattens early, not late.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator
from functools import cache

MAX_DEPTH = 512
MAX_ATTRIBUTES = 64
MAX_OPTIONS = 1024
MAX_REOPENED = 8
# The quick check: tags of this length or more get their attributes counted, and a simple
# stack deeper than this (or reopening, options past their limits) sends the page to the
# shadow stack.
LONG_TAG = 4 * MAX_ATTRIBUTES
CHECK_DEPTH = MAX_DEPTH // 2
SCAN_CHARS = 1 << 16
# fmt: off
VOID = frozenset((
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
))
# Elements whose content the tokenizer reads as text, up to their end tag.
RAW_TEXT = frozenset((
    "iframe", "noembed", "noframes", "plaintext", "script", "style", "textarea", "title", "xmp",
))
DOCUMENT = frozenset(("html", "head", "body"))  # never opened twice
FORMATTING = frozenset((
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
    "u",
))
# Start tags that close an open <p>.
CLOSES_P = frozenset((
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "li", "listing", "main", "menu", "nav", "ol",
    "p", "pre", "search", "section", "summary", "ul",
))
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LIST_ITEMS = ("li", "dd", "dt")
# Open elements an end tag cannot reach past (the standard's scopes, merged: errs deeper).
SCOPE_ENDS = frozenset((
    "applet", "button", "caption", "marquee", "object", "table", "td", "template", "th",
))
# ... those of them past which no formatting element is reopened.
MARKERS = frozenset(("applet", "caption", "marquee", "object", "td", "template", "th"))
# The standard's special elements (block-like: they stop an <li> search, and make "</b>"
# over them restructure rather than close), less those never on the stack.
SPECIAL = CLOSES_P | SCOPE_ENDS | frozenset((
    "colgroup", "frameset", "noscript", "select", "tbody", "tfoot", "thead", "tr",
))
SPECIAL_STOPS_ITEMS = SPECIAL - {"address", "div", "p", *LIST_ITEMS}
# Start tags before which the parser does not reopen formatting elements.
NO_REOPENING = SPECIAL | frozenset(("col", "option", "optgroup"))
FOREIGN = frozenset(("svg", "math"))
TABLE_PARTS = frozenset(("table", "tbody", "thead", "tfoot", "tr"))
TABLE_SECTIONS = ("tbody", "thead", "tfoot")
KEPT_ATTRIBUTES = frozenset(("class", "id", "style", "hidden", "aria-hidden"))
# fmt: on

# A markup token: a comment, a start or end tag name, or a bogus comment / doctype / "</>".
_MARKUP = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\t\n\f\r />]*)|[!?]|/(?![A-Za-z]))")
# The rest of a tag, up to its ">" (quoted attribute values may hold ">"). Each run is made
# atomic by a lookahead and a back-reference, so a tag cut off by the end of the page costs
# linear time instead of exponential backtracking.
_TAG_REST = re.compile(
    r"""(?:(?=([^>="']+))\1|=(?=([\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]*)))\2|["'])*>"""
)
_ATTRIBUTE = re.compile(
    r"""([^\t\n\f\r />][^\t\n\f\r />=]*)"""
    r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]*))?"""
)
_COMMENT_END = re.compile(r"--!?>")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_LONG_TAG = re.compile(rf"<[A-Za-z][^>]{{{LONG_TAG}}}")
_COMMENT_OR_RAW_TEXT = re.compile(
    rf"<!--.*?(?:-->|\Z)|<({'|'.join(sorted(RAW_TEXT))})[\t\n\f\r />].*?(?:</\1|\Z)",
    re.DOTALL | re.IGNORECASE,
)
# Start tags that close an open element of their own name that is the innermost one.
_SIBLINGS = frozenset(("p", "li", "dd", "dt", "option", "td", "th", "tr"))
_NOT_PUSHED = VOID | RAW_TEXT | DOCUMENT
_KEPT_PAST_LIMIT = _NOT_PUSHED  # they add no depth
_NOT_SPACE = re.compile(r"[^\t\n\f\r ]")

TEXT, START, END = 0, 1, 2


@cache
def _raw_text_end(name: str) -> re.Pattern:
    return re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)


def html_tokens(page: str) -> Iterator[tuple[int, str, int, int]]:
    """The page's text, start tags and end tags as (kind, tag name, start, end) offsets,
    as an HTML tokenizer splits them: comments, doctypes and bogus comments are skipped,
    the content of raw-text elements (``script``, ``style``, ``textarea``...) is part of
    their start tag's token, and a tag cut off by the end of the page ends the tokens."""
    n = len(page)
    pos = 0
    search, rest_of_tag = _MARKUP.search, _TAG_REST.match
    while pos < n:
        m = search(page, pos)
        start = m.start() if m else n
        if start > pos:
            yield TEXT, "", pos, start
        if m is None:
            return
        if m.group(1):  # a comment: "<!-->" and "<!--->" are empty ones
            after = m.end()
            if page.startswith(">", after):
                pos = after + 1
            elif page.startswith("->", after):
                pos = after + 2
            else:
                close = _COMMENT_END.search(page, after)
                pos = close.end() if close else n
            continue
        name = m.group(3)
        if name is None:  # doctype, bogus comment, "</>"
            close = page.find(">", m.end())
            pos = close + 1 if close >= 0 else n
            continue
        pos = m.end()
        if page.startswith(">", pos):  # most tags: no attributes
            pos += 1
        else:
            rest = rest_of_tag(page, pos)
            if rest is None:
                return
            pos = rest.end()
        name = name.lower()
        if m.group(2):
            yield END, name, start, pos
        elif name in RAW_TEXT:
            close = None if name == "plaintext" else _raw_text_end(name).search(page, pos)
            rest = close and rest_of_tag(page, close.start() + 2 + len(name))
            pos = rest.end() if rest else n
            yield START, name, start, pos
        else:
            yield START, name, start, pos


def _attributes_end(tag: str) -> int:
    return len(tag) - (2 if tag.endswith("/>") else 1)


def _has_too_many_attributes(tag: str, name_end: int) -> bool:
    return len(_ATTRIBUTE.findall(tag, name_end, _attributes_end(tag))) > MAX_ATTRIBUTES


def _trimmed_attributes(tag: str, name_end: int) -> str | None:
    """The start tag with only its first ``MAX_ATTRIBUTES`` attributes and the later ones
    the walk reads, or None when it has no more than that."""
    if not _has_too_many_attributes(tag, name_end):
        return None
    body_end = _attributes_end(tag)
    kept, seen = [], set()
    for match in _ATTRIBUTE.finditer(tag, name_end, body_end):
        name = match.group(1).lower()
        if name not in seen:  # the parser keeps the first of repeated attributes
            seen.add(name)
            if len(seen) <= MAX_ATTRIBUTES or name in KEPT_ATTRIBUTES:
                kept.append(match.group(0))
    return tag[:name_end] + " " + " ".join(kept) + tag[body_end:]


def may_go_past_limits(page: str) -> bool:
    """Whether a page may go past a limit: a quick check that errs towards yes, so that
    only the few pages that may need it are read by the shadow stack.

    It counts the attributes of long tags, and keeps a simple stack of the tag names that
    pops only what the parser surely pops (an end tag matching the innermost element, a
    ``<p>``, ``<li>``, ``<td>``... after one of its kind), so it is never shallower than
    the parser's; the formatting elements on it bound those the parser may reopen.
    """
    long_tags = [match.start() for match in _LONG_TAG.finditer(page)]
    if long_tags:
        unread = [(m.start(), m.end()) for m in _COMMENT_OR_RAW_TEXT.finditer(page)]
        starts = [start for start, _ in unread]
        for start in long_tags:
            inside = bisect.bisect(starts, start) - 1
            if inside >= 0 and start < unread[inside][1]:
                continue  # "<" in a script, a comment...: not a tag
            name = _MARKUP.match(page, start)
            rest = _TAG_REST.match(page, name.end())
            if rest and _has_too_many_attributes(page[start : rest.end()], name.end() - start):
                return True
    stack: list[str] = []
    push, pop = stack.append, stack.pop
    formatting = reopening = options = tags = 0
    for slash, name in _tag_names(page):
        tags += 1
        name = name.lower()
        if slash:
            if stack and stack[-1] == name:
                pop()
                formatting -= name in FORMATTING
            continue
        if name in _NOT_PUSHED:
            continue
        if stack:
            top = stack[-1]
            if top == "p" and name in CLOSES_P:
                pop()
                top = stack[-1] if stack else ""
            if top == name and name in _SIBLINGS:
                pop()
        push(name)
        if name in FORMATTING:
            formatting += 1
        elif name == "option":
            options += 1
        reopening += formatting
        if len(stack) > CHECK_DEPTH:
            return True
    return options > MAX_OPTIONS or reopening > 4096 + 4 * tags


def _tag_names(page: str) -> Iterator[tuple[str, str]]:
    """("/" or "", name) of every tag-like ``<name`` of the page, read a piece at a time
    (one list of every tag of a huge page would cost more memory than the page)."""
    start, n = 0, len(page)
    while start < n:
        end = page.find("<", start + SCAN_CHARS)
        end = n if end < 0 else end
        yield from _TAG_NAME.findall(page, start, end)
        start = end


def bounded_html(page: str, block_tags: frozenset[str], unshown_tags: frozenset[str]) -> str:
    """The page with the tags past the limits flattened (see the module docstring); the
    page itself when none is. ``block_tags`` are the elements that make lines of their own
    (flattened into line breaks), ``unshown_tags`` those whose content is not text (left
    out with it)."""
    if not may_go_past_limits(page):
        return page
    shadow = _ShadowStack(page, block_tags, unshown_tags)
    shadow.read()
    if not shadow.edits:
        return page
    pieces, pos = [], 0
    for start, end, replacement in shadow.edits:
        pieces += (page[pos:start], replacement)
        pos = end
    pieces.append(page[pos:])
    return "".join(pieces)


class _ShadowStack:
    """A shadow of the tree builder's stack of open elements, and the page's rewrites.

    ``names`` is the stack of tag names ("" for an element no end tag closes any more),
    ``flat`` marks the entries that were flattened (written as nothing or a line break),
    ``where[name]`` holds the stack positions of the open ``name`` elements (flattened ones
    are only counted, in ``flat_open``: they lie above all the others), ``scope_ends``,
    ``specials`` and ``markers`` the positions of those kinds of elements, ``reopen`` the
    formatting elements the parser will reopen at the next text or inline tag. ``edits``
    are the (start, end, replacement) spans of the page to rewrite, in page order.
    """

    def __init__(self, page: str, block_tags: frozenset[str], unshown_tags: frozenset[str]):
        self.page = page
        self.block_tags, self.unshown_tags = block_tags, unshown_tags
        # Stack positions are kept in arrays of machine integers (a page of 200,000 nested
        # elements has that many in each), not in lists of int objects.
        self.names: list[str] = []
        self.flat = array("b")  # 1: the entry is flattened
        self.where: dict[str, array[int]] = {}
        self.flat_open: dict[str, int] = {}  # flattened open elements, by name
        self.scope_ends = array("q")
        self.specials = array("q")
        self.item_stops = array("q")
        self.markers = array("q")
        # (name, stack position it was closed at, its start tag): the parser's list of
        # formatting elements, less those still open.
        self.reopen: list[tuple[str, int, str]] = []
        self.keys: dict[int, str] = {}  # the start tags of the open formatting elements
        self.depth = 0  # entries that are elements (not flattened)
        self.foreign = 0  # open svg / math elements
        self.options = 0  # options in the open <select>
        self.select_tag = "<select>"
        self.reopened = 0
        self.tags = 0
        self.text_since_break = True
        self.edits: list[tuple[int, int, str]] = []

    def read(self) -> None:
        page = self.page
        tokens = html_tokens(page)
        for kind, name, start, end in tokens:
            if kind == TEXT:
                if self.reopen:
                    self._reopen_formatting()
                if not self.text_since_break and _NOT_SPACE.search(page, start, end):
                    self.text_since_break = True
                continue
            self.tags += 1
            if kind == END:
                self._end_tag(name, start, end)
            elif self.depth >= MAX_DEPTH and name not in _KEPT_PAST_LIMIT:
                if self.foreign and page[end - 2] == "/":
                    continue
                if name in self.unshown_tags:
                    self._skip(name, start, tokens)
                    continue
                # flattened: the parser never sees it, so it closes nothing either
                self._edit(start, end, self._line_break() if name in self.block_tags else "")
                self._push(name, flat=True)
            elif self._start_tag(name, start, end):
                self._skip(name, start, tokens)

    # -- start and end tags --------------------------------------------------------------

    def _start_tag(self, name: str, start: int, end: int) -> bool:
        """Follow a start tag; True when it opens an unshown element to leave out whole."""
        if name in DOCUMENT or name in RAW_TEXT:
            return False
        if name in VOID:
            if name not in NO_REOPENING and self.reopen:
                self._reopen_formatting()
            self._trim_attributes(start, end)
            return False
        if self.foreign or name in FOREIGN:
            if self.page[end - 2] == "/":  # self-closing, in SVG and MathML
                return False
        elif not self._implied_ends(name, start, end):
            return False  # a tag the parser ignores here
        if name not in NO_REOPENING and self.reopen:  # after "<a>" closed an open <a>
            self._reopen_formatting()
        if self.depth >= MAX_DEPTH:  # after the parser's implied ends, still too deep
            if name in self.unshown_tags:
                return True
            self._edit(start, end, self._line_break() if name in self.block_tags else "")
            self._push(name, flat=True)
            return False
        self._trim_attributes(start, end)
        if name == "select":
            self.select_tag = self.page[start:end]
        self._push(name, key=self.page[start:end])
        return False

    def _implied_ends(self, name: str, start: int, end: int) -> bool:
        """Pop the elements a start tag closes; False when the parser ignores the tag."""
        top = self._top
        if name in TABLE_PARTS or name in ("td", "th", "caption", "colgroup"):
            return self._table_part(name, start, end)
        if name in CLOSES_P:
            if name in LIST_ITEMS:  # an open item of its kind closes, unless a block is
                # in between (other list items count as blocks here)
                kind, others = (("li",), ("dd", "dt")) if name == "li" else (("dd", "dt"), ("li",))
                item = max(top(n) for n in kind)
                stop = max(self.item_stops[-1] if self.item_stops else -1, *map(top, others))
                if item > stop:
                    self._pop_to(item, start)
            p = top("p")
            if p >= 0 and self._in_scope(p):
                self._pop_to(p, start)
            if name in HEADINGS and self.names and self.names[-1] in HEADINGS:
                self._pop_to(len(self.names) - 1, start)
        elif name in ("option", "optgroup"):
            if self.names and self.names[-1] == "option":
                self._pop_to(len(self.names) - 1, start)
            select = top("select")
            if name == "option" and select >= 0:
                self.options += 1
                if self.options > MAX_OPTIONS:
                    self._edit(start, start, "</select>" + self.select_tag)
                    self._pop_to(select, start)
                    self._push("select")
                    self.options = 1
        elif name == "select":
            select = top("select")
            if select >= 0:
                self._pop_to(select, start)
                return False
        elif name == "a":
            if top("a") >= 0 and not (self.markers and self.markers[-1] > top("a")):
                self._close_formatting("a", top("a"), start)
            self._forget_reopening("a")
        return True

    def _table_part(self, name: str, start: int, end: int) -> bool:
        """Pop what a table part's start tag closes, open the parts it implies (a row for a
        cell, a body for a row); False when no table is open (the parser ignores it)."""
        table = self._top("table")
        if table < 0:
            return name == "table"
        if name == "table":
            cell = max(self._top("td"), self._top("th"), self._top("caption"))
            if cell < table:  # a table directly in a table closes it
                self._pop_to(table, start)
            return True
        section = max(self._top(n) for n in TABLE_SECTIONS)
        row = self._top("tr")
        if name in ("td", "th"):
            if row > table:
                self._pop_to(row + 1, start)
            else:
                self._pop_to(max(section, table) + 1, start)
                if section < table:
                    self._push("tbody")
                self._push("tr")
        elif name == "tr":
            if section > table:
                self._pop_to(section + 1, start)
            else:
                self._pop_to(table + 1, start)
                self._push("tbody")
        else:
            self._pop_to(table + 1, start)
        return True

    def _end_tag(self, name: str, start: int, end: int) -> None:
        if name in DOCUMENT:
            return
        if self.flat_open.get(name):  # flattened elements lie above all others
            self._edit(start, end, self._line_break() if name in self.block_tags else "")
            names, flat, i = self.names, self.flat, len(self.names) - 1
            while not (flat[i] and names[i] == name):
                i -= 1
            self._pop_to(i, start)
            return
        position = max(self._top(n) for n in HEADINGS) if name in HEADINGS else self._top(name)
        if position < 0:
            if name in FORMATTING:
                self._forget_reopening(name)
            return
        if name in TABLE_PARTS:
            in_scope = self._top("table") <= position
        else:
            in_scope = self._in_scope(position)
        if not in_scope:
            return  # the parser ignores it
        if name in FORMATTING:
            self._close_formatting(name, position, start)
        else:
            self._pop_to(position, start)

    def _close_formatting(self, name: str, position: int, at: int) -> None:
        """A formatting element's end: popped with what is above it, unless a block element
        is open above it (the parser then moves elements around, the depth stays)."""
        if self.specials and self.specials[-1] > position:
            self.names[position] = ""
            self.where[name].pop()
        else:
            self._pop_to(position, at, closes_formatting=True)

    def _skip(self, name: str, start: int, tokens: Iterator) -> None:
        """Leave out an unshown element past the depth limit, with its content."""
        nested = 1
        end = len(self.page)
        for kind, other, _, token_end in tokens:
            if other != name:
                continue
            if kind == START and self.page[token_end - 2] != "/":
                nested += 1
            elif kind == END:
                nested -= 1
                if not nested:
                    end = token_end
                    break
        self._edit(start, end, "")

    def _edit(self, start: int, end: int, replacement: str) -> None:
        """Replace ``page[start:end]`` (joined to the last edit when they touch)."""
        edits = self.edits
        if edits and edits[-1][1] == start:
            previous = edits[-1]
            edits[-1] = (previous[0], end, previous[2] + replacement)
        else:
            edits.append((start, end, replacement))

    def _line_break(self) -> str:
        """A line break, unless no text came since the last one (no empty lines needed)."""
        if self.text_since_break:
            self.text_since_break = False
            return "<br>"
        return ""

    def _trim_attributes(self, start: int, end: int) -> None:
        if end - start > 2 * MAX_ATTRIBUTES:  # each attribute takes two characters or more
            tag = self.page[start:end]
            trimmed = _trimmed_attributes(tag, _MARKUP.match(tag).end())
            if trimmed is not None:
                self._edit(start, end, trimmed)

    # -- the stack -------------------------------------------------------------------------

    def _top(self, name: str) -> int:
        """Stack position of the innermost open ``name``, or -1."""
        positions = self.where.get(name)
        return positions[-1] if positions else -1

    def _in_scope(self, position: int) -> bool:
        return not (self.scope_ends and self.scope_ends[-1] > position)

    def _push(self, name: str, flat: bool = False, key: str = "") -> None:
        position = len(self.names)
        self.names.append(name)
        self.flat.append(flat)
        if flat:
            self.flat_open[name] = self.flat_open.get(name, 0) + 1
            return
        positions = self.where.get(name)
        if positions is None:
            positions = self.where[name] = array("q")
        positions.append(position)
        self.depth += 1
        if name in FORMATTING:
            self.keys[position] = key or name
        elif name in SPECIAL:
            self.specials.append(position)
            if name in SPECIAL_STOPS_ITEMS:
                self.item_stops.append(position)
            if name in SCOPE_ENDS:
                self.scope_ends.append(position)
                if name in MARKERS:
                    self.markers.append(position)
        if name in FOREIGN:
            self.foreign += 1
        elif name == "select":
            self.options = 0

    def _pop_to(self, position: int, at: int, closes_formatting: bool = False) -> None:
        """Pop the stack down to ``position`` (included), as the token at page offset
        ``at`` makes the parser do. Formatting elements popped along (not the one an end
        tag closes) are left to reopen, unless that makes too many: then they are closed
        here, by end tags written before the token."""
        names, flat, keys = self.names, self.flat, self.keys
        if position >= len(names):
            return
        first = position + 1 if closes_formatting else position
        lingering = [
            (names[i], i, keys[i])
            for i in range(first, len(names))
            if not flat[i] and names[i] in FORMATTING
        ]
        if lingering:
            reopen = self.reopen[:]
            for entry in lingering:
                same = [j for j, other in enumerate(reopen) if other[2] == entry[2]]
                if len(same) >= 3:  # the parser keeps three alike (its "Noah's Ark" rule)
                    del reopen[same[0]]
                reopen.append(entry)
            if len(reopen) > MAX_REOPENED or self.reopened > 4096 + self.tags:
                ends = "".join(
                    f"</{names[i]}>"
                    for i in range(len(names) - 1, position, -1)
                    if names[i] and not flat[i]
                )
                self._edit(at, at, ends)
                reopen = []
            self.reopen = reopen
        where = self.where
        while len(names) > position:
            i = len(names) - 1
            name, was_flat = names.pop(), flat.pop()
            if was_flat:
                self.flat_open[name] -= 1
                continue
            positions = where.get(name)
            if positions and positions[-1] == i:
                positions.pop()
            self.depth -= 1
            keys.pop(i, None)
            if self.specials and self.specials[-1] == i:
                self.specials.pop()
                if self.item_stops and self.item_stops[-1] == i:
                    self.item_stops.pop()
                if self.scope_ends and self.scope_ends[-1] == i:
                    self.scope_ends.pop()
                    if self.markers and self.markers[-1] == i:
                        self.markers.pop()
                        self.reopen = [entry for entry in self.reopen if entry[1] < i]
            if name in FOREIGN:
                self.foreign -= 1

    def _reopen_formatting(self) -> None:
        """The parser reopens the formatting elements left to reopen."""
        self.reopened += len(self.reopen)
        entries, self.reopen = self.reopen, []
        for name, _, key in entries:
            self._push(name, key=key)

    def _forget_reopening(self, name: str) -> None:
        """An end tag (or ``<a>``) takes the latest ``name`` off the elements to reopen."""
        for i in range(len(self.reopen) - 1, -1, -1):
            if self.reopen[i][0] == name:
                del self.reopen[i]
                return
