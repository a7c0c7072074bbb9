"""Danger: how the child could be hurt — concretely, and seriously enough to warrant the work.

The effect must sit under a may/could/will, outside the trigger clause. When every effect
found is slight ("could be upset", "might be late") and nothing makes it lasting, the
component counts as absent and the hint says why.
"""

from __future__ import annotations

from ..analysis import Analysis
from .common import Context, Found, Span, under_modal
from .impact_common import effect_spans

TRIVIAL_HINT = (
    "“{effect}” is too slight to need this work. Say how {child} could really be hurt: an injury, an "
    "illness, lasting fear, missed development."
)


def _adult_leaves_alone(a: Analysis, s: int, e: int) -> bool:
    """ "Dad may leave the kids alone": being alone is the behaviour there, not the effect."""
    if a.lower[s] != "alone":
        return False
    head = a.tokens[s].head
    if not (a.lemma[head.i] in ("leave", "let", "keep", "lock") or a.lemma_in(head, "omission_verbs")):
        return False  # "she could end up waiting outside alone": alone is how the child is left, an effect
    subjects = a.subjects(head) if head.pos_ in ("VERB", "AUX") else []
    return bool(subjects) and not any(a.is_child(x) for x in subjects)


def _lasting(a: Analysis, s: int) -> bool:
    """True when the clause of an effect makes it lasting ("keep being afraid", "cry every night")."""
    sent = a.tokens[s].sent
    return any(a.has(t.i, "lasting_words") for t in sent if abs(t.i - s) <= 6)


def detect(ctx: Context) -> Found:
    """Future effects on the child; absent, with a hint, when all are slight."""
    a = ctx.a
    found: list[Span] = []
    for s, e in effect_spans(a, ctx.blocked):
        if s in a.context_tokens or not under_modal(a, a.tokens[s]) or _adult_leaves_alone(a, s, e):
            continue
        found.append((s, e))
    serious = [(s, e) for s, e in found if not a.has(s, "trivial_impacts") or _lasting(a, s)]
    if found and not serious:
        s, e = found[0]
        span = a.doc[s:e]
        return Found([], hint=TRIVIAL_HINT.replace("{effect}", a.text[span.start_char : span.end_char]))
    return Found(serious)
