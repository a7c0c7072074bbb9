"""Safety goal: for how long the change must be seen ("for the next six months", "until the end of the school year")."""

from __future__ import annotations

from .common import Context, Found


def detect(ctx: Context) -> Found:
    """Periods opened by for/over/during/... with a number or 'next', and 'until' a season or event."""
    a = ctx.a
    doc, low, n = a.tokens, a.lower, len(a.tokens)
    out = []
    for tok in doc:
        w = low[tok.i]
        if w in ("until", "till", "through", "thru"):
            ahead = range(tok.i + 1, min(n, tok.i + 4))
            if any(a.has(k, "until_objects") or a.has(k, "months") for k in ahead) and tok.dep_ != "mark":
                out.append((tok.i, min(n, tok.i + 4)))
                continue
        if a.has(tok.i, "duration_preps"):
            for j in range(tok.i + 1, min(n, tok.i + 7)):
                if a.has(j, "time_units") and low[j] not in ("time", "times"):
                    between = range(tok.i + 1, j)
                    if any(
                        (a.has(k, "count_words") and low[k] not in ("last", "past"))
                        or a.has(k, "number_words")
                        or a.has(k, "duration_words")
                        or doc[k].like_num
                        for k in between
                    ):
                        if not (w == "in" and not any(low[k] in ("next", "coming") for k in between)):
                            out.append((tok.i, j + 1))
                    break
                if low[j] in (".", ";", "when", "if", "while", "and"):
                    break
    return Found(out)
