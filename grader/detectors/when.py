"""Harm: when it happened, or how often (a date, a day, a time of day, a frequency or a period)."""

from __future__ import annotations

from .common import Context, Found, Span


def detect(ctx: Context) -> Found:
    """Dates, days, times of day, frequencies and periods; never an age, never a vague count."""
    a = ctx.a
    doc, low = a.tokens, a.lower
    out: list[Span] = [
        (s, e)
        for s, e in a.spans("time_words")
        if not (e - s == 1 and low[s] in ("am", "pm") and not (s > 0 and doc[s - 1].like_num))
    ]
    for tok in doc:
        i, w = tok.i, low[tok.i]
        if a.has(i, "months") and tok.text[:1].isupper() and tok.tag_ != "MD":
            out.append((i, i + 1))
        elif ("/" in w or ":" in w) and any(ch.isdigit() for ch in w) and len(w) <= 10:
            out.append((i, i + 1))
        elif a.has(i, "time_units"):
            j = i - 1
            while j >= 0 and a.has(j, "time_padding"):
                j -= 1
            if w in ("time", "times") and j >= 0 and a.has(j, "vague_counts"):
                continue  # "several times" does not say how often
            if j >= 0 and (
                doc[j].like_num
                or a.has(j, "count_words")
                or a.has(j, "number_words")
                or (low[j] == "for" and w.endswith("s"))
            ):
                out.append((j, i + 1))
        elif w == "once" and tok.pos_ == "ADV":
            out.append((i, i + 1))
        elif w in ("o'clock", "oclock"):
            out.append((max(0, i - 1), i + 1))
    return Found(sorted({(s, e) for s, e in out if not any(k in a.age_tokens for k in range(s, e))}))
