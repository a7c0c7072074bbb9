"""Safety goal: what the child will experience ("so that Jayden feels safe at home")."""

from __future__ import annotations

from .common import Context, Found, evidence

STATE_VERBS = ("be", "have", "feel", "get", "know", "stay", "keep", "sleep", "go", "eat", "grow", "can")


def detect(ctx: Context) -> Found:
    """Clauses whose subject is the child (outside the trigger), or 'so that' clauses about a child."""
    a = ctx.a
    out = []
    for tok in a.tokens:
        if tok.dep_ in ("nsubj", "nsubjpass") and a.role_of(tok) == "child":
            verb = tok.head
            if verb.i in a.context_tokens or tok.i in a.context_tokens:
                continue
            if any(a.lower[c.i] in ("where", "wherever") for c in verb.children):
                continue  # a place clause ("where Leo cannot reach them") places a thing, not the child's experience
            out.append(evidence(tok, verb))
        elif a.lower[tok.i] == "so" and (
            tok.dep_ == "mark" or (tok.i + 1 < len(a.tokens) and a.lower[tok.i + 1] == "that")
        ):
            clause = tok.head if tok.dep_ == "mark" else a.tokens[min(tok.i + 2, len(a.tokens) - 1)].head
            kids = [t for t in clause.subtree if a.role[t.i] == "child" and t.i > tok.i]
            if kids and a.lemma[clause.i] in STATE_VERBS:
                out.append(evidence(tok, kids[0]))  # "so that an adult is with Bao and An"
    return Found(out)
