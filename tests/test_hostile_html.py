"""Hostile and messy HTML: bounded work (depth, attributes, options, reopened formatting),
text kept, NUL bytes read like a browser. Speed is measured in benchmarks/hostile_html.py
(these tests count the parser's elements instead of timing it)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paysieve.inference.cli import app
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from paysieve.documents import html_bounds
from paysieve.documents.html_bounds import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_OPTIONS,
    MAX_REOPENED,
    bounded_html,
    may_go_past_limits,
)
from paysieve.documents.html_lines import (
    DROPPED_TAGS,
    HUGE_LINE,
    html_blocks,
    html_lines,
    html_text,
    looks_like_html,
)
from paysieve.documents.reading import DocumentReader
from paysieve.documents.records import record_document
from paysieve.errors import NotTextError

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
spec = importlib.util.spec_from_file_location("hostile_html", BENCHMARKS / "hostile_html.py")
hostile = importlib.util.module_from_spec(spec)
sys.modules["hostile_html"] = hostile
spec.loader.exec_module(hostile)

LINE_TAGS = html_bounds.CLOSES_P | {"td", "th", "tr", "table", "select", "option"}
# What a page past the limits may still nest: the limit, the formatting elements the
# parser reopens, and the table parts it adds (tbody, tr) around a cell.
DEPTH_SLACK = MAX_REOPENED + 8


def bounded(page: str) -> str:
    return bounded_html(page, LINE_TAGS, DROPPED_TAGS)


def tree_size(page: str) -> tuple[int, int]:
    """(depth, elements and text nodes) of the tree the parser builds from ``page``."""
    tree = LexborHTMLParser(page)
    deepest, nodes, stack = 0, 0, [(tree.root, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter(include_text=True))
    return deepest, nodes


def lines_hold_markers(data: bytes) -> bool:
    lines = "\n".join(html_lines(data))
    return all(marker in lines for marker in hostile.markers_in(data))


# -- the hostile pages, small ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scale"),
    [
        ("nested_divs", 0.01),  # 2,000 levels
        ("nested_divs_closed", 0.01),
        ("nested_lists", 0.02),
        ("nested_tables", 0.02),
        ("misnested", 0.05),
        ("siblings", 0.02),
        ("table", 0.05),
        ("mixed_encodings", 0.05),
        ("nul_bytes", 1),
        ("select_options", 0.03),
        ("reopened_formatting", 0.02),
    ],
)
def test_hostile_pages_keep_their_text_and_parse_to_a_bounded_tree(name, scale):
    data = hostile.PAGES[name](scale)
    assert hostile.markers_in(data) or name == "nul_bytes"
    assert lines_hold_markers(data)
    depth, nodes = tree_size(bounded(html_text(data)))
    assert depth <= MAX_DEPTH + DEPTH_SLACK
    assert nodes <= len(data) // 3 + 100  # a node needs three characters of markup at least


def test_the_benchmark_counts_a_page_s_elements_by_its_start_tags():
    assert hostile.elements_in(b"<p>a < b</p><br/><!-- <i> --></div><TD>x") == 3
    assert hostile.elements_in(hostile.table(0.01)) >= 500  # one per cell at least


def test_deep_nesting_is_flattened_past_the_limit_and_its_blocks_stay_lines():
    depth = 3 * MAX_DEPTH
    page = "<body>" + "".join(f"<div>level {i}" for i in range(depth)) + "</div>" * depth
    assert tree_size(page)[0] > depth  # what the parser would build
    assert tree_size(bounded(page))[0] <= MAX_DEPTH + DEPTH_SLACK
    assert html_lines(page) == [f"level {i}" for i in range(depth)]
    # past the limit an inline element is left out, its text joined to the line
    inline = "<body>" + "<div>" * depth + "<p>one <b>two</b> <a href=x>three</a></p>"
    assert html_lines(inline) == ["one two three"]
    # ... and unshown content stays unshown
    hidden = "<body>" + "<div>" * depth + "<p>seen</p><svg><text>icon</text></svg><p>too</p>"
    assert html_lines(hidden) == ["seen", "too"]


def test_ordinary_pages_come_back_unchanged():
    page = hostile.page(
        "<nav><ul><li><a href=/>Home</a><li>News</ul></nav><table><tr><td>a<td>b</table>"
        + "<div><p>text <b>bold <i>both</b> italic</i></p></div>" * 50
    )
    assert not may_go_past_limits(page)
    assert bounded(page) is page
    deep_but_fine = "<body>" + "<div>" * 200 + "x"
    assert bounded(deep_but_fine) is deep_but_fine


def test_an_element_keeps_at_most_max_attributes_and_the_ones_the_walk_reads():
    many = " ".join(f"data-x{i}=1" for i in range(50 * MAX_ATTRIBUTES))
    page = f"<body><div {many} class='nav-menu' hidden><p>menu item</p></div><p>story</p>"
    assert may_go_past_limits(page)
    tree = LexborHTMLParser(bounded(page))
    div = tree.css_first("div")
    assert len(div.attributes) == MAX_ATTRIBUTES + 2
    assert div.attributes["class"] == "nav-menu"
    blocks = html_blocks(page)
    assert blocks.lines == ["menu item", "story"]
    assert blocks.structure[0, 3] == 1  # the class words still mark it as furniture
    assert blocks.structure[0, -1] == 1 and blocks.structure[1, -1] == 0  # hidden kept


def test_a_select_is_split_into_selects_of_at_most_max_options():
    options = [f"option {i}" for i in range(2 * MAX_OPTIONS + 10)]
    page = "<body><select name=s>" + "".join(f"<option>{o}" for o in options) + "</select>"
    tree = LexborHTMLParser(bounded(page))
    selects = tree.css("select")
    assert len(selects) == 3
    assert all(len(s.css("option")) <= MAX_OPTIONS for s in selects)
    assert html_lines(page) == options


def test_formatting_elements_are_not_reopened_in_every_following_block():
    bold = "".join(f"<b id=b{i}>" for i in range(200))
    page = f"<body><div>{bold}</div>" + "<p>paragraph</p>" * 300
    assert tree_size(page)[1] > 200 * 300  # what the parser would build
    assert tree_size(bounded(page))[1] < 10 * (200 + 300)
    assert html_lines(page) == ["paragraph"] * 300


# -- generated tag soup ----------------------------------------------------------------------

TAGS = (
    "div", "p", "span", "b", "i", "a", "font", "li", "ul", "ol", "dl", "dt", "dd", "table",
    "tbody", "tr", "td", "th", "caption", "h2", "form", "select", "option", "em", "button",
    "section", "nobr", "marquee", "center", "blockquote", "pre", "strong",
)  # fmt: skip
TOKEN = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.tuples(st.sampled_from(("b", "a", "font", "i")), st.integers(0, 99)).map(
        lambda t: f"<{t[0]} id=x{t[1]}>"
    ),
    st.sampled_from(("<br>", "<img src=x>", "<!-- c -->", "<div/>", "<td>", "</p>", "\x00")),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    prefix=st.lists(TOKEN, max_size=30),
    chunk=st.lists(TOKEN, min_size=1, max_size=8),
    repeats=st.integers(1, 800),
)
def test_generated_soup_keeps_its_words_and_parses_to_a_bounded_tree(prefix, chunk, repeats):
    """Soup made of a random prefix and a random chunk repeated up to 800 times (so deep
    nesting, long runs of siblings and unclosed formatting come up), a word after every
    token: every word is kept, and the tree stays within the limits, linear in the page."""
    tokens = prefix + chunk * repeats
    page = "".join(f"{token}w{i} " for i, token in enumerate(tokens))
    kept = set(" ".join(html_lines(page.encode())).split())
    assert {f"w{i}" for i in range(len(tokens))} <= kept
    depth, nodes = tree_size(bounded(page.replace("\x00", "")))
    assert depth <= MAX_DEPTH + DEPTH_SLACK
    assert nodes <= 8 * len(tokens) + 100
    if not may_go_past_limits(page):  # the quick check never lets a deep page through
        assert tree_size(page)[0] <= MAX_DEPTH + DEPTH_SLACK


# -- NUL and control bytes -------------------------------------------------------------------

NUL_PAGE = hostile.nul_bytes()


def test_nul_and_control_bytes_are_dropped_like_a_browser_shows_them():
    assert html_lines(b"<p>a\x00b\x01c\x7f d\x0be</p><p>\x08</p>") == ["abc d e"]
    assert html_text("clean text") == "clean text"


def test_an_html_page_with_nul_bytes_gives_the_same_lines_from_a_file_stdin_and_jsonl(
    tmp_path, monkeypatch
):
    expected = html_lines(NUL_PAGE)
    assert all(sentence in expected for sentence in hostile.ARTICLE)
    path = tmp_path / "page.html"
    path.write_bytes(NUL_PAGE)
    with DocumentReader(str(path)) as reader:
        (from_file,) = list(reader)
    assert from_file.field == "html" and from_file.lines == expected
    record = json.dumps({"html": NUL_PAGE.decode()})
    assert record_document(record, "pages.jsonl:1").lines == expected
    forced = tmp_path / "page.txt"
    forced.write_bytes(NUL_PAGE)
    with DocumentReader(str(forced), input_format="html") as reader:
        assert next(iter(reader)).lines == expected


def test_clean_keeps_the_article_of_a_page_with_nul_bytes(tmp_path):
    """Through the CLI with the bundled model, from a file and from stdin."""
    path = tmp_path / "page.html"
    path.write_bytes(NUL_PAGE)
    runner = CliRunner()
    result = runner.invoke(app, ["clean", str(path)])
    assert result.exit_code == 0, result.output
    assert all(sentence in result.output for sentence in hostile.ARTICLE)
    assert runner.invoke(app, ["clean", "-"], input=NUL_PAGE).output == result.output


@pytest.mark.parametrize(
    ("name", "content", "input_format"),
    [
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "auto"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "html"),
        ("nul.txt", b"plain text\x00with a NUL byte", "auto"),
        ("page.txt", NUL_PAGE, "text"),
    ],
)
def test_bytes_that_are_not_an_html_page_are_still_refused(tmp_path, name, content, input_format):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NotTextError), DocumentReader(str(path), input_format=input_format):
        pass


# -- sniffing and huge lines -----------------------------------------------------------------


def test_sniffing_reads_past_many_comments_and_utf16_and_nul_bytes():
    # one regular expression for this backtracked exponentially in the number of comments
    assert looks_like_html("<!-- saved -->\n" * 60 + "<!DOCTYPE html><p>x")
    assert not looks_like_html("<!-- a --> text <!-- b --><html>")
    assert looks_like_html(b"\xff\xfe" + "<html><p>x</p>".encode("utf-16-le"))
    assert looks_like_html(b"\x00\x00<!DOCTYPE html>")


def test_a_huge_line_collapses_its_whitespace_like_a_short_one():
    words = "word\u00a0 \t two\u2003three\x1c " * (HUGE_LINE // 16)
    (line,) = html_lines(f"<p> {words} </p>")
    assert len(words) > HUGE_LINE
    assert line == " ".join(words.split())


def test_a_large_page_hands_its_parsed_tree_back_to_the_system(monkeypatch):
    from paysieve.documents import html_lines as module
    from paysieve.documents.html_lines import RETURN_FREED_FROM

    calls = []
    monkeypatch.setattr(module, "return_freed_memory", lambda: calls.append(1) or True)
    assert html_blocks("<p>a small page</p>").lines == ["a small page"]
    assert calls == []  # an ordinary page leaves the freed heap for the next page
    words = "word " * (RETURN_FREED_FROM // 5)
    assert html_blocks(f"<p>{words}</p><p>end</p>").lines[-1] == "end"
    assert calls == [1]


def test_freed_memory_goes_back_where_the_c_library_can_do_it():
    import platform

    from paysieve.documents.freed_memory import return_freed_memory

    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert return_freed_memory() is glibc
