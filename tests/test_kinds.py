"""Block-context kinds, the safe targeted removal (``clean --drop``) and the paywall
verdict's rule and evidence."""

import numpy as np
import pytest
from paysieve.inference.detector import DocumentPrediction
from paysieve.inference.paywall_verdict import paywall_verdict
from paysieve.model.context_features import Documents
from paysieve.model.kind_context import (
    MIN_DISTINCT_TEXTS,
    block_spans,
    enough_texts,
    fit_kind_context,
    kind_context_matrix,
)
from paysieve.model.paywall_rule import FEATURE_NAMES, PaywallRule, document_verdict_features
from paysieve.model.persistence import save_model
from paysieve.training import fit, verdict_fit
from paysieve.training.corpus_source import Article, Block, CorpusSource
from paysieve.training.verdict_fit import corpus_folds, document_features, f_beta_threshold

from paysieve import Detector
from paysieve.labels import expand_kinds

# -- block-context kind features ------------------------------------------------------------


def test_block_spans_bridge_one_line_gaps_and_stop_at_document_edges():
    p1 = np.array([0.1, 0.9, 0.2, 0.8, 0.9, 0.1, 0.1, 0.9, 0.9])
    start, end = block_spans(Documents(np.array([0, 7, 9])), p1)
    # Lines 1-4 are one block (line 2 bridged); 5 and 6 stand alone; 7-8 are the second
    # document's block, which does not reach back into the first document.
    assert start.tolist() == [0, 1, 1, 1, 1, 5, 6, 7, 7]
    assert end.tolist() == [1, 5, 5, 5, 5, 6, 7, 9, 9]


def test_kind_context_of_documents_laid_end_to_end_equals_one_by_one():
    rng = np.random.default_rng(3)
    kinds = rng.dirichlet(np.ones(4), size=17)
    p1 = rng.random(17)
    together = kind_context_matrix(kinds, p1, np.array([0, 9, 17]))
    first = kind_context_matrix(kinds[:9], p1[:9], np.array([0, 9]))
    second = kind_context_matrix(kinds[9:], p1[9:], np.array([0, 8]))
    np.testing.assert_allclose(together, np.vstack([first, second]))


def _block_documents(rng, n_docs):
    """Documents of two-kind blocks (kind 0, then kind 1, or the reverse): most lines say
    their block's kind, some say nothing (uniform line-alone kinds); every line's target is
    its block's kind."""
    kinds, targets, offsets = [], [], [0]
    for _ in range(n_docs):
        order = rng.permutation(2)
        for kind in order:
            for _ in range(rng.integers(4, 8)):
                if rng.random() < 0.3:
                    kinds.append([0.5, 0.5])
                else:
                    clear = rng.uniform(0.7, 0.95)
                    kinds.append([clear, 1 - clear] if kind == 0 else [1 - clear, clear])
                targets.append(kind)
        offsets.append(len(targets))
    return np.array(kinds), np.array(targets), np.array(offsets)


def test_kind_context_names_a_line_that_says_nothing_by_its_block():
    rng = np.random.default_rng(0)
    kinds, targets, offsets = _block_documents(rng, 60)
    model = fit_kind_context(kinds, np.full(len(targets), 0.9), offsets, targets, 2)
    silent = [0.5, 0.5]
    # A silent line inside a block of kind 0, another inside a block of kind 1.
    doc = np.array([[0.9, 0.1]] * 3 + [silent] + [[0.85, 0.15]] * 2 + [[0.1, 0.9]] * 3)
    doc = np.vstack([doc, [silent], [[0.2, 0.8]] * 2])
    proba = model.predict_proba(doc, np.full(len(doc), 0.9), np.array([0, len(doc)]))
    assert proba[3].argmax() == 0 and proba[3, 0] > 0.7
    assert proba[9].argmax() == 1 and proba[9, 1] > 0.7
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_kind_context_needs_enough_distinct_kind_labelled_texts():
    texts = np.arange(2000) % 1000  # every text twice
    lines = np.arange(2000)
    assert MIN_DISTINCT_TEXTS == 500
    assert enough_texts(np.where(lines < 500, 0, -1), texts)  # 500 distinct texts
    assert not enough_texts(np.where(lines < 499, 0, -1), texts)  # 499
    # Repeats do not count: 998 kind-labelled lines, but only 499 texts.
    assert not enough_texts(np.where(lines % 1000 < 499, 0, -1), texts)


# -- the safe targeted removal --------------------------------------------------------------

LINES = (
    "Home | World | Sport",  # navigation
    "",
    "The council met on Tuesday.",  # article, whose likeliest kind says pricing
    "It approved the budget.",  # article
    "",
    "You have read 3 of 3 free articles.",  # paywall
    "Digital: £1 a week",  # pricing
    "Sign in",  # account
    "Get our morning newsletter",  # newsletter
    "",
    "Share on Facebook",  # share
)
SCORES = np.array([0.9, 0.9, 0.1, 0.2, 0.9, 0.95, 0.9, 0.9, 0.8, 0.8, 0.9])
KINDS = (
    "navigation",
    None,
    "pricing",
    "related",
    None,
    "paywall",
    "pricing",
    "account",
    "newsletter",
    None,
    "share",
)


def _prediction() -> DocumentPrediction:
    return DocumentPrediction(LINES, SCORES, 0.5, best_kinds=KINDS)


def test_drop_subscription_removes_only_boilerplate_of_its_kinds_and_the_blank_lines_by_them():
    cleaned = _prediction().cleaned(drop=expand_kinds("subscription"))
    assert cleaned == (
        "Home | World | Sport\n\nThe council met on Tuesday.\nIt approved the budget.\n"
        "Share on Facebook\n"
    )


def test_drop_keeps_article_lines_whatever_their_likeliest_kind():
    removed = _prediction().removed(drop={"pricing", "related"})
    assert removed.tolist() == [False] * 6 + [True] + [False] * 4
    # A raised threshold keeps more: lines under it are article, whatever their kind (only
    # the notice at 0.95 goes, with the blank line before it).
    strict = DocumentPrediction(LINES, SCORES, 0.92, best_kinds=KINDS)
    assert np.flatnonzero(strict.removed(drop=expand_kinds("subscription"))).tolist() == [4, 5]


def test_drop_takes_lines_more_likely_than_not_boilerplate_of_the_dropped_kinds():
    names = ("navigation", "newsletter", "account")
    pred = DocumentPrediction(
        ("An article sentence.", "Newsletters", "Sign in or register"),
        np.array([0.1, 0.95, 0.55]),
        0.5,
        best_kinds=("navigation", "navigation", "newsletter"),
        kind_probabilities=np.array([[0.4, 0.3, 0.3], [0.4, 0.35, 0.25], [0.2, 0.5, 0.3]]),
        kind_names=names,
    )
    # Line 1: most likely navigation, but 0.6 of subscription kinds (x 0.95 = 0.57): it goes.
    # Line 2: 0.8 of subscription kinds, but boilerplate at only 0.55 (0.44): it stays.
    assert pred.removed(drop=expand_kinds("subscription")).tolist() == [False, True, False]
    np.testing.assert_allclose(pred.kind_share({"newsletter", "account"}), [0.6, 0.6, 0.8])


def test_drop_asks_more_evidence_inside_the_article_than_after_it():
    names = ("newsletter", "related")
    lines = ("The council met.", "Sign up for updates", "It approved the budget.", "Sign up")
    pred = DocumentPrediction(
        lines,
        np.array([0.1, 0.9, 0.2, 0.9]),
        0.5,
        best_kinds=("related", "newsletter", "related", "newsletter"),
        kind_probabilities=np.array([[0.5, 0.5], [0.75, 0.25], [0.5, 0.5], [0.75, 0.25]]),
        kind_names=names,
    )
    # 0.9 x 0.75 = 0.675 of newsletter for both sign-up lines: enough after the article's
    # last kept line, not between two article lines (0.8 needed there).
    assert pred.removed(drop={"newsletter"}).tolist() == [False, False, False, True]
    sure = DocumentPrediction(
        lines,
        np.array([0.1, 0.99, 0.2, 0.9]),
        0.5,
        best_kinds=pred.best_kinds,
        kind_probabilities=np.array([[0.5, 0.5], [0.9, 0.1], [0.5, 0.5], [0.75, 0.25]]),
        kind_names=names,
    )
    assert sure.removed(drop={"newsletter"}).tolist() == [False, True, False, True]


def test_drop_and_default_clean_leave_a_blank_line_only_between_kept_lines():
    pred = _prediction()
    assert pred.cleaned() == "The council met on Tuesday.\nIt approved the budget.\n"
    assert pred.cleaned(drop={"navigation"}) == "\n".join(LINES[2:]) + "\n"


# -- the paywall verdict ---------------------------------------------------------------------

NAMES = ("account", "newsletter", "paywall", "pricing")
ARTICLE = [
    "The harbour reopened on Monday after a year of repairs to its storm-damaged wall.",
    "Fishing boats returned within hours, and the ferry resumes its timetable next week.",
    "Engineers say the new wall should withstand storms for at least fifty years.",
]


def _verdict(kinds: list[str], rule: PaywallRule | None = None):
    """Verdict of ARTICLE followed by one boilerplate line per kind in ``kinds``, each
    boilerplate with probability 0.9 and of its kind with probability 0.8."""
    n = len(ARTICLE) + len(kinds)
    lines = ARTICLE + [f"boilerplate line {i}" for i in range(len(kinds))]
    proba = np.r_[np.full(len(ARTICLE), 0.05), np.full(len(kinds), 0.9)]
    kind_proba = np.full((n, len(NAMES)), 0.2 / (len(NAMES) - 1))
    kind_proba[: len(ARTICLE)] = 1 / len(NAMES)
    for i, kind in enumerate(kinds, start=len(ARTICLE)):
        kind_proba[i, NAMES.index(kind)] = 0.8
    return paywall_verdict(lines, proba >= 0.5, proba, kind_proba, NAMES, rule)


def test_verdict_evidence_names_the_prompt_and_offer_lines_with_their_kinds():
    verdict = _verdict(["paywall", "pricing", "newsletter", "account"])
    assert verdict.detected
    assert [(e.line, e.kind) for e in verdict.evidence] == [
        (3, "paywall"),
        (4, "pricing"),
        (6, "account"),
    ]
    assert all(e.probability == pytest.approx(0.9 * 0.8) for e in verdict.evidence)
    as_dict = verdict.as_dict()
    assert as_dict["evidence"][0] == {"line": 3, "kind": "paywall", "probability": 0.72}
    assert set(as_dict) == {"detected", "probability", "truncated", "evidence"}


def test_free_article_ending_with_a_newsletter_box_or_podcast_prompt_is_not_flagged():
    for tail in (["newsletter", "newsletter"], ["newsletter"], ["pricing", "newsletter"]):
        verdict = _verdict(tail)
        assert not verdict.detected, tail
        assert verdict.evidence == () and verdict.as_dict()["evidence"] == []


def test_a_fitted_rule_decides_at_its_own_threshold():
    # Only the strongest prompt line counts, with a threshold above its probability.
    strict = PaywallRule(np.array([1.0, 0.0, 0.0, 0.0]), 0.0, 0.8)
    assert _verdict(["paywall"]).detected  # default rule: 0.72 >= 0.5
    verdict = _verdict(["paywall"], strict)
    assert not verdict.detected and verdict.probability == pytest.approx(0.72)
    # Article text after the prompt argues against a wall when the rule says so.
    after = PaywallRule(np.array([1.0, 0.0, 0.0, -20.0]), 0.0, 0.5)
    lines = [ARTICLE[0], "Subscribe to read on", *ARTICLE[1:]]
    proba = np.array([0.05, 0.9, 0.05, 0.05])
    kind_proba = np.tile([0.05, 0.05, 0.8, 0.1], (4, 1))
    assert not paywall_verdict(lines, proba >= 0.5, proba, kind_proba, NAMES, after).detected


def test_f_beta_threshold_puts_precision_first_with_a_small_beta():
    probability = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    gold = np.array([True, True, False, True, True, False, True])
    # F0.5 is highest flagging down to 0.5 (P 0.8, R 0.8: 0.80; down to 0.3: 0.76);
    # F1 is highest flagging everything down to 0.3 (P 0.71, R 1: 0.83; down to 0.5: 0.80).
    assert f_beta_threshold(probability, gold, 0.5) == pytest.approx(0.45)
    assert f_beta_threshold(probability, gold, 1.0) == pytest.approx(0.15)
    # Tied documents are flagged together: no cut between the two at 0.8.
    tied = f_beta_threshold(np.array([0.9, 0.8, 0.8, 0.5]), np.array([1, 1, 0, 1]), 0.5)
    assert tied == pytest.approx(0.25)


def test_verdict_folds_hold_out_articles_and_blocks_together():
    articles = [Article(f"a{i}", "en", "local", ("Line.",), (None,)) for i in range(40)]
    blocks = [Block("en", "paywall", "tail", (f"Notice {i}",), ("paywall",)) for i in range(40)]
    folds = corpus_folds(CorpusSource(articles, blocks), 4)
    held_ids = [a.id for _, held in folds for a in held.articles]
    assert sorted(held_ids) == sorted(a.id for a in articles)  # each held out once
    for train, held in folds:
        assert not {a.id for a in train.articles} & {a.id for a in held.articles}
        assert not set(train.blocks) & set(held.blocks)
        assert held.articles and held.blocks


# -- what stands between the article and the prompt ----------------------------------------

LOOK_NAMES = ("account", "newsletter", "paywall", "pricing", "share")
GIFT = ["Gift this article", "You have 10 gift articles to give each month."]


def _look_alike_document(between: list[str]):
    """ARTICLE, then one boilerplate line per kind in ``between`` (sure of its kind), then
    a line the kind model takes for a paywall prompt (P(bp) 0.95, P(paywall) 0.9): lines,
    boilerplate and kind probabilities."""
    lines = ARTICLE + [f"line of kind {k}" for k in between] + [GIFT[1]]
    n = len(lines)
    proba = np.r_[np.full(len(ARTICLE), 0.05), np.full(len(between), 0.9), 0.95]
    kind_proba = np.full((n, len(LOOK_NAMES)), 1 / len(LOOK_NAMES))
    for i, kind in enumerate(between, start=len(ARTICLE)):
        kind_proba[i] = 0.0
        kind_proba[i, LOOK_NAMES.index(kind)] = 1.0
    kind_proba[-1] = [0.025, 0.025, 0.9, 0.025, 0.025]
    return lines, proba, kind_proba


def _features(between: list[str]) -> dict[str, float]:
    lines, proba, kind_proba = _look_alike_document(between)
    chars = np.array([len(line) for line in lines], dtype=np.float64)
    features, _ = document_verdict_features(proba, kind_proba, LOOK_NAMES, proba < 0.5, chars)
    return dict(zip(FEATURE_NAMES, features))


def test_look_alike_evidence_sums_share_and_newsletter_lines_between_article_and_prompt():
    assert _features([])["look_alike_before_prompt"] == 0.0  # the prompt follows the article
    # each share or newsletter line counts P(bp) x P(kind): 0.9 x 1
    assert _features(["share"])["look_alike_before_prompt"] == pytest.approx(0.9)
    both = _features(["newsletter", "share", "pricing"])["look_alike_before_prompt"]
    assert both == pytest.approx(1.8)  # a pricing line is no look-alike evidence
    # the other features do not read it
    base = {k: v for k, v in _features([]).items() if k != "look_alike_before_prompt"}
    assert {k: v for k, v in _features(["share"]).items() if k in base} == pytest.approx(base)


def test_look_alike_evidence_starts_after_the_last_article_line_before_the_prompt():
    lines, proba, kind_proba = _look_alike_document(["share", "share"])
    # A share line above the article and an empty "content" line (a blank) before the
    # prompt: only the share lines after the last non-empty article line count.
    lines = ["line of kind share", *lines[:-1], "", lines[-1]]
    proba = np.r_[0.9, proba[:-1], 0.0, proba[-1]]
    kind_proba = np.vstack([[0, 0, 0, 0, 1.0], kind_proba[:-1], np.zeros(5), kind_proba[-1]])
    chars = np.array([len(line) for line in lines], dtype=np.float64)
    features, prompt = document_verdict_features(proba, kind_proba, LOOK_NAMES, proba < 0.5, chars)
    assert prompt.argmax() == len(lines) - 1
    assert dict(zip(FEATURE_NAMES, features))["look_alike_before_prompt"] == pytest.approx(1.8)


def test_a_prompt_under_a_share_bar_or_newsletter_box_is_not_flagged_but_one_after_the_article_is():
    # A rule that weighs the look-alike evidence against the prompt, as fitted rules do.
    rule = PaywallRule(np.array([1.0, 0.0, 0.0, -4.0, -3.0]), 0.0, 0.5)
    for between, flagged in (([], True), (["share"], False), (["newsletter"], False)):
        lines, proba, kind_proba = _look_alike_document(between)
        verdict = paywall_verdict(lines, proba >= 0.5, proba, kind_proba, LOOK_NAMES, rule)
        assert verdict.detected == flagged, between


def test_a_rule_fitted_before_the_look_alike_feature_decides_as_before():
    old = PaywallRule(np.array([1.0, 0.0, 0.0, -4.0]), 0.0, 0.5)  # four weights: old file
    probabilities = set()
    for between in ([], ["share"], ["newsletter", "share"]):
        lines, proba, kind_proba = _look_alike_document(between)
        verdict = paywall_verdict(lines, proba >= 0.5, proba, kind_proba, LOOK_NAMES, old)
        assert verdict.detected
        probabilities.add(round(verdict.probability, 12))
    # only the strongest prompt counts: P = sigmoid(logit(0.95 x 0.9)) = 0.855
    assert probabilities == {0.855}


def test_the_fitted_rule_weighs_every_verdict_feature(
    corpus_dir, small_params, monkeypatch, tmp_path
):
    """``paysieve train`` fits the rule over every feature and the model file keeps it."""
    monkeypatch.setattr(verdict_fit, "MIN_DOCUMENTS_PER_ANSWER", 5)
    result = fit.train([fit.load_input(corpus_dir, copies=2)], params=small_params, folds=2)
    rule = result.model.paywall_rule
    assert rule is not None and len(rule.coef) == len(FEATURE_NAMES)
    assert list(result.metadata["paywall_verdict"]["features"]) == list(FEATURE_NAMES)
    save_model(result.model, tmp_path / "m.joblib", result.metadata)
    detector = Detector(tmp_path / "m.joblib")
    assert detector.model.paywall_rule.coef.tolist() == rule.coef.tolist()
    verdict = detector.predict_lines([*ARTICLE, *GIFT]).paywall
    assert verdict.probability == pytest.approx(
        float(rule.probability(_detector_features(detector, [*ARTICLE, *GIFT]))[0])
    )


def _detector_features(detector: Detector, lines: list[str]) -> np.ndarray:
    return document_features(detector.model, [lines])
