"""Bad input through the CLI and the reader: one clear line, a documented exit code, and
no output file written or damaged."""

import gzip
import json

import pytest
from paysieve.inference import cli
from paysieve.inference.cli import (
    EXIT_INPUT,
    EXIT_IS_DIRECTORY,
    EXIT_NOT_FOUND,
    EXIT_NOT_READABLE,
    EXIT_OUTPUT,
    EXIT_SKIPPED,
    app,
)
from typer.testing import CliRunner

from paysieve import errors
from paysieve.documents.reading import DocumentReader

runner = CliRunner()
ARTICLE = [
    "The harbour reopened on Monday after three weeks of repairs to the sea wall.",
    "Fishing boats returned to their moorings before noon, the harbour master said.",
    "Subscribe now",
    "Repairs cost less than the council had feared, according to its own report.",
    "Sign in",
]


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture()
def m(small_model_path):
    return ["--model", str(small_model_path)]


def kept_flags(m, lines):
    """Which lines the model keeps, from `predict --format jsonl` on the same lines."""
    record = json.dumps({"lines": lines})
    result = run("predict", "-", "-f", "jsonl", *m, input=record + "\n")
    assert result.exit_code == 0, result.output
    return [label == "content" for label in json.loads(result.stdout)["labels"]]


@pytest.mark.parametrize(
    ("endings", "bom"),
    [
        (["\r\n"] * 5, False),
        (["\r"] * 5, False),
        (["\n", "\r\n", "\r", "\u2028", "\x85"], False),
        (["\n", "\n", "\n", "\n", ""], True),  # BOM, no final newline
    ],
)
def test_clean_keeps_kept_lines_byte_for_byte(m, tmp_path, endings, bom):
    text = "".join(line + end for line, end in zip(ARTICLE, endings))
    path = tmp_path / "page.txt"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    result = run("clean", path, *m)
    assert result.exit_code == 0, result.output
    keep = kept_flags(m, ARTICLE)
    assert any(keep) and not all(keep)
    expected = "".join(line + end for line, end, k in zip(ARTICLE, endings, keep) if k)
    assert result.stdout_bytes == (b"\xef\xbb\xbf" if bom else b"") + expected.encode("utf-8")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b"\r\n\r\n"])
def test_empty_and_whitespace_files(m, tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    result = run("clean", path, *m)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b""
    result = run("predict", path, "-f", "jsonl", *m)
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(record["labels"]) == len(content.decode().splitlines())


def test_invalid_utf8_is_replaced_counted_or_strict_with_offset(m, tmp_path):
    good = "\n".join(ARTICLE).encode()
    data = good[:40] + b"\xff\xfe" + good[40:] + b"\n\xc3"  # 2 bad bytes, then a cut one
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    result = run("clean", path, *m)
    assert result.exit_code == 0
    assert "3 invalid UTF-8 bytes replaced by U+FFFD" in result.stderr
    assert "byte offset 40" in result.stderr
    out = tmp_path / "out.txt"
    result = run("clean", path, "--strict", "-o", out, *m)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.strip() == f"paysieve: error: {path}: invalid UTF-8 at byte offset 40"
    assert not out.exists()


def test_strict_offset_counts_the_bom_and_jsonl_names_the_line(m, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "ok"}\n{"text": "caf\xe9"}\n')
    result = run("predict", path, "--strict", *m)
    assert result.exit_code == EXIT_INPUT
    assert f"{path}:2: invalid UTF-8 at byte offset {3 + 15 + 13}" in result.stderr
    with (
        pytest.raises(errors.InvalidEncodingError) as info,
        DocumentReader(str(path), strict=True) as r,
    ):
        list(r)
    assert info.value.offset == 31


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nul.txt", b"some text\x00more text"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
        ("noise.txt", bytes(range(128, 256)) * 4),
        ("packed.txt", gzip.compress(b"plain text inside")),
    ],
)
def test_binary_input_is_not_text_and_writes_nothing(m, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.txt"
    result = run("clean", path, "-o", out, *m)
    assert result.exit_code == EXIT_INPUT
    assert "not text" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_gz_input_is_read_transparently_and_damaged_gz_is_an_error(m, tmp_path):
    text = "\n".join(ARTICLE) + "\n"
    plain, packed = tmp_path / "a.txt", tmp_path / "a.txt.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    assert run("clean", packed, *m).stdout_bytes == run("clean", plain, *m).stdout_bytes
    assert (
        run("clean", "-", *m, input=gzip.compress(text.encode())).stdout
        == run("clean", plain, *m).stdout
    )
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(text.encode() * 50)[:-30])
    result = run("clean", cut, "-o", tmp_path / "out.txt", *m)
    assert result.exit_code == EXIT_INPUT and "damaged gzip data" in result.stderr
    assert not (tmp_path / "out.txt").exists()


BAD_RECORDS = [
    ("{broken", "not valid JSON"),
    ('{"id": 7}', "no 'lines'"),
    ('{"lines": ["a", 3]}', "'lines' must be a list of strings"),
    ('{"lines": ["a", null]}', "'lines' must be a list of strings"),
    ("null", "must be a JSON object"),
    ('{"text": null}', "no 'lines'"),
    ("[1, 2]", "must be a JSON object"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_RECORDS)
def test_bad_record_fails_with_file_line_before_writing(m, tmp_path, bad, reason):
    path = tmp_path / "in.jsonl"
    path.write_text(f'{{"id": 1, "text": "{ARTICLE[0]}"}}\n\n{bad}\n{{"lines": ["x"]}}\n')
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    result = run("predict", path, "-f", "jsonl", "-o", out, *m)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.startswith(f"paysieve: error: {path}:3: ")
    assert reason in result.stderr and result.stderr.count("\n") == 1
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_on_error_skip_counts_and_sets_the_exit_code(m, tmp_path):
    good = [json.dumps({"id": i, "lines": ARTICLE[: 1 + i % 5]}) for i in range(10)]
    bad = [b for b, _ in BAD_RECORDS]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(good[:5] + bad + good[5:]) + "\n")
    out = tmp_path / "out.jsonl"
    result = run("clean", path, "--on-error", "skip", "-o", out, *m)
    assert result.exit_code == EXIT_SKIPPED
    assert f"skipped {len(bad)} of {len(good) + len(bad)} records" in result.stderr
    assert f"{path}:6: not valid JSON" in result.stderr
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == list(range(10))
    result = run("clean", path, "--on-error", "skip", "--allow-skips", "-o", out, *m)
    assert result.exit_code == 0 and "skipped 7 of 17" in result.stderr


def test_missing_directory_and_unreadable_inputs(m, tmp_path, monkeypatch):
    result = run("clean", tmp_path / "missing.txt", *m)
    assert (result.exit_code, result.stderr.count("\n")) == (EXIT_NOT_FOUND, 1)
    assert "no such file" in result.stderr
    result = run("clean", tmp_path, *m)
    assert result.exit_code == EXIT_IS_DIRECTORY and "is a directory" in result.stderr
    locked = tmp_path / "locked.txt"
    locked.write_text("text\n")

    def refuse(path, mode="r", *args, **kwargs):  # root can read anything: simulate EACCES
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("paysieve.documents.input_source.open", refuse, raising=False)
    result = run("clean", locked, *m)
    assert result.exit_code == EXIT_NOT_READABLE and "permission denied" in result.stderr


def test_unwritable_outputs_exit_4_and_write_nothing(m, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(ARTICLE))
    for target in (tmp_path / "no-dir" / "out.txt", tmp_path):
        result = run("clean", page, "-o", target, *m)
        assert result.exit_code == EXIT_OUTPUT, (target, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]


def test_writing_over_the_input_needs_in_place(m, tmp_path):
    page = tmp_path / "page.txt"
    original = "\r\n".join(ARTICLE) + "\r\n"
    page.write_bytes(original.encode())
    link = tmp_path / "link.txt"
    link.symlink_to(page)
    for target in (page, link):
        result = run("clean", page, "-o", target, *m)
        assert (
            result.exit_code == EXIT_INPUT and "refusing to write over the input" in result.stderr
        )
    assert page.read_bytes() == original.encode()
    expected = run("clean", page, *m).stdout_bytes
    page.chmod(0o640)
    result = run("clean", page, "--in-place", *m)
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == expected and expected != original.encode()
    assert page.stat().st_mode & 0o777 == 0o640  # the replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "page.txt"]
    assert run("clean", "-", "--in-place", *m, input="x").exit_code == EXIT_INPUT
    assert run("clean", page, "--in-place", "-o", tmp_path / "o", *m).exit_code == EXIT_INPUT


def test_library_reader_raises_specific_errors(tmp_path):
    with pytest.raises(errors.InputNotFoundError):
        DocumentReader(str(tmp_path / "missing"))
    with pytest.raises(errors.InputIsDirectoryError):
        DocumentReader(str(tmp_path))
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01")
    with pytest.raises(errors.NotTextError):
        DocumentReader(str(binary))
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"text": "a"}\n{"text": 1}\n')
    with pytest.raises(errors.RecordError, match=r"b\.jsonl:2: "), DocumentReader(str(bad)) as r:
        list(r)
    with pytest.raises(errors.InputError, match="unknown input format"):
        DocumentReader(str(bad), input_format="xml")
    for kind in (errors.InputNotFoundError, errors.NotTextError, errors.RecordError):
        assert issubclass(kind, errors.InputError) and issubclass(kind, errors.PaysieveError)
    assert issubclass(errors.OutputError, errors.PaysieveError)


def test_help_documents_every_exit_code():
    result = run("--help")
    text = " ".join(result.output.split())
    for code in (cli.EXIT_INPUT, cli.EXIT_MODEL, EXIT_OUTPUT, EXIT_NOT_FOUND, EXIT_SKIPPED):
        assert f"{code} " in text
    assert "4 output not writable" in text and "5 input file not found" in text
