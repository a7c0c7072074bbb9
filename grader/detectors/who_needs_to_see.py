"""Safety goal: who needs to see the change ("the social worker and Keisha need to see ...")."""

from __future__ import annotations

from spacy.tokens import Token

from ..analysis import Analysis
from .common import Context, Found, evidence


def _listed_after(a: Analysis, see: Token) -> list[Token]:
    """A heading "Who needs to see: the worker + Aunt May": the people listed after its colon, on its line."""
    k = see.i + 1
    if k >= len(a.tokens) or a.lower[k] != ":":
        return []
    out = []
    for t in a.tokens[k + 1 :]:
        if "\n" in t.text_with_ws and t.i > k + 1 and not t.is_space:
            if a.role_of(t) is not None:
                out.append(t)
            break
        if t.is_space and "\n" in t.text:
            break
        if a.role_of(t) is not None:
            out.append(t)
    return out


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
        if "who" in a.lower[max(0, tok.i - 4) : tok.i]:
            owners = _listed_after(a, tok) or owners  # a heading: "Who needs to see: ..."
        if owners and {a.role_of(o) for o in owners} != {"child"}:
            out.append(evidence(min(owners, key=lambda t: t.i), tok))
    return Found(out)
