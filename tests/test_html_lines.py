import sys

import pytest

from paysieve.documents.html_lines import (
    HtmlSupportMissing,
    declared_charset,
    decode_html,
    html_lines,
    looks_like_html,
)
from paysieve.errors import PaysieveError


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_one_line_per_block_element_with_inline_markup_joined():
    html = page(
        "<h1>Bridge  reopens</h1>"
        "<p>The <b>old</b> bridge\n reopened on <a href='/x'>Monday</a>.</p>"
        "<ul><li>First item</li><li>Second <em>item</em></li></ul>"
        "<blockquote>A quote</blockquote><figure><img src=a.jpg>"
        "<figcaption>Photo: Ana</figcaption></figure>"
        "<nav><a href=/>Home</a><a href=/w>World</a></nav>"
    )
    assert html_lines(html) == [
        "Bridge reopens",
        "The old bridge reopened on Monday.",
        "First item",
        "Second item",
        "A quote",
        "Photo: Ana",
        "HomeWorld",
    ]


def test_scripts_styles_head_and_non_text_elements_are_dropped():
    html = page(
        "<script>var x = 'script text';</script><style>p {color: red}</style>"
        "<noscript>Enable JavaScript</noscript><template><p>template text</p></template>"
        "<svg><text>svg text</text></svg><p>Kept<!-- a comment --> text</p>",
        head="<title>Page title</title><meta charset=utf-8>",
    )
    assert html_lines(html) == ["Kept text"]


def test_br_pre_and_whitespace():
    html = page(
        "<p>line one<br>line two<br/><br>line\u00a0\t three</p>"
        "<pre>code a\n  code b\n\ncode c</pre>"
    )
    assert html_lines(html) == ["line one", "line two", "line three", "code a", "code b", "code c"]


def test_nested_blocks_split_the_text_around_them():
    html = page("<div>intro <span>words</span><div><p>inner</p>after inner</div>tail</div>")
    assert html_lines(html) == ["intro words", "inner", "after inner", "tail"]


def test_tables_give_one_line_per_cell_and_caption():
    html = page(
        "<table><caption>Results</caption><thead><tr><th>Team</th><th>Score</th></tr></thead>"
        "<tr><td>Porthaven <b>FC</b></td><td>3</td></tr><tr><td></td><td>  </td></tr></table>"
    )
    assert html_lines(html) == ["Results", "Team", "Score", "Porthaven FC", "3"]


def test_malformed_html_still_gives_its_text():
    html = (
        "<html><body><p>one<div>two</p>three<table><td>cell</b>four</i>"
        "<li>x<li>y</ul></p></span><p>unclosed <b>bold <i>italic"
    )
    assert html_lines(html) == ["one", "two", "three", "cellfour", "x", "y", "unclosed bold italic"]


def test_pages_without_text_give_no_lines():
    assert html_lines(b"") == []
    assert html_lines("   \n ") == []
    assert html_lines(page("<script>only()</script><img src=a.png><div> </div>")) == []
    assert html_lines("<html><head><title>Only a title</title></head></html>") == []
    assert html_lines(b"\x00\x00<p>nul bytes</p>") == ["nul bytes"]


def test_huge_and_deeply_nested_pages():
    deep = "<html><body>" + "<div>" * 20000 + "<p>deep text</p>" + "</div>" * 20000
    assert html_lines(deep + "<p>after</p>") == ["deep text", "after"]
    paragraph = "<p>" + "word " * 200 + "</p>"
    big = page(paragraph * 5000 + "<p>" + "x" * 3_000_000 + "</p><p>end</p>")
    lines = html_lines(big.encode("utf-8"))
    assert len(lines) == 5002
    assert len(lines[-2]) == 3_000_000 and lines[-1] == "end"


def test_declared_charset_is_honoured():
    body = "<p>Café in Köln, 5 €</p>"
    meta = page(body, head='<meta charset="windows-1252">').encode("cp1252")
    assert html_lines(meta) == ["Café in Köln, 5 €"]
    http_equiv = page(
        "<p>日本語の記事</p>",
        head='<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
    ).encode("shift_jis")
    assert html_lines(http_equiv) == ["日本語の記事"]
    xml = ('<?xml version="1.0" encoding="ISO-8859-2"?>' + page("<p>Łódź</p>")).encode("iso-8859-2")
    assert html_lines(xml) == ["Łódź"]
    # latin-1 means windows-1252, as in browsers: 0x80 is the euro sign
    assert html_lines(
        page("<p>5 \x80</p>", head="<meta charset=iso-8859-1>").encode("latin-1")
    ) == ["5 €"]


def test_wrong_declared_charsets_do_not_crash():
    text = "<p>Zürich – 10 €</p>"
    # unknown, and not a text encoding: ignored, UTF-8 used
    for label in ("x-no-such-charset", "base64", "rot13", "utf-7'"):
        data = page(text, head=f'<meta charset="{label}">').encode("utf-8")
        assert html_lines(data) == ["Zürich – 10 €"], label
    # declared latin-1 but the bytes are valid UTF-8: UTF-8 wins
    data = page(text, head="<meta charset=iso-8859-1>").encode("utf-8")
    assert html_lines(data) == ["Zürich – 10 €"]
    # declared UTF-16 in an ASCII-compatible page: read as UTF-8
    assert html_lines(page(text, head="<meta charset=utf-16>").encode("utf-8")) == ["Zürich – 10 €"]
    # declared UTF-8 but the bytes are not: replacement characters, no error
    data = page("<p>caf\xe9 au lait</p>", head="<meta charset=utf-8>").encode("latin-1")
    assert html_lines(data) == ["caf\ufffd au lait"]


def test_byte_order_mark_beats_declaration():
    html = page("<p>Grüße</p>", head="<meta charset=windows-1252>")
    assert html_lines(b"\xef\xbb\xbf" + html.encode("utf-8")) == ["Grüße"]
    assert html_lines(b"\xff\xfe" + html.encode("utf-16-le")) == ["Grüße"]


def test_decode_html_and_declared_charset():
    assert decode_html(b"plain ascii") == "plain ascii"
    assert decode_html(b"\xff\xfe") == ""
    assert declared_charset(b"<meta charset='KOI8-R'>") == "koi8-r"
    assert declared_charset(b"<p>no declaration</p>") is None
    assert declared_charset(b"<meta charset=bogus>") is None


@pytest.mark.parametrize(
    "doc",
    [
        "<!DOCTYPE html><p>x</p>",
        "\ufeff  <!-- saved --><html lang=en><p>x</p></html>",
        '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">',
        "<body><p>fragment</p></body>",
        "<div><p>a</p><p>b</p><p>c</p><ul><li>d</li><li>e</li></ul><br><a href=x>f</a></div>",
        b"<!doctype HTML>\n<html>",
    ],
)
def test_html_is_detected(doc):
    assert looks_like_html(doc)


@pytest.mark.parametrize(
    "doc",
    [
        "An article about web pages.\nUse a <div> element for layout.\n",
        '{"text": "<p>json</p>"}',
        "<3 this story",
        "",
        b"Plain bytes <p> once",
    ],
)
def test_plain_text_is_not_html(doc):
    assert not looks_like_html(doc)


def test_missing_parser_is_a_clear_paysieve_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "selectolax.lexbor", None)
    with pytest.raises(HtmlSupportMissing, match=r"pip install 'paysieve\[html\]'") as info:
        html_lines("<p>x</p>")
    assert isinstance(info.value, PaysieveError)


def test_html_blocks_record_each_lines_structure():
    from paysieve.documents.html_lines import STRUCTURE_NAMES, html_blocks

    html = page(
        '<nav class="site-menu"><ul><li><a href="/">Home</a></li></ul></nav>'
        '<article class="story-body"><p>First paragraph of the story.</p>'
        '<p>Second one with <a href="/x">a link</a> inside.</p></article>'
        '<footer id="site-footer"><p>© 2026 Example</p></footer>'
    )
    blocks = html_blocks(html)
    assert blocks.lines == [
        "Home",
        "First paragraph of the story.",
        "Second one with a link inside.",
        "© 2026 Example",
    ]
    col = {name: blocks.structure[:, i] for i, name in enumerate(STRUCTURE_NAMES)}
    assert col["link_share"][0] == 1.0 and col["link_share"][1] == 0.0
    assert 0.2 < col["link_share"][2] < 0.35  # "a link" of "Second one with a link inside."
    assert col["in_nav"].tolist() == [1, 0, 0, 0] and col["in_list"].tolist() == [1, 0, 0, 0]
    assert col["in_article"].tolist() == [0, 1, 1, 0] and col["in_footer"].tolist() == [0, 0, 0, 1]
    assert col["boilerplate_hints"].tolist() == [1, 0, 0, 1]  # site-menu, site-footer
    assert col["content_hints"].tolist() == [0, 1, 1, 0]  # story-body
    container = blocks.container.tolist()
    assert container[1] == container[2] != container[0]  # the article's paragraphs
    assert len(html_blocks("").lines) == 0 and html_blocks("").structure.shape == (0, 16)


def test_html_blocks_mark_text_a_browser_does_not_show():
    from paysieve.documents.html_lines import STRUCTURE_NAMES, html_blocks

    html = page(
        "<p>Shown paragraph.</p>"
        '<div style="display: none" itemscope><p>2019-11-13T23:06:00</p><span>inner</span></div>'
        '<p hidden>Closed menu</p><nav aria-hidden="true"><p>Skip link</p></nav>'
        '<div style="color: red"><p>Red but shown.</p></div>'
    )
    blocks = html_blocks(html)
    assert blocks.lines == [
        "Shown paragraph.",
        "2019-11-13T23:06:00",
        "inner",
        "Closed menu",
        "Skip link",
        "Red but shown.",
    ]
    hidden = blocks.structure[:, STRUCTURE_NAMES.index("hidden")].tolist()
    assert hidden == [0, 1, 1, 1, 1, 0]
