"""Danger: a statement about poverty or a lack of resources alone is a need for help, not a danger.

It gets a finding (category not_danger) when it names poverty or missing resources and no
caregiver behaviour that could hurt the child beyond them.
"""

from __future__ import annotations

from .common import Context, Span


def poverty_only(ctx: Context, behaviours: list[Span]) -> Span | None:
    """The first poverty words when they are all the statement's worry, else None."""
    a = ctx.a
    found = a.spans("poverty_words")
    if not found:
        return None
    resource_verbs = ("afford", "pay", "lose", "buy", "have", "get", "find", "keep", "evict", "work", "earn", "move")
    real = [(s, e) for s, e in behaviours if a.lemma[e - 1] not in resource_verbs and not a.has(e - 1, "poverty_words")]
    acts = [
        t for t in a.tokens if t.pos_ == "VERB" and (a.lemma_in(t, "violent_verbs") or a.lemma_in(t, "omission_verbs"))
    ]
    return None if real or acts else found[0]
