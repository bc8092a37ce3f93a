import itertools
import random
import re

import numpy as np
from paysieve.model import token_hashing
from paysieve.model.character_classes import SINGLE_CHARACTER_RANGES
from paysieve.model.context_features import CONTEXT_FEATURE_NAMES, ContextRows, context_matrix
from paysieve.model.line_features import (
    SHAPE_FEATURE_NAMES,
    LineFeaturizer,
    shape_features,
    tokenize,
)
from paysieve.model.token_hashing import TokenHasher


def test_tokens_fold_digits_and_split_cjk():
    assert tokenize("Only $9.99 per Month!") == ["only", "$", "0", ".", "00", "per", "month", "!"]
    assert tokenize("会員登録") == ["会", "員", "登", "録"]
    assert tokenize("Abo für 4,99 €") == ["abo", "für", "0", ",", "00", "€"]


# The tokenizer's specification as a regex: letter runs, digit runs, single punctuation,
# CJK and above-BMP characters; white space and "_" separate.
_SINGLE = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in SINGLE_CHARACTER_RANGES)
_SINGLE += "\\U00010000-\\U0010ffff"
_TOKEN_SPEC = re.compile(rf"[^\W\d_{_SINGLE}]+|\d+|[^\w\s]|[{_SINGLE}]")


def _spec_tokens(line: str) -> list[str]:
    return _TOKEN_SPEC.findall(re.sub("[1-9]", "0", line.lower().replace("\n", " ")))


def test_tokens_follow_the_specification_on_mixed_scripts():
    rng = random.Random(7)
    pool = [chr(c) for c in range(0x20, 0x3100, 5)] + list(
        "ab Zx_ 123 ٣٤ ½ Ⅻ ² 会員登録 カタカナ 한국어 😀🎉 𠀋𝐀 \t\r\x0b\n\ud800"
    )
    lines = ["".join(rng.choices(pool, k=rng.randint(0, 30))) for _ in range(3000)]
    lines += ["Price: US$1,299.00/yr", "e-mail_me@example.com", "naïve café ﬁne ǅemal", ""]
    assert [tokenize(line) for line in lines] == [_spec_tokens(line) for line in lines]


def test_token_hashes_do_not_depend_on_batching(monkeypatch):
    lines = ["Subscribe for $4.99", "", "Der Stadtrat tagte am Dienstag.", "会員登録はこちら"] * 40
    hasher = TokenHasher(2**12)
    whole = hasher.transform(lines)
    monkeypatch.setattr(token_hashing, "CHUNK_CHARS", 50)
    chunked = hasher.transform(lines)
    one_by_one = [hasher.transform([line]) for line in lines[:4]]
    assert np.array_equal(whole.indptr, chunked.indptr)
    assert np.array_equal(whole.indices, chunked.indices)
    assert np.allclose(whole.data, chunked.data)
    for i, row in enumerate(one_by_one):
        start, stop = whole.indptr[i], whole.indptr[i + 1]
        assert np.array_equal(row.indices, whole.indices[start:stop])
    # Different tokens, different features; the same token in another line, the same one.
    assert not np.array_equal(one_by_one[0].indices, one_by_one[2].indices)
    shared = hasher.transform(["subscribe", "please subscribe"])
    assert set(shared.indices[: shared.indptr[1]]) & set(shared.indices[shared.indptr[1] :])


def test_shape_features_describe_the_line():
    names = SHAPE_FEATURE_NAMES
    price = dict(zip(names, shape_features("£4.99 per month")))
    prose = dict(
        zip(
            names,
            shape_features(
                "The council voted on Tuesday to rebuild the sea wall, which collapsed in January "
                "after a week of storms battered the harbour town."
            ),
        )
    )
    assert price["has_price"] == 1.0 and prose["has_price"] == 0.0
    assert prose["ends_terminal"] == 1.0 and price["ends_terminal"] == 0.0
    assert prose["is_long"] == 1.0 and price["is_long"] == 0.0
    assert shape_features("") == [0.0] * len(names)


def test_featurizer_gives_identical_rows_for_repeated_lines():
    rows, shape = LineFeaturizer(2**10).transform(["Share", "Some text here.", "Share"])
    hashed = rows.to_scipy()
    assert hashed.shape == (3, 2**10)
    assert shape.shape == (3, len(SHAPE_FEATURE_NAMES))
    assert (hashed[0] != hashed[2]).nnz == 0
    assert (hashed[0] != hashed[1]).nnz > 0
    assert np.isclose(np.sqrt(hashed[1].multiply(hashed[1]).sum()), 1.0)


def test_context_matrix_pads_edges_and_finds_the_article_run():
    p = np.array([0.9, 0.9, 0.1, 0.1, 0.1, 0.9])
    shape = np.array(
        [
            shape_features(t)
            for t in [
                "Menu",
                "Home",
                "A long sentence of article text here.",
                "Another long sentence of the article.",
                "And the last one.",
                "Share",
            ]
        ]
    )
    rows = context_matrix(p, shape, np.ones(6), np.array([0, 6]))
    assert rows.shape == (6, len(CONTEXT_FEATURE_NAMES))
    col = {n: i for i, n in enumerate(CONTEXT_FEATURE_NAMES)}
    assert np.isnan(rows[0, col["p-1"]]) and np.isnan(rows[5, col["p+1"]])
    assert rows[3, col["p-1"]] == rows[2, col["p"]]
    assert rows[2:5, col["in_main_run"]].tolist() == [1.0, 1.0, 1.0]
    assert rows[[0, 1, 5], col["in_main_run"]].tolist() == [0.0, 0.0, 0.0]
    assert rows[5, col["content_mass_after"]] < 0.01 < rows[0, col["content_mass_after"]]


def test_runs_between_article_lines_are_told_from_runs_at_an_edge():
    texts = [
        "Home",
        "World",
        "A long sentence of article text that tells the story of the match.",
        "Arsenal 3 1",
        "Chelsea 2 0",
        "Fulham 1 1",
        "Another long sentence of the article that follows the table of results.",
        "Share",
    ]
    p = np.array([0.9, 0.9, 0.1, 0.7, 0.6, 0.8, 0.1, 0.9])
    shape = np.array([shape_features(t) for t in texts])
    rows = context_matrix(p, shape, np.ones(len(texts)), np.array([0, len(texts)]))
    col = {n: i for i, n in enumerate(CONTEXT_FEATURE_NAMES)}
    between = rows[:, col["run_between_anchors"]]
    assert between.tolist() == [0, 0, 0, 1, 1, 1, 0, 0]  # the table, not the menu or "Share"
    assert np.allclose(rows[3:6, col["run_log_len"]], np.log1p(3))
    assert rows[2, col["run_log_len"]] == 0.0  # an anchor is a run of its own
    assert np.allclose(rows[3:6, col["run_mean_p"]], 0.7)
    assert np.allclose(rows[3:6, col["run_max_p"]], 0.8)
    assert rows[4, col["log_dist_anchor_before"]] == np.log1p(2)
    assert rows[4, col["log_dist_anchor_after"]] == np.log1p(2)
    assert rows[0, col["log_dist_anchor_before"]] == -1.0  # no article line above the menu
    assert rows[3, col["run_mean_a"]] > rows[0, col["run_mean_a"]]  # digits in the table


def test_context_of_documents_laid_end_to_end_equals_one_by_one():
    rng = np.random.default_rng(0)
    lengths = [5, 1, 0, 12, 3]
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    n = offsets[-1]
    p, shape, dup = rng.random(n), rng.random((n, len(SHAPE_FEATURE_NAMES))), np.ones(n)
    together = context_matrix(p, shape, dup, offsets)
    for a, b in itertools.pairwise(offsets):
        if b > a:
            alone = context_matrix(p[a:b], shape[a:b], dup[a:b], np.array([0, b - a]))
            np.testing.assert_allclose(together[a:b], alone, atol=1e-9, equal_nan=True)


def test_context_rows_and_scores_made_in_chunks_equal_the_whole_batchs_bit_for_bit():
    from paysieve.model.tree_ensemble import TreeEnsemble
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Documents much longer than a chunk of 16 lines: neighbours, windows, document totals,
    # the main article run and the runs between anchors all cross the chunks' edges.
    rng = np.random.default_rng(1)
    offsets = np.array([0, 3, 3, 90, 140, 141])
    n = offsets[-1]
    p = rng.random(n) ** 2
    shape = rng.random((n, len(SHAPE_FEATURE_NAMES)))
    shape[:, SHAPE_FEATURE_NAMES.index("is_long")] = rng.random(n) < 0.3
    dup = rng.integers(1, 3, n).astype(float)
    rows = ContextRows(p, shape, dup, offsets)
    whole = rows.matrix()
    chunks = list(rows.chunks(16))
    assert len(chunks) == 9 and chunks[-1][0] == slice(128, 141)
    assert np.concatenate([m for _, m in chunks]).tobytes() == whole.tobytes()
    fitted = HistGradientBoostingClassifier(max_iter=20, random_state=0)
    model = TreeEnsemble.from_hist_gradient_boosting(fitted.fit(whole, p > 0.3))
    chunked = rows.decision_function(model, 16)
    assert chunked.tobytes() == model.decision_function(whole).tobytes()


def test_shape_matrix_matches_line_by_line():
    from paysieve.model.line_shape import shape_matrix

    lines = ["Share", "", "  Der Preis: 4,99 € im Monat.  ", "会員登録はこちら", "a\ud800b", "x"]
    np.testing.assert_allclose(shape_matrix(lines), [shape_features(t) for t in lines])


def test_url_mark_flags_exactly_the_lines_that_hold_one():
    from paysieve.model.line_shape import shape_matrix

    lines = ["mail: a@b.org @c", "no mark here.", "HTTPS://X.ORG", "see www.example", "", "x"]
    column = SHAPE_FEATURE_NAMES.index("has_url")
    assert shape_matrix(lines)[:, column].tolist() == [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]


def test_block_kind_pooling_names_a_lone_line_by_its_block():
    from paysieve.model.context_features import block_kind_proba

    # kinds: [pricing, share]; line 2 alone looks like "share", its block says "pricing"
    kind = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.9, 0.1], [0.1, 0.9], [0.2, 0.8]])
    bp = np.array([0.9, 0.9, 0.9, 0.9, 0.9, 0.9])
    pooled = block_kind_proba(kind, bp, np.array([0, 4, 6]), half=2)
    assert pooled[2].argmax() == 0  # pulled into its pricing block
    assert pooled[4].argmax() == 1  # the second document is pooled on its own
    np.testing.assert_allclose(pooled.sum(axis=1), 1.0)


def test_featurizer_reads_shape_from_its_own_character_table():
    featurizer = LineFeaturizer(2**8)
    _, _, before = featurizer.transform_distinct(["Hello World, 2026."])
    featurizer.character_classes = np.zeros_like(featurizer.character_classes)
    _, _, after = featurizer.transform_distinct(["Hello World, 2026."])
    assert not np.array_equal(before, after)  # a saved model keeps the table it was fitted with
