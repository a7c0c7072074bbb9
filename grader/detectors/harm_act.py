"""Harm: what the caregiver did, or did not do, to the child.

An act counts when a caregiver is its actor and the child is the one it was done to or
who was left exposed: the child is in the act's own phrase (its object, a body part, "at
Jayden"), or the act is an omission (left, forgot, did not bring), or the child was there
when it happened. An act on another adult while the child was away, and anything done by
a third person, is not a caregiver's act on the child. A negated act of force ("did not
hit him") is no act; other negated care ("did not feed her") is an omission.
"""

from __future__ import annotations

from spacy.tokens import Token

from ..analysis import Analysis
from .common import Context, Found, acts, evidence


def _child_in_phrase(a: Analysis, verb: Token) -> bool:
    """True when the child is inside the verb's own phrase (object, body part, 'at Jayden', 'left Mia')."""
    stack = [
        c for c in verb.children if c.dep_ not in ("nsubj", "nsubjpass", "advcl", "conj", "ccomp", "relcl", "mark")
    ]
    while stack:
        node = stack.pop()
        if a.is_child(node):
            return True
        stack.extend(c for c in node.children if c.dep_ not in ("advcl", "relcl", "ccomp"))
    return False


def _adult_object(a: Analysis, verb: Token) -> bool:
    """True when the act is done to another adult ("hit Tanya", "pushed his girlfriend")."""
    for c in verb.children:
        if c.dep_ == "dobj" or (c.dep_ == "prep" and a.lower[c.i] in ("at", "on", "to")):
            target = c if c.dep_ == "dobj" else next((g for g in c.children if g.dep_ == "pobj"), None)
            if target is not None and a.is_adult(target) and not a.is_child(target):
                return True
    return False


def _child_clause(a: Analysis, verb: Token) -> str | None:
    """'away' or 'present' when a while/when clause (or a phrase) of the act places the child; else None."""
    found = None
    for c in verb.children:
        if c.dep_ not in ("advcl", "prep", "advmod", "conj"):
            continue
        sub = list(c.subtree)
        if not any(a.is_child(t) for t in sub):
            continue
        if any(a.has(t.i, "away_words") for t in sub):
            return "away"
        found = "present" if any(a.has(t.i, "presence_words") for t in sub) else (found or "present")
    return found


def _child_witnessed(a: Analysis) -> bool:
    """True when the statement says a child saw or heard it ("Their son (8) watched from the doorway")."""
    for tok in a.tokens:
        if tok.pos_ == "VERB" and a.lemma[tok.i] in ("watch", "see", "hear", "witness") and not a.negated(tok):
            if any(a.is_child(x) for x in a.subjects(tok)):
                return True
    return False


def _counts(a: Analysis, verb: Token, blocked: set[int]) -> bool:
    """True when a caregiver's verb is an act on, or an omission toward, the child."""
    if a.negated(verb):
        return not a.lemma_in(verb, "violent_verbs")  # "did not feed her" is an omission; "did not hit" no act
    if _child_in_phrase(a, verb):
        return True
    where = _child_clause(a, verb)
    if where == "away":
        return False
    if _adult_object(a, verb):
        return where == "present" or any(a.role[t.i] == "child" for t in verb.sent) or _child_witnessed(a)
    if a.lemma_in(verb, "omission_verbs"):
        return True
    return where == "present" or any(a.role[t.i] == "child" for t in a.tokens)


def detect(ctx: Context) -> Found:
    """Caregiver acts and omissions toward the child."""
    a = ctx.a
    pairs = acts(a, ctx.blocked)
    spans = sorted({evidence(actor, verb) for actor, verb in pairs if _counts(a, verb, ctx.blocked)})
    return Found(spans)
