"""Blocks and documents that train the kinds only: they teach the kind stages and leave
every boilerplate probability as it is without them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from paysieve.inference.cli import app
from paysieve.model.text_model import document_offsets
from paysieve.training.compose import compose_documents, compose_kind_documents, corpus_part
from paysieve.training.corpus_source import CorpusSource, CorpusSourceError
from paysieve.training.corpus_stats import markdown_table
from paysieve.training.fit import held_out_calibration, load_input, train
from paysieve.training.labeled_data import LabeledDataError, document_from_record
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.verdict_fit import out_of_fold_documents
from typer.testing import CliRunner

from paysieve.errors import InputError

# Wording no other block of the fixture corpus shares: only the kinds-only blocks say it.
KINDS_ONLY_BLOCKS = """\
=== kind: paywall | where: tail | trains: kinds
Quokka pass needed: your quota of stories is spent
Renew the quokka pass to go on
=== kind: paywall | where: tail | trains: kinds
Quokka pass needed for the rest of this story
Get the quokka pass
=== kind: paywall | where: tail | trains: kinds
Your quokka pass quota resets on the first of the month
Quokka pass holders read on
"""
PROBE = "Quokka pass needed: the rest of the quota is spent"


@pytest.fixture(scope="module")
def kinds_corpus(tmp_path_factory, corpus_dir):
    """The fixture corpus with three paywall blocks that train the kinds only."""
    folder = tmp_path_factory.mktemp("kinds") / "corpus"
    shutil.copytree(corpus_dir, folder)
    english = folder / "boilerplate" / "en.txt"
    english.write_text(english.read_text(encoding="utf-8") + KINDS_ONLY_BLOCKS, encoding="utf-8")
    return folder


def _arrays(docs):
    return (
        [d.lines for d in docs],
        [d.labels for d in docs],
        [d.group for d in docs],
        [1.0] * len(docs),
        [d.kinds for d in docs],
    )


def test_a_block_says_it_trains_the_kinds_only_in_its_header(kinds_corpus, tmp_path):
    blocks = CorpusSource.read(kinds_corpus).blocks
    assert sum(b.kinds_only for b in blocks) == 3
    assert all(b.kind == "paywall" for b in blocks if b.kinds_only)
    bad = tmp_path / "bad"
    shutil.copytree(kinds_corpus, bad)
    (bad / "boilerplate" / "de.txt").write_text(
        "=== kind: paywall | trains: everything\nA line\n", encoding="utf-8"
    )
    with pytest.raises(CorpusSourceError, match=r"de\.txt:2: 'trains' must be all or kinds"):
        CorpusSource.read(bad)


def test_kinds_only_blocks_appear_only_in_kinds_only_documents(kinds_corpus, corpus_dir):
    source = CorpusSource.read(kinds_corpus)
    quokka = {line for b in source.blocks if b.kinds_only for line in b.lines}
    main = compose_documents(source, copies=6, seed=3)
    assert main == compose_documents(CorpusSource.read(corpus_dir), copies=6, seed=3)
    kind_docs = compose_kind_documents(source, copies=6, seed=3)
    assert len(kind_docs) == len(main)
    assert all(r["kinds_only"] for r in kind_docs)
    assert {r["group"] for r in kind_docs} == {r["group"] for r in main}
    assert not {r["id"] for r in kind_docs} & {r["id"] for r in main}
    shown = [line for r in kind_docs for line in r["lines"] if line in quokka]
    assert shown, "no kinds-only block was composed into a kinds-only document"
    assert compose_kind_documents(CorpusSource.read(corpus_dir), copies=6, seed=3) == []


def test_the_held_out_part_brings_no_kinds_only_documents():
    corpus = Path(__file__).parents[1] / "datasets" / "source"
    train_part = load_input(corpus, copies=1, part="train").documents
    held = load_input(corpus, copies=1, part="heldout").documents
    assert any(d.kinds_only for d in train_part)
    assert held and not any(d.kinds_only for d in held)
    # The part keeps the blocks, for the documents that train the kinds (and the verdict).
    assert any(b.kinds_only for b in corpus_part(CorpusSource.read(corpus), "train").blocks)


def test_kinds_only_must_be_a_boolean_in_a_labelled_record():
    record = {"lines": ["a"], "labels": ["content"], "kinds_only": "yes"}
    with pytest.raises(LabeledDataError, match="'kinds_only' must be true or false"):
        document_from_record(record, "f.jsonl:1")
    assert document_from_record({**record, "kinds_only": True}, "f.jsonl:1").kinds_only


def test_kinds_only_documents_teach_the_kind_and_leave_the_scores_alone(
    kinds_corpus, corpus_dir, small_params
):
    loaded = load_input(kinds_corpus, copies=6).documents
    plain = [d for d in loaded if not d.kinds_only]
    # Interleaved: the order of the documents must not matter.
    docs = [d for pair in zip(plain, [d for d in loaded if d.kinds_only]) for d in pair]
    assert len(docs) == len(loaded)
    estimator = LineClassifier(**small_params)
    lines, labels, groups, weights, kinds = _arrays(docs)
    with_kinds = estimator.fit_text_model(
        lines, labels, groups, weights, kinds, kinds_only=[d.kinds_only for d in docs]
    )
    without = estimator.fit_text_model(*_arrays(plain))

    probe_docs = [d.lines for d in plain[:12]] + [[*plain[0].lines, PROBE]]
    np.testing.assert_array_equal(with_kinds.raw_scores(probe_docs), without.raw_scores(probe_docs))

    def probe_kind(model) -> str:
        _, kind_proba = model.scores([[PROBE]], document_offsets([[PROBE]]), with_kinds=True)
        return model.kind_classes[int(np.argmax(kind_proba[0]))]

    assert probe_kind(with_kinds) == "paywall"
    assert probe_kind(without) != "paywall"


def test_cross_validation_and_calibration_ignore_kinds_only_documents(kinds_corpus, small_params):
    docs = load_input(kinds_corpus, copies=6).documents
    plain = [d for d in docs if not d.kinds_only]
    estimator = LineClassifier(**{**small_params, "folds": 2})
    lines, labels, groups, weights, kinds = _arrays(docs)
    oof, _ = estimator.cross_val_raw_scores(
        lines, labels, groups, weights, kinds, kinds_only=[d.kinds_only for d in docs]
    )
    plain_oof, _ = estimator.cross_val_raw_scores(*_arrays(plain))
    assert all(len(s) == 0 for s, d in zip(oof, docs) if d.kinds_only)
    for got, want in zip([s for s, d in zip(oof, docs) if not d.kinds_only], plain_oof):
        np.testing.assert_array_equal(got, want)
    params = estimator.get_params()
    assert held_out_calibration(docs, oof, params).threshold == (
        held_out_calibration(plain, plain_oof, params).threshold
    )


def test_a_trained_model_scores_as_without_kinds_only_documents(
    kinds_corpus, corpus_dir, small_params
):
    with_kinds = train([load_input(kinds_corpus, copies=6)], params=small_params, folds=2)
    without = train([load_input(corpus_dir, copies=6)], params=small_params, folds=2)
    pages = [d.lines for d in load_input(corpus_dir, copies=2, seed=9).documents[:20]]
    for a, b in zip(
        with_kinds.model.score_documents(pages, with_kinds=False),
        without.model.score_documents(pages, with_kinds=False),
    ):
        np.testing.assert_array_equal(a.proba, b.proba)
    assert with_kinds.model.threshold_ == without.model.threshold_
    described = with_kinds.metadata["trained_on"][0]
    assert described["kinds_only_documents"] == described["documents"] > 0
    assert list(with_kinds.metadata["cross_validated_metrics"].values()) == list(
        without.metadata["cross_validated_metrics"].values()
    )


def test_the_verdict_rule_is_fitted_without_the_kinds_only_blocks(kinds_corpus, small_params):
    """The rule's evidence, its verdict documents and the fold models that score them, is
    the same with or without the blocks that train the kinds only."""
    calibration = train(
        [load_input(kinds_corpus, copies=6)], params=small_params, folds=2
    ).model.calibration
    source = CorpusSource.read(kinds_corpus)
    plain = CorpusSource(source.articles, [b for b in source.blocks if not b.kinds_only])
    got = out_of_fold_documents(source, small_params, calibration, folds=2)
    want = out_of_fold_documents(plain, small_params, calibration, folds=2)
    assert len(got.paywalled) > 0
    np.testing.assert_array_equal(got.paywalled, want.paywalled)
    np.testing.assert_array_equal(got.features, want.features)


def test_the_cli_trains_with_kinds_only_blocks_says_so_and_scores_only_the_others(
    kinds_corpus, tmp_path
):
    model = tmp_path / "m.joblib"
    runner = CliRunner()
    trained = runner.invoke(
        app, ["train", str(kinds_corpus), "-o", str(model), "--folds", "2", "--quiet"]
    )
    assert trained.exit_code == 0, trained.output
    info = runner.invoke(app, ["info", "--model", str(model)])
    assert "documents (and " in info.output and "that train the kinds only)" in info.output
    scored = runner.invoke(
        app, ["evaluate", str(kinds_corpus), "--part", "all", "--model", str(model), "--json"]
    )
    assert scored.exit_code == 0, scored.output
    docs = load_input(kinds_corpus).documents
    lines = sum(d.n_scored for d in docs if not d.kinds_only)
    assert lines < sum(d.n_scored for d in docs)
    assert json.loads(scored.output)[str(kinds_corpus)]["lines"] == lines


def test_the_data_card_table_counts_the_blocks_that_train_the_kinds_only(kinds_corpus):
    row = markdown_table(CorpusSource.read(kinds_corpus)).splitlines()[-1]
    assert row.startswith("| … of which train the kinds only |")
    assert row.endswith("| 0 | 3 | 3 |")  # de, en, all


def test_kinds_only_documents_alone_cannot_train_a_model(tmp_path):
    record = {
        "lines": ["Home", "A new bridge opened on Monday.", "Subscribe now"],
        "labels": ["boilerplate", "content", "boilerplate"],
        "kinds": ["navigation", None, "pricing"],
    }
    data = tmp_path / "kinds.jsonl"
    data.write_text(json.dumps({**record, "kinds_only": True}) + "\n", encoding="utf-8")
    model = tmp_path / "m.joblib"
    result = CliRunner().invoke(app, ["train", str(data), "-o", str(model), "--quiet"])
    assert result.exit_code == 2
    assert "content and boilerplate lines besides the kinds-only documents" in result.output
    assert not model.exists()
    with pytest.raises(InputError, match=r"boilerplate lines$"):
        LineClassifier().fit([record["lines"]], [[0, 0, 0]])
