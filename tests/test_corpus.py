import pytest
from paysieve.training.compose import compose_documents
from paysieve.training.corpus_source import (
    CorpusSource,
    CorpusSourceError,
    read_articles,
    read_blocks,
)

from paysieve.labels import KINDS


def test_reads_articles_blocks_and_inline_kinds(corpus_dir):
    source = CorpusSource.read(corpus_dir)
    library = next(a for a in source.articles if a.id == "t-local-01")
    assert library.lang == "en" and library.genre == "local"
    assert library.lines[0] == "Library reopens after flood repairs"
    assert library.kinds[library.lines.index("Advertisement")] == "advert"
    assert sum(k is not None for k in library.kinds) == 1
    assert {b.kind for b in source.blocks} <= set(KINDS)
    assert {a.lang for a in source.articles} == {"en", "de"}


def test_repository_corpus_parses_and_is_large(tmp_path):
    from pathlib import Path

    source = CorpusSource.read(Path(__file__).parents[1] / "datasets" / "source")
    assert len({a.lang for a in source.articles}) >= 7
    assert sum(len(a.lines) for a in source.articles) > 2000
    assert sum(len(b.lines) for b in source.blocks) > 2000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("orphan line\n=== genre: x | id: a\nText.\n", "before the first"),
        ("=== genre: x | id: a\n!bogus Some promo\n", "unknown kind 'bogus'"),
        ("=== genre x\nText.\n", "has no ':'"),
    ],
)
def test_malformed_source_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "en.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusSourceError, match=rf"en.txt:\d+: .*{message}"):
        read_articles(path)


def test_a_marked_line_in_a_block_keeps_its_own_kind(tmp_path):
    path = tmp_path / "en.txt"
    path.write_text(
        "=== kind: related | where: tail\nMore from Science\nA headline\n"
        "!byline By Ann Lee\n!byline 4 min read\n=== kind: share\n!nope x\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusSourceError, match=r"en.txt:7: unknown kind 'nope'"):
        read_blocks(path)
    path.write_text(path.read_text(encoding="utf-8").replace("!nope x", "Share"), "utf-8")
    rail, share = read_blocks(path)
    assert rail.kind == "related"
    assert rail.lines == ("More from Science", "A headline", "By Ann Lee", "4 min read")
    assert rail.kinds == ("related", "related", "byline", "byline")
    assert share.kinds == ("share",)


def test_missing_folders_are_reported(tmp_path):
    with pytest.raises(CorpusSourceError, match="needs 'articles/'"):
        CorpusSource.read(tmp_path)


def test_composition_is_deterministic_and_seeded(corpus_dir):
    source = CorpusSource.read(corpus_dir)
    a = compose_documents(source, copies=3, seed=7)
    b = compose_documents(source, copies=3, seed=7)
    c = compose_documents(source, copies=3, seed=8)
    assert a == b
    assert a != c
    assert len(a) == 3 * len(source.articles)


def test_composed_documents_are_consistently_labelled(corpus_dir):
    source = CorpusSource.read(corpus_dir)
    article_lines = {line for a in source.articles for line, k in zip(a.lines, a.kinds) if not k}
    docs = compose_documents(source, copies=8, seed=1)
    layouts = {d["layout"] for d in docs}
    assert layouts == {"tail", "page", "residue", "clean"}
    for doc in docs:
        assert len(doc["lines"]) == len(doc["labels"]) == len(doc["kinds"])
        for line, label, kind in zip(doc["lines"], doc["labels"], doc["kinds"]):
            assert (label == "content") == (kind is None)
            if label == "content":
                assert line in article_lines
            assert "{price}" not in line and "{site}" not in line
    tails = [d for d in docs if d["layout"] == "tail"]
    assert all(d["labels"][-1] == "boilerplate" for d in tails)
    # A line marked with its own kind inside a related block keeps that kind.
    marked = [
        kind
        for doc in docs
        for line, kind in zip(doc["lines"], doc["kinds"])
        if line == "Words by the newsdesk"
    ]
    assert marked and set(marked) == {"byline"}


def test_train_and_heldout_parts_share_no_article_or_block(corpus_dir):
    source = CorpusSource.read(corpus_dir)
    train = compose_documents(source, copies=2, part="train")
    held = compose_documents(source, copies=2, part="heldout")
    train_ids = {d["group"] for d in train}
    held_ids = {d["group"] for d in held}
    assert not train_ids & held_ids
    assert train_ids | held_ids == {f"corpus:{a.id}" for a in source.articles}
    with pytest.raises(ValueError, match="part must be"):
        compose_documents(source, part="everything")
