"""Boilerplate kinds and the per-document paywall verdict."""

from pathlib import Path

import numpy as np
import pytest
from paysieve.inference.paywall_verdict import TEASER_LINES, PaywallVerdict, paywall_verdict
from paysieve.training import compose
from paysieve.training.compose import VERDICT_LAYOUTS, compose_verdict_documents
from paysieve.training.corpus_source import CorpusSource

from paysieve import Detector
from paysieve.labels import expand_kinds

ARTICLE = [
    "Library reopens after flood repairs",
    "The central library reopened on Monday after six months of repairs to its flooded basement.",
    "Staff moved more than twenty thousand books to a warehouse while the building dried out.",
    '"We are thrilled to welcome readers back," said head librarian Ana Costa.',
    "The council paid for the repairs from its emergency fund, officials said on Monday.",
    "Opening hours are unchanged, and the children's section reopens next week.",
    "Volunteers spent the summer cleaning and cataloguing the rare books that survived.",
    "A new pump and a raised floor should keep the basement dry in future storms, engineers say.",
    "The library will host a reopening festival with readings and music on Saturday afternoon.",
]
PAYWALL = ["You have read 5 of 5 free articles this month.", "Subscribe to continue reading."]
PRICING = ["Choose your plan", "Digital", "$4.99 per month", "Cancel anytime", "Subscribe now"]
NEWSLETTER = ["Sign up for our daily newsletter", "Enter your email address"]


@pytest.fixture(scope="module")
def detector(small_model_path) -> Detector:
    return Detector(small_model_path)


def test_boilerplate_lines_get_a_kind_and_content_lines_none(detector):
    result = detector.predict_lines(ARTICLE + PAYWALL + PRICING)
    kinds = result.kinds
    assert kinds[1 : len(ARTICLE)] == [None] * (len(ARTICLE) - 1)
    tail = kinds[len(ARTICLE) :]
    assert tail[: len(PAYWALL)] == ["paywall"] * len(PAYWALL)
    assert tail[len(PAYWALL) :].count("pricing") >= len(PRICING) - 1
    for line in result:
        assert (line.kind is None) == (line.label == "content")
        if line.kind is not None:
            assert 0.0 < line.kind_score <= 1.0


def test_verdict_flags_a_teaser_as_paywalled_and_truncated(detector):
    verdict = detector.predict_lines(ARTICLE[:2] + PAYWALL + PRICING).paywall
    assert verdict.detected and verdict.truncated
    assert 0.5 <= verdict.probability <= 1.0


def test_verdict_on_a_whole_article_with_a_metered_notice_is_not_truncated(detector):
    verdict = detector.predict_lines(ARTICLE + PAYWALL).paywall
    assert verdict.detected and not verdict.truncated


def test_subscription_chrome_alone_is_not_a_paywall(detector):
    """The phrase-list failure: a free article whose footer says 'Subscribe'."""
    for tail in (NEWSLETTER, PRICING, ["Subscribe", "Sign in"]):
        verdict = detector.predict_lines(ARTICLE + tail).paywall
        assert not verdict.detected, tail
        assert verdict.probability < 0.5
    assert not detector.predict_lines(ARTICLE).paywall.detected


def _verdict(lines: list[str], is_bp, paywall):
    """Verdict with the default rule, from each line's P(paywall prompt) (boilerplate
    lines with probability 1, of kind paywall with probability ``paywall``)."""
    is_bp = np.asarray(is_bp, dtype=bool)
    paywall = np.asarray(paywall, dtype=np.float64)
    kinds = np.column_stack([1 - paywall, paywall])
    return paywall_verdict(lines, is_bp, is_bp.astype(float), kinds, ("navigation", "paywall"))


def test_verdict_rules_on_given_line_probabilities():
    lines = ["Intro sentence.", "Second sentence.", "Subscribe to read on.", "After."]
    is_bp = np.array([False, False, True, False])
    pw = np.array([0.0, 0.0, 0.9, 0.0])
    assert not _verdict(lines, is_bp, pw).truncated  # content follows the prompt
    is_bp[3] = True
    assert _verdict(lines, is_bp, pw).truncated  # a two-line teaser
    long = [f"Paragraph {i} of a long story, with a full sentence." * 3 for i in range(9)]
    done = _verdict(long + ["Subscribe."], np.arange(10) == 9, np.arange(10) == 9)
    assert done.detected and not done.truncated
    assert len(long) >= TEASER_LINES
    cut = _verdict(
        [*long[:-1], "and then the mayor said that", "Subscribe."],
        np.arange(10) == 9,
        np.arange(10) == 9,
    )
    assert cut.truncated  # ends mid-sentence
    assert paywall_verdict([], np.zeros(0, bool), np.zeros(0), np.zeros((0, 2)), ("a", "b")) == (
        PaywallVerdict(False, 0.0, False)
    )


def test_verdict_documents_cover_every_layout_with_known_answers(corpus_dir):
    records = compose_verdict_documents(CorpusSource.read(corpus_dir), part="all")
    assert {r["layout"] for r in records} == set(VERDICT_LAYOUTS)
    for r in records:
        has_paywall_line = "paywall" in r["kinds"]
        assert r["paywall"]["detected"] == has_paywall_line
        if r["paywall"]["truncated"]:
            assert r["kinds"][-1] is not None and r["labels"].count("content") <= 4


def test_clean_can_drop_or_keep_chosen_kinds(detector):
    nav = ["Home", "News", "Sport"]
    result = detector.predict_lines(nav + ARTICLE + PAYWALL + PRICING)
    assert result.kinds[: len(nav)] == ["navigation"] * len(nav)
    only_paywall = result.cleaned(drop=expand_kinds("subscription")).splitlines()
    assert only_paywall[: len(nav)] == nav
    assert not set(PAYWALL) & set(only_paywall)
    # the small test model may name one plan line by another kind
    assert len(set(PRICING) & set(only_paywall)) <= 1
    keep_nav = result.cleaned(keep={"navigation"}).splitlines()
    assert keep_nav[: len(nav)] == nav and not set(PAYWALL) & set(keep_nav)
    assert result.cleaned() == result.text
    assert result.removed().tolist() == result.is_boilerplate.tolist()


def _inserted(plain: list[str], with_chrome: list[str]) -> tuple[int, int]:
    """(where, how many): ``with_chrome`` is ``plain`` with lines inserted at one place."""
    n = len(with_chrome) - len(plain)
    at = next(i for i in range(len(plain) + 1) if i == len(plain) or plain[i] != with_chrome[i])
    assert n >= 0 and with_chrome[:at] == plain[:at] and with_chrome[at + n :] == plain[at:]
    return at, n


def test_chrome_stands_between_the_article_and_the_wall_in_half_the_paywalled_documents(
    monkeypatch,
):
    """Real pages often put a share bar or newsletter box between an article and its wall:
    half the teaser and metered documents get one such block there, drawn apart from the
    rest, so that every free document and every other line stays as the seed made it."""
    source = CorpusSource.read(Path(__file__).parents[1] / "datasets" / "source")
    with_chrome = compose_verdict_documents(source, part="all")
    monkeypatch.setattr(compose, "CHROME_BEFORE_WALL", 0.0)
    plain = compose_verdict_documents(source, part="all")
    assert [r["id"] for r in plain] == [r["id"] for r in with_chrome]
    changed, paywalled, kinds = 0, 0, set()
    for p, c in zip(plain, with_chrome):
        if not c["paywall"]["detected"]:
            assert p == c, p["layout"]
            continue
        paywalled += 1
        at, n = _inserted(p["lines"], c["lines"])
        if n == 0:
            continue
        changed += 1
        inserted = c["kinds"][at : at + n]
        kinds.update(inserted)
        assert None not in inserted and "paywall" not in inserted
        assert None in c["kinds"][:at]  # after the article ...
        assert None not in c["kinds"][at:]
        assert "paywall" in c["kinds"][at + n :]  # ... and before the wall
        assert "paywall" not in c["kinds"][:at]
    assert 0.4 < changed / paywalled < 0.6
    assert {"share", "newsletter", "related", "advert"} <= kinds
