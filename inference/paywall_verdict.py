"""Per-document paywall verdict: is a paywall prompt present, and was the article cut by it?

A page is ``detected`` as paywalled when one of its boilerplate lines is, by the kind
model, a paywall prompt (a metered-limit or subscribe-to-continue notice). Pricing
plans, newsletter boxes and "Subscribe" menu links are other kinds, so a free article
whose footer merely sells subscriptions is not flagged: the kind model, not a phrase list,
makes that call.

``truncated`` means the article looks cut off by the prompt: no content follows the
first paywall line, and what precedes it is a teaser: fewer than ``TEASER_LINES``
content lines, or fewer than ``TEASER_CHARS`` characters, or a last content line that
stops mid-sentence (no terminal punctuation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEASER_LINES = 5
TEASER_CHARS = 400
_TERMINAL = tuple(".!?。！？…\"'”’»)")


@dataclass(frozen=True)
class PaywallVerdict:
    """Whether a paywall prompt is present (with its probability) and the article truncated."""

    detected: bool
    probability: float
    truncated: bool

    def as_dict(self) -> dict:
        return {
            "detected": self.detected,
            "probability": round(self.probability, 4),
            "truncated": self.truncated,
        }


def paywall_verdict(
    lines: tuple[str, ...] | list[str],
    is_boilerplate: np.ndarray,
    paywall_proba: np.ndarray,
    threshold: float = 0.5,
) -> PaywallVerdict:
    """Verdict of one document from its lines, their labels and P(line is a paywall prompt).

    ``paywall_proba`` is per line P(boilerplate) x P(kind = paywall | boilerplate).
    """
    if len(lines) == 0:
        return PaywallVerdict(False, 0.0, False)
    probability = float(paywall_proba.max())
    detected = probability >= threshold
    truncated = False
    if detected:
        first = int(np.flatnonzero(paywall_proba >= threshold)[0])
        content = ~np.asarray(is_boilerplate, dtype=bool)
        before = [lines[i] for i in np.flatnonzero(content[:first]) if lines[i].strip()]
        nothing_after = not any(lines[i].strip() for i in np.flatnonzero(content[first:]))
        teaser = (
            len(before) < TEASER_LINES
            or sum(len(line) for line in before) < TEASER_CHARS
            or not before[-1].rstrip().endswith(_TERMINAL)
        )
        truncated = nothing_after and teaser
    return PaywallVerdict(detected, probability, truncated)
