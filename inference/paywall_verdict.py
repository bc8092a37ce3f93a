"""Per-document paywall verdict: is a paywall prompt present, was the article cut by it,
and which lines say so?

A page is ``detected`` as paywalled when the model's paywall rule
(``paysieve.model.paywall_rule.PaywallRule``, fitted in training on held-out composed
documents) gives it a probability at or above the rule's threshold. The rule reads the
kind model's evidence: the lines likeliest to be paywall prompts (metered-limit and
subscribe-to-continue notices), how sure the kind model is that they are prompts rather
than plan, sign-in or newsletter lines, whether article text follows the prompt, and
whether share or newsletter lines stand between the article and the prompt (a gift-article
offer or a newsletter box's "Subscribe" under a free article).
Pricing plans, newsletter boxes, podcast prompts and "Subscribe" menu links are other
kinds, so a free article whose footer merely sells subscriptions is not flagged: the
kind model, not a phrase list, makes that call.

``truncated`` means the article looks cut off by the prompt: no content follows the
prompt's first line, and what precedes it is a teaser: fewer than ``TEASER_LINES`` content
lines, or fewer than ``TEASER_CHARS`` characters, or a last content line that stops
mid-sentence (no terminal punctuation).

``evidence`` lists, for a detected page, its boilerplate lines of the kinds in
``EVIDENCE_KINDS`` with their kind and probability: the prompt and the offer around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from paysieve.model.paywall_rule import (
    PaywallRule,
    document_verdict_features,
    max_paywall_rule,
    prompt_line,
)

from paysieve.labels import PAYWALL_KIND

TEASER_LINES = 5
TEASER_CHARS = 400
EVIDENCE_KINDS: tuple[str, ...] = (PAYWALL_KIND, "pricing", "account")
_TERMINAL = tuple(".!?。！？…\"'”’»)")


@dataclass(frozen=True)
class PaywallEvidence:
    """One line behind a verdict: its index in the document, its kind, and the
    probability that it is boilerplate of that kind."""

    line: int
    kind: str
    probability: float

    def as_dict(self) -> dict:
        return {"line": self.line, "kind": self.kind, "probability": round(self.probability, 4)}


@dataclass(frozen=True)
class PaywallVerdict:
    """Whether a paywall prompt is present (with the document's probability of being
    paywalled), whether the article is truncated, and the lines behind the verdict."""

    detected: bool
    probability: float
    truncated: bool
    evidence: tuple[PaywallEvidence, ...] = ()

    def as_dict(self) -> dict:
        """The verdict as JSON-ready data (what every output format writes)."""
        return {
            "detected": self.detected,
            "probability": round(self.probability, 4),
            "truncated": self.truncated,
            "evidence": [e.as_dict() for e in self.evidence],
        }


def is_truncated(lines: Sequence[str], is_content: np.ndarray, prompt: int) -> bool:
    """Whether the article stops at line ``prompt`` as a teaser (see the module docstring)."""
    if any(lines[i].strip() for i in np.flatnonzero(is_content[prompt:])):
        return False
    before = [lines[i] for i in np.flatnonzero(is_content[:prompt]) if lines[i].strip()]
    return (
        len(before) < TEASER_LINES
        or sum(len(line) for line in before) < TEASER_CHARS
        or not before[-1].rstrip().endswith(_TERMINAL)
    )


def paywall_verdict(
    lines: Sequence[str],
    is_boilerplate: np.ndarray,
    proba: np.ndarray,
    kind_proba: np.ndarray,
    kind_names: Sequence[str],
    rule: PaywallRule | None = None,
) -> PaywallVerdict:
    """Verdict of one document from its lines, which are boilerplate, their boilerplate
    probabilities and their kind probabilities (one column per name in ``kind_names``).

    ``rule`` None applies the rule of models that have none: a page is paywalled when one
    line is a paywall prompt with probability at least 0.5.
    """
    if len(lines) == 0:
        return PaywallVerdict(False, 0.0, False)
    rule = rule or max_paywall_rule()
    is_content = ~np.asarray(is_boilerplate, dtype=bool)
    chars = np.fromiter((len(line) for line in lines), dtype=np.float64, count=len(lines))
    features, prompt = document_verdict_features(proba, kind_proba, kind_names, is_content, chars)
    probability = float(rule.probability(features)[0])
    if probability < rule.threshold:
        return PaywallVerdict(False, probability, False)
    names = list(kind_names)
    best = kind_proba.argmax(axis=1)
    evidence = tuple(
        PaywallEvidence(int(i), names[best[i]], float(proba[i] * kind_proba[i, best[i]]))
        for i in np.flatnonzero(~is_content)
        if names[best[i]] in EVIDENCE_KINDS
    )
    truncated = is_truncated(lines, is_content, prompt_line(prompt))
    return PaywallVerdict(True, probability, truncated, evidence)
