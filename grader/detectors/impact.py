"""Harm: the impact on the child (what happened to the child as a result)."""

from __future__ import annotations

from .common import Context, Found
from .impact_common import effect_spans


def detect(ctx: Context) -> Found:
    """Effects the child experienced; in a harm statement being left alone is the act, not its effect."""
    a = ctx.a
    spans = []
    for s, e in effect_spans(a, ctx.blocked):
        if a.lower[s] == "alone" or a.lower[s:e] == ["left", "alone"]:
            continue
        spans.append((s, e))
    return Found(spans)
