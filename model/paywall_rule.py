"""The document paywall rule: from per-line probabilities to "is this page paywalled?".

A page is paywalled when it holds a prompt that withholds the article (a metered-limit or
subscribe-to-continue notice: kind ``paywall``). One line's probability of being such a
prompt, P(boilerplate) x P(kind = paywall), is the main evidence. Its look-alikes are the
other subscription kinds (a plan's "Unlimited digital access", a newsletter's "Subscribe",
a "Sign in" link), so the rule also reads how sure the kind model is that the strongest
line is the prompt rather than one of those, whether a second line backs it (a notice
rarely comes alone), and whether article text follows it (a wall ends the article).
``verdict_features`` turns a document's line probabilities into these numbers, and
``PaywallRule`` -- a logistic regression over them and a decision threshold -- turns them
into the document's probability of being paywalled and the verdict.

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
)
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
    names = list(kind_names)
    if PAYWALL_KIND not in names:
        zeros = np.zeros(len(proba))
        return zeros, zeros
    paywall = kind_proba[:, names.index(PAYWALL_KIND)]
    family = kind_proba[:, [names.index(k) for k in KIND_GROUPS["subscription"] if k in names]]
    share = paywall / np.maximum(family.sum(axis=1), 1e-9)
    return proba * paywall, share


def prompt_line(prompt: np.ndarray) -> int:
    """Index of the first line of the paywall prompt: the first line at least half as
    likely to be a prompt as the likeliest one."""
    return int(np.flatnonzero(prompt >= 0.5 * prompt.max())[0])


def verdict_features(
    prompt: np.ndarray, share: np.ndarray, is_content: np.ndarray, chars: np.ndarray
) -> np.ndarray:
    """The rule's inputs (``FEATURE_NAMES``) for one non-empty document: per-line prompt
    probabilities and shares (``prompt_probability``), which lines are content and their
    lengths."""
    order = np.argsort(-prompt, kind="stable")
    second = prompt[order[1]] if len(prompt) > 1 else 0.0
    content_chars = np.where(is_content, chars, 0.0)
    after = content_chars[prompt_line(prompt) + 1 :].sum() / max(content_chars.sum(), 1.0)
    return np.array([_logit(prompt[order[0]]), _logit(second), float(share[order[0]]), after])


class PaywallRule:
    """Probability that a document is paywalled, from its ``verdict_features``, and the
    threshold from which it is flagged."""

    def __init__(self, coef: np.ndarray, intercept: float, threshold: float) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(paywalled) of every row of ``features`` (one row per document)."""
        z = np.atleast_2d(features) @ self.coef + self.intercept
        return 0.5 * (1.0 + np.tanh(0.5 * z))


def max_paywall_rule() -> PaywallRule:
    """The rule of models trained before the fitted rule: flagged when one line is a
    paywall prompt with probability at least 0.5 (only the first feature counts)."""
    return PaywallRule(np.array([1.0, 0.0, 0.0, 0.0]), 0.0, 0.5)
