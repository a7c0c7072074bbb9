"""Danger and safety goal: the trigger or situation ("when", "if", "while", "every time", "even when")."""

from __future__ import annotations

from .common import Context, Found


def detect(ctx: Context) -> Found:
    """Context markers that open a clause, and recurring-situation phrases; not "if nothing changes"."""
    a = ctx.a
    out = list(a.spans("context_phrases"))
    for i in a.context_markers:
        start = i - 1 if i > 0 and a.lower[i - 1] == "even" else i
        out.append((start, i + 1))
    return Found(out)
