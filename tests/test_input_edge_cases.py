"""Input at the edges of the reader: records longer than the part of the input sniffed
for its format, JSON Lines known by an ``.ndjson`` name, a text long enough to be cut
into segments by characters, UTF-16 byte-order marks, and the structure columns the
HTML reader gives every block line (worked out by hand from the markup)."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from paysieve.inference.cli import EXIT_INPUT, app
from typer.testing import CliRunner

from paysieve.documents.html_lines import BLOCK_CATEGORIES, STRUCTURE_NAMES, html_blocks
from paysieve.documents.reading import SEGMENT_CHARS

runner = CliRunner()
SNIFFED = 1 << 16  # the reader decides the format from the first 64 KiB
SENTENCE = "The ferry resumed service on Monday after the storm damaged its landing stage."


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture()
def m(small_model_path):
    return ["--model", str(small_model_path)]


def text_record(record_id: str, n_lines: int) -> dict:
    return {"id": record_id, "text": "\n".join(f"{SENTENCE} ({i})" for i in range(n_lines))}


def predicted_records(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(x) for x in result.stdout.splitlines()]


def test_a_first_record_longer_than_the_sniffed_head_is_still_json_lines(m):
    records = [text_record("long", 1_000), text_record("short", 3)]
    payload = "".join(json.dumps(r) + "\n" for r in records)
    assert len(payload.split("\n")[0]) > SNIFFED  # no line break in the sniffed head
    out = predicted_records(run("predict", "-", "-f", "jsonl", *m, input=payload))
    assert [r["id"] for r in out] == ["long", "short"]
    assert [len(r["labels"]) for r in out] == [1_000, 3]


def test_a_record_across_the_end_of_the_sniffed_head_is_read_whole(m, tmp_path):
    first = text_record("first", 10)
    first["pad"] = "x" * (SNIFFED - 2_000 - len(json.dumps(first)))
    records = [first, text_record("across", 60), text_record("after", 2)]
    lines = [json.dumps(r) for r in records]
    assert len(lines[0]) < SNIFFED < len(lines[0]) + len(lines[1])
    path = tmp_path / "corpus.txt"  # no JSON Lines name: detected by content
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = predicted_records(run("predict", path, "-f", "jsonl", *m))
    assert [r["id"] for r in out] == ["first", "across", "after"]
    assert [len(r["labels"]) for r in out] == [10, 60, 2]
    assert out[1]["text"] == records[1]["text"]


@pytest.mark.parametrize("name", ["corpus.ndjson", "corpus.ndjson.gz", "corpus.jsonl"])
def test_json_lines_names_decide_the_format(m, tmp_path, name):
    # A first line that is not JSON: by its name the file is JSON Lines (and the record
    # is an error), by its content it would be plain text.
    data = b'{not json\n{"id": 2, "text": "Subscribe now"}\n'
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result = run("predict", path, "-f", "jsonl", *m)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.startswith(f"paysieve: error: {path}:1: not valid JSON (")
    skipped = run("predict", path, "-f", "jsonl", "--on-error", "skip", "--allow-skips", *m)
    assert [r["id"] for r in predicted_records(skipped)] == [2]
    as_text = tmp_path / "corpus.txt"
    as_text.write_bytes(data)
    (record,) = predicted_records(run("predict", as_text, "-f", "jsonl", *m))
    assert record["lines"] == data.decode().splitlines()


def test_a_text_longer_than_a_segment_in_characters_is_cut_there(m, tmp_path):
    line = ("word " * 20_000)[:-1]  # 99,999 characters
    size = len(line) + 5  # with a four-digit number and the line break
    n = SEGMENT_CHARS // size + 3
    text = "".join(f"{line}{i:04d}\n" for i in range(n))
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    result = run("predict", path, "-f", "jsonl", "-o", out, *m)
    assert result.exit_code == 0, result.output
    segments = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    # a segment ends with the line that brings it to SEGMENT_CHARS characters
    first = -(-SEGMENT_CHARS // size)
    assert [len(s["lines"]) for s in segments] == [first, n - first]
    assert [x for s in segments for x in s["lines"]] == text.splitlines()
    cleaned = run("clean", path, *m)
    labels = [label for s in segments for label in s["labels"]]
    kept = [x for x, label in zip(text.splitlines(keepends=True), labels) if label == "content"]
    assert cleaned.stdout == "".join(kept)


PAGE = (
    "<!DOCTYPE html><html><body><article>"
    "<p>Grüße aus Köln: die Brücke über den Rhein ist seit Montag wieder offen.</p>"
    "<p>Die Reparatur dauerte drei Monate und kostete weniger als geplant.</p>"
    "</article><footer><p>© 2026 Kölner Blatt</p></footer></body></html>"
)
PAGE_LINES = [
    "Grüße aus Köln: die Brücke über den Rhein ist seit Montag wieder offen.",
    "Die Reparatur dauerte drei Monate und kostete weniger als geplant.",
    "© 2026 Kölner Blatt",
]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8"])
def test_html_pages_with_a_byte_order_mark(m, tmp_path, encoding):
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8": b"\xef\xbb\xbf"}
    data = bom[encoding] + PAGE.encode(encoding)
    assert html_blocks(data).lines == PAGE_LINES
    path = tmp_path / "page.html"
    path.write_bytes(data)
    (record,) = predicted_records(run("predict", path, "-f", "jsonl", *m))
    assert record["lines"] == PAGE_LINES
    forced = run("predict", path, "-f", "jsonl", "--input-format", "html", *m)
    assert predicted_records(forced) == [record]


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_utf16_text_is_named_not_called_binary(m, tmp_path, bom):
    path = tmp_path / "page.txt"
    encoding = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
    path.write_bytes(bom + "Grüße aus Köln.\nSubscribe now\n".encode(encoding))
    out = tmp_path / "out.txt"
    result = run("clean", path, "-o", out, *m)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.startswith(f"paysieve: error: {path}: UTF-16 text")
    assert "UTF-8" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()


def test_structure_columns_and_zones_of_each_block_line():
    html = (
        '<html><body><header class="top"><h2>Site name</h2></header>'
        '<main><article><h1>Title here</h1><p>Body text <a href="/">link</a></p>'
        "<figure><figcaption>Caption</figcaption></figure>"
        "<table><tr><td>Cell</td><th>Head</th></tr></table></article>"
        '<aside class="sidebar"><div class="promo"><p>Ad text</p></div></aside>'
        "<form><label>Email</label><button>Go</button></form></main>"
        "<ol><li>Item</li></ol><pre>code line</pre><blockquote>Quote</blockquote>"
        '<dl><dt>Term</dt><dd>Def</dd></dl><div hidden><p class="story">Hidden</p></div>'
        "text in body</body></html>"
    )
    blocks = html_blocks(html)
    assert blocks.lines == [
        "Site name", "Title here", "Body text link", "Caption", "Cell", "Head", "Ad text",
        "EmailGo", "Item", "code line", "Quote", "Term", "Def", "Hidden", "text in body",
    ]  # fmt: skip
    col = {name: blocks.structure[:, i] for i, name in enumerate(STRUCTURE_NAMES)}
    category = [BLOCK_CATEGORIES[int(c)] for c in col["block_category"]]
    assert category == [
        "h2",
        "h1",
        "p",
        "figcaption",
        "td",
        "th",
        "p",
        "other",
        "li",
        "pre",
        "blockquote",
        "dt",
        "dd",
        "p",
        "other",
    ]  # fmt: skip  (a form and the body are no listed block kind)
    # Depth counts the elements around the text, <body> being 1 (the parser adds <tbody>).
    assert col["depth"].tolist() == [3, 4, 4, 5, 7, 7, 5, 4, 3, 2, 2, 3, 3, 3, 1]
    assert col["link_share"][2] == pytest.approx(len("link") / len("Body textlink"))
    assert col["link_share"][[0, 1, 3]].tolist() == [0, 0, 0]
    zones = {
        "in_header": [0],
        "in_main": [1, 2, 3, 4, 5, 6, 7],
        "in_article": [1, 2, 3, 4, 5],
        "in_figure": [3],
        "in_table": [4, 5],
        "in_aside": [6],
        "in_form": [7],
        "in_list": [8],
        "in_nav": [],
        "in_footer": [],
        "hidden": [13],
    }
    for name, rows in zones.items():
        assert np.flatnonzero(col[name]).tolist() == rows, name
    # Hints add up over the ancestors: "sidebar" and "promo" are two furniture words.
    assert np.flatnonzero(col["boilerplate_hints"]).tolist() == [6]
    assert col["boilerplate_hints"][6] == 2
    assert np.flatnonzero(col["content_hints"]).tolist() == [13]  # class="story"
    container = blocks.container.tolist()
    assert container[1] == container[2] != container[0]  # the article's headline and text
    assert container[4] == container[5]  # the cells of one row
    assert container[11] == container[12] != container[8]  # a definition list's parts
