"""The document paywall rule: from per-line probabilities to "is this page paywalled?".

A page is paywalled when it holds a prompt that withholds the article (a metered-limit or
subscribe-to-continue notice: kind ``paywall``). One line's probability of being such a
prompt, P(boilerplate) x P(kind = paywall), is the main evidence. Its look-alikes are the
other subscription kinds (a plan's "Unlimited digital access", a newsletter's "Subscribe",
a "Sign in" link), so the rule also reads how sure the kind model is that the strongest
line is the prompt rather than one of those, whether a second line backs it (a notice
rarely comes alone), whether article text follows it (a wall ends the article), and what
stands between the article and the prompt: a look-alike the kind model mistakes for a
prompt -- a gift-article offer ("You have 10 gift articles to give"), a newsletter box's
"Subscribe" or its sign-up confirmation -- sits under the share bar or newsletter box it
belongs to. Walls too often follow a share bar, so that is weak evidence, and the fitted
rule weighs it as such. ``verdict_features`` turns a document's line probabilities into
these numbers, and ``PaywallRule`` -- a logistic regression over them and a decision
threshold -- turns them into the document's probability of being paywalled and the
verdict.

The rule is fitted by ``paysieve.training.verdict_fit`` on composed documents whose articles
*and* boilerplate blocks the scoring model never saw (out-of-fold kind probabilities), with
a threshold that puts precision first (a free article flagged as paywalled is the worse
error for corpus filtering).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paysieve.labels import KIND_GROUPS, PAYWALL_KIND

FEATURE_NAMES: tuple[str, ...] = (
    "logit_strongest_prompt",
    "logit_second_prompt",
    "prompt_share_of_subscription_kinds",
    "content_after_prompt",
    "look_alike_before_prompt",
)
# Kinds whose lines, between the article and the strongest prompt, mark that prompt as part
# of a share bar or newsletter box rather than a wall.
LOOK_ALIKE_KINDS: tuple[str, ...] = ("newsletter", "share")
_CLIP = 1e-4


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return float(np.log(p / (1 - p)))


def prompt_probability(
    proba: np.ndarray, kind_proba: np.ndarray, kind_names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per line, (P(paywall prompt), P(paywall) / P(any subscription kind)): the
    boilerplate probability times the paywall kind's, and the paywall kind's share of the
    subscription group (``KIND_GROUPS["subscription"]``)."""
    if PAYWALL_KIND not in kind_names:
        zeros = np.zeros(len(proba))
        return zeros, zeros
    paywall = kind_proba[:, list(kind_names).index(PAYWALL_KIND)]
    family = _kinds_probability(kind_proba, kind_names, KIND_GROUPS["subscription"])
    share = paywall / np.maximum(family, 1e-9)
    return proba * paywall, share


def look_alike_probability(
    proba: np.ndarray, kind_proba: np.ndarray, kind_names: Sequence[str]
) -> np.ndarray:
    """Per line, P(boilerplate) x P(kind in ``LOOK_ALIKE_KINDS``): how likely the line is
    part of a share bar or newsletter box."""
    return proba * _kinds_probability(kind_proba, kind_names, LOOK_ALIKE_KINDS)


def _kinds_probability(
    kind_proba: np.ndarray, kind_names: Sequence[str], kinds: Sequence[str]
) -> np.ndarray:
    """Per line, the summed probability of ``kinds`` (those the model names), added in
    ``kinds``' order."""
    names = list(kind_names)
    return kind_proba[:, [names.index(k) for k in kinds if k in names]].sum(axis=1)


def prompt_line(prompt: np.ndarray) -> int:
    """Index of the first line of the paywall prompt: the first line at least half as
    likely to be a prompt as the likeliest one."""
    return int(np.flatnonzero(prompt >= 0.5 * prompt.max())[0])


def verdict_features(
    prompt: np.ndarray,
    share: np.ndarray,
    is_content: np.ndarray,
    chars: np.ndarray,
    look_alike: np.ndarray,
) -> np.ndarray:
    """The rule's inputs (``FEATURE_NAMES``) for one non-empty document: per-line prompt
    probabilities and shares (``prompt_probability``), which lines are content, their
    lengths, and per-line look-alike probabilities (``look_alike_probability``).

    ``look_alike_before_prompt`` sums the look-alike probabilities of the lines between the
    last non-empty content line before the prompt (``prompt_line``) and the prompt."""
    order = np.argsort(-prompt, kind="stable")
    second = prompt[order[1]] if len(prompt) > 1 else 0.0
    content_chars = np.where(is_content, chars, 0.0)
    at = prompt_line(prompt)
    after = content_chars[at + 1 :].sum() / max(content_chars.sum(), 1.0)
    article_before = np.flatnonzero(content_chars[:at] > 0)
    start = article_before[-1] + 1 if len(article_before) else 0
    before = float(look_alike[start:at].sum())
    return np.array(
        [_logit(prompt[order[0]]), _logit(second), float(share[order[0]]), after, before]
    )


def document_verdict_features(
    proba: np.ndarray,
    kind_proba: np.ndarray,
    kind_names: Sequence[str],
    is_content: np.ndarray,
    chars: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(``verdict_features``, per-line prompt probabilities) of one non-empty document from
    its lines' boilerplate and kind probabilities, which lines are content and their
    lengths: what training and prediction both compute."""
    prompt, share = prompt_probability(proba, kind_proba, kind_names)
    look_alike = look_alike_probability(proba, kind_proba, kind_names)
    return verdict_features(prompt, share, is_content, chars, look_alike), prompt


class PaywallRule:
    """Probability that a document is paywalled, from its ``verdict_features``, and the
    threshold from which it is flagged.

    A rule reads the first ``len(coef)`` features: rules fitted before a feature was added
    (older model files) ignore it and decide as they did."""

    def __init__(self, coef: np.ndarray, intercept: float, threshold: float) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(paywalled) of every row of ``features`` (one row per document)."""
        z = np.atleast_2d(features)[:, : len(self.coef)] @ self.coef + self.intercept
        return 0.5 * (1.0 + np.tanh(0.5 * z))


def max_paywall_rule() -> PaywallRule:
    """The rule of models trained before the fitted rule: flagged when one line is a
    paywall prompt with probability at least 0.5 (only the first feature counts)."""
    return PaywallRule(np.array([1.0, 0.0, 0.0, 0.0]), 0.0, 0.5)
