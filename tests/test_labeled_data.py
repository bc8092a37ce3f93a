import gzip
import json

import numpy as np
import pytest
from paysieve.training.labeled_data import LabeledDataError, read_labeled, site_of

from paysieve.labels import BOILERPLATE, CONTENT, UNKNOWN


def test_reads_benchmark_shaped_gzip_with_nulls_and_extra_fields(benchmark_file):
    docs = read_labeled(benchmark_file)
    assert [d.id for d in docs] == ["scrapinghub/abc123", "readability/localpaper-2"]
    first = docs[0]
    assert first.labels.tolist() == [
        BOILERPLATE,
        BOILERPLATE,
        CONTENT,
        CONTENT,
        BOILERPLATE,
        UNKNOWN,
    ]
    assert first.n_scored == 5
    assert first.meta["slices"][4] == ["paywall"]
    assert first.meta["html"] == "scrapinghub__abc123.html.gz"
    assert first.group == "example.co.uk"
    assert docs[1].group == "localpaper"


def test_reads_our_format_with_kinds(tmp_path):
    path = tmp_path / "ours.jsonl"
    record = {
        "id": "x",
        "lines": ["Share", "Text."],
        "labels": ["boilerplate", "content"],
        "kinds": ["share", None],
    }
    path.write_text(json.dumps(record) + "\n\n", encoding="utf-8")
    (doc,) = read_labeled(path)
    assert doc.kinds == ["share", None]
    assert np.array_equal(doc.labels, [BOILERPLATE, CONTENT])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "JSON object"),
        ('{"lines": ["a"], "labels": []}', "as long as 'lines'"),
        ('{"lines": ["a"], "labels": ["maybe"]}', "labels must be"),
        ('{"lines": [1], "labels": ["content"]}', "list of strings"),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"lines": ["a"], "labels": ["content"]})
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(LabeledDataError, match=rf"bad.jsonl:2: .*{message}"):
        read_labeled(path)


def test_damaged_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"lines": []}\n')[:12])
    with pytest.raises(LabeledDataError, match=r"broken\.jsonl\.gz"):
        read_labeled(path)


@pytest.mark.parametrize(
    ("record", "site"),
    [
        ({"url": "https://www.nytimes.com/2019/a.html"}, "nytimes.com"),
        ({"url": "https://news.bbc.co.uk/x"}, "bbc.co.uk"),
        ({"url": "http://blog.python.org/2016/x"}, "python.org"),
        ({"url": None, "id": "readability/nytimes-3"}, "nytimes"),
        ({"url": None, "id": "readability/lifehacker-post-comment-load"}, "lifehacker"),
        ({"url": "https://www.example.org/a", "site": "example.com"}, "example.com"),
        ({"url": None, "id": "l3s-gn1/17", "site": "unknown:17"}, "unknown:17"),
    ],
)
def test_site_of_groups_pages_of_one_site(record, site):
    assert site_of(record) == site
