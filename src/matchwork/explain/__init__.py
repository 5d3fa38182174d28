"""Explanations: why this pairing, why not that one, what one more slot is worth."""

from matchwork.explain.explain import (
    Alternative,
    Contribution,
    Explanation,
    StageExplanation,
    WhyNot,
    capacity_prices,
    explain,
    suggest,
    why_not,
)

__all__ = [
    "Alternative",
    "Contribution",
    "Explanation",
    "StageExplanation",
    "WhyNot",
    "capacity_prices",
    "explain",
    "suggest",
    "why_not",
]
