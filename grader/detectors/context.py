"""Danger and safety goal: the trigger or situation ("when", "if", "while", "every time", "even when")."""

from __future__ import annotations

from ..analysis import Analysis
from .common import Context, Found, Span

# "on cold nights", "on a rushed morning": a time of day or week that a describing word makes a situation
SITUATION_TIMES = frozenset(
    {"night", "nights", "morning", "mornings", "day", "days", "evening", "evenings", "afternoon", "afternoons",
     "weekend", "weekends", "weekday", "weekdays"}
)
SINGULAR_DETS = ("a", "an", "any")
PLURAL_DETS = ("those", "these", "the")


def _described_times(a: Analysis) -> list[Span]:
    """'on cold nights', 'on busy mornings', 'on a rushed morning': a recurring situation, not a date."""
    out = []
    n = len(a.tokens)
    for tok in a.tokens:
        if a.lower[tok.i] != "on":
            continue
        k = tok.i + 1
        det = a.lower[k] if k < n and a.lower[k] in SINGULAR_DETS + PLURAL_DETS else None
        k += det is not None
        start = k
        while k < n and (a.tokens[k].pos_ == "ADJ" or a.tokens[k].tag_ in ("VBN", "VBG")) and a.tokens[k].is_alpha:
            k += 1
        if k == start or k >= n or a.lower[k] not in SITUATION_TIMES:
            continue
        plural = a.lower[k].endswith("s")
        if (plural and det in (None, *PLURAL_DETS)) or (not plural and det in SINGULAR_DETS):
            out.append((tok.i, k + 1))
    return out


def detect(ctx: Context) -> Found:
    """Context markers that open a clause, and recurring-situation phrases; not "if nothing changes"."""
    a = ctx.a
    out = list(a.spans("context_phrases"))
    for i in a.context_markers:
        start = i - 1 if i > 0 and a.lower[i - 1] == "even" else i
        out.append((start, i + 1))
    out += _described_times(a)
    return Found(out)
