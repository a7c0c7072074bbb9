"""Danger: who holds the worry ("the social worker and Aunt Keisha are worried"), never the child alone."""

from __future__ import annotations

from .common import Context, Found, evidence


def detect(ctx: Context) -> Found:
    """'X is worried / worries / is concerned / fears' with X a person who is not only the child."""
    a = ctx.a
    out = []
    for tok in a.tokens:
        if not a.has(tok.i, "worry_words"):
            continue
        if tok.pos_ == "NOUN":
            owners = [c for c in tok.children if c.dep_ == "poss"]
            if not owners and tok.head.pos_ in ("VERB", "AUX") and tok.dep_ in ("dobj", "attr", "nsubj"):
                owners = [s for s in a.subjects(tok.head) if s is not tok]
        else:
            head = tok if tok.pos_ == "VERB" and tok.dep_ != "acomp" else tok.head
            owners = a.subjects(tok) or a.subjects(head)
        owners = [o for o in owners if o.dep_ != "expl" and o.lower_ not in ("there", "it", "this")]
        roles = {a.role_of(o) for o in owners}
        if (
            owners
            and roles != {"child"}
            and any(a.role_of(o) is not None or o.pos_ in ("PRON", "PROPN", "NOUN") for o in owners)
        ):
            out.append(evidence(min(owners, key=lambda t: t.i), tok))
    return Found(out)
