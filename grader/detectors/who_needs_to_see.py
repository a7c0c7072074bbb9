"""Safety goal: who needs to see the change ("the social worker and Keisha need to see ...")."""

from __future__ import annotations

from .common import Context, Found, evidence


def detect(ctx: Context) -> Found:
    """'X need(s) to see / want to see / will see' with X not the child."""
    a = ctx.a
    out = []
    for tok in a.tokens:
        if not a.lemma_in(tok, "see_verbs") or tok.pos_ != "VERB":
            continue
        gov = tok.head if tok.dep_ == "xcomp" and a.lemma_in(tok.head, "see_governors") else None
        owners = a.subjects(gov) if gov is not None else (a.subjects(tok) if a.has_modal(tok) else [])
        owners = [o for o in owners if o.dep_ != "expl"]
        if owners and {a.role_of(o) for o in owners} != {"child"}:
            out.append(evidence(min(owners, key=lambda t: t.i), tok))
    return Found(out)
