"""Danger: what the caregiver may do if nothing changes — a behaviour, not a diagnosis or label.

The behaviour sits under a may/could/will (or is the caregiver's act inside the trigger
clause). Omissions count ("may leave Birdie at the bus stop", "may not feed Amara on time");
a negated act of force ("will not hit") does not.
"""

from __future__ import annotations

from .common import Context, Found, acts, evidence


def detect(ctx: Context) -> Found:
    """Future caregiver behaviours toward the child."""
    a = ctx.a
    out = []
    for actor, verb in acts(a, ctx.blocked):
        if a.negated(verb) and a.lemma_in(verb, "violent_verbs"):
            continue
        future = a.has_modal(verb) and verb.i not in a.context_tokens
        in_trigger = verb.i in a.context_tokens and verb.tag_ in ("VBZ", "VBP")
        if future or in_trigger:
            out.append(evidence(actor, verb))
    return Found(out)
