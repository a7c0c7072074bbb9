"""Danger: who holds the worry ("the social worker and Aunt Keisha are worried"), never the child alone."""

from __future__ import annotations

from spacy.tokens import Token

from ..analysis import Analysis
from .common import Context, Found, evidence


def _people_before(a: Analysis, verb: Token) -> list[Token]:
    """People in the words right before a subjectless "are worried", back to the comma ("..., her aunt and the
    worker are worried": the parser sometimes hangs them on the clause before)."""
    out = []
    k = verb.i - 1
    while k >= 0 and a.lower[k] not in (",", ";", ".", "that") and verb.i - k <= 12:
        if a.role_of(a.tokens[k]) is not None:
            out.append(a.tokens[k])
        k -= 1
    return out if any(a.role_of(t) != "child" for t in out) else []


def _people_beside(a: Analysis, tok: Token) -> list[Token]:
    """People set beside a bare worry word ("Worried (me, the worker, and Grandma Lupe) that ...")."""
    return [t for c in tok.children if c.dep_ in ("appos", "conj") for t in c.subtree if a.role_of(t) is not None]


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
            if not owners and head.pos_ in ("VERB", "AUX") and tok.dep_ == "acomp":
                owners = _people_before(a, head)
            if not owners and tok.dep_ == "ROOT":
                owners = _people_beside(a, tok)
        owners = [o for o in owners if o.dep_ != "expl" and o.lower_ not in ("there", "it", "this")]
        roles = {a.role_of(o) for o in owners}
        if (
            owners
            and roles != {"child"}
            and any(a.role_of(o) is not None or o.pos_ in ("PRON", "PROPN", "NOUN") for o in owners)
        ):
            out.append(evidence(min(owners, key=lambda t: t.i), tok))
    return Found(out)
