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


def _targets(a: Analysis, verb: Token) -> list[Token]:
    """Who an act is done to: its object, a name or owner inside it ("Renee (victim)", "her nose"), or 'at X'."""
    out = []
    for c in verb.children:
        if c.dep_ == "dobj":
            nodes = [c]
        elif c.dep_ == "prep" and a.lower[c.i] in ("at", "on", "to", "into"):
            nodes = [g for g in c.children if g.dep_ == "pobj"]
        else:
            continue
        for node in nodes:
            out.append(node)
            out.extend(g for g in node.children if g.dep_ in ("poss", "compound", "nmod", "appos"))
    return out


def _adult_object(a: Analysis, verb: Token) -> bool:
    """True when the act is done to another adult ("hit Tanya", "pushed his girlfriend", "broke her nose")."""
    targets = _targets(a, verb)
    return any(a.is_adult(t) for t in targets) and not any(a.is_child(t) for t in targets)


def _child_away(a: Analysis) -> bool:
    """True when the statement puts the child somewhere else ("Zuri (4) was at her grandma's house that night")."""
    for tok in a.tokens:
        if tok.dep_ not in ("nsubj", "nsubjpass") or not a.is_child(tok) or a.negated(tok.head):
            continue
        phrase = [t for c in tok.head.children if c.dep_ in ("prep", "advmod", "acomp", "attr") for t in c.subtree]
        if any(a.has(t.i, "away_words") for t in phrase) and not any(a.has(t.i, "presence_words") for t in phrase):
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
    away = _child_away(a)
    if _adult_object(a, verb):
        near = any(a.role[t.i] == "child" for t in verb.sent) and not away
        return where == "present" or near or _child_witnessed(a)
    if a.lemma_in(verb, "omission_verbs"):
        return True
    return where == "present" or (any(a.role[t.i] == "child" for t in a.tokens) and not away)


def detect(ctx: Context) -> Found:
    """Caregiver acts and omissions toward the child."""
    a = ctx.a
    pairs = acts(a, ctx.blocked)
    spans = sorted({evidence(actor, verb) for actor, verb in pairs if _counts(a, verb, ctx.blocked)})
    return Found(spans)
