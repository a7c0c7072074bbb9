"""Safety goal: what the caregiver will be doing — a positive, observable action that answers the danger.

Not "will not ..." or "stop ..." (the absence of danger), not attending or completing a
service, not buying gifts. When the caller gives the danger (the roster's danger types or
the learner's own danger statement), the action must answer it: an action for that kind of
danger, or handing the child to a safe adult.
"""

from __future__ import annotations

from spacy.tokens import Token

from ..analysis import Analysis
from . import relevance
from .common import Context, Found, acts, evidence, vague_act

NOT_RELEVANT_HINT = (
    "The action does not answer the danger ({danger}). Say what {caregiver} will do about that "
    "danger itself, so that people can see {child} is safe from it."
)
GIFT_HINT = (
    "Gifts and treats are not protective actions. Say what {caregiver} will do, even when the danger "
    "arises, that keeps {child} safe."
)


def _after_see(a: Analysis, blocked: set[int]) -> list[tuple[Token, Token]]:
    """'need to see Grace feed Amara': the word after a caregiver named right after 'see'.

    The tagger often reads the bare verb after a name as a noun ("feed", "drop"), so this
    looks at word order instead of the parse.
    """
    out = []
    doc, n = a.tokens, len(a.tokens)
    for tok in doc:
        if not a.lemma_in(tok, "see_verbs"):
            continue
        k = tok.i + 1
        if k < n and a.lower[k] == "that":
            k += 1
        actor = None
        while k < n and (a.role[k] is not None or a.lower[k] in ("and", ",", "both")):
            unnamed_adult = a.role[k] == "unknown" and not a.roster.explicit
            if (a.role[k] == "caregiver" or unnamed_adult or a.is_kin(doc[k])) and actor is None:
                actor = doc[k]
            k += 1
        if actor is None or k >= n:
            continue
        verb = doc[k]
        if (
            verb.is_alpha
            and verb.tag_ in ("VB", "VBP", "VBZ", "NN", "NNS")
            and k not in blocked
            and not a.lemma_in(verb, "non_action_verbs")
            and not a.lemma_in(verb, "vague_action_verbs")
            and not a.lemma_in(verb, "negative_verbs")
            and verb.lower_ not in ("will", "to", "is", "be", "has", "not", "never")
            and not (verb.pos_ == "VERB" and vague_act(a, verb, blocked))
        ):
            out.append((actor, verb))
    return out


def _is_gift(a: Analysis, verb: Token) -> bool:
    """True when the act is buying or giving treats ("buy Jayden a bike", "give her presents")."""
    if a.lemma_in(verb, "gift_words"):
        return True
    return a.lemma[verb.i] in ("give", "get", "take") and any(
        a.has(t.i, "gift_words") for c in verb.children if c.dep_ in ("dobj", "dative") for t in c.subtree
    )


def _action_words(a: Analysis, verb: Token) -> list[str]:
    """The words of an action's own phrase (not its trigger clause), for the relevance check."""
    return [a.lower[t.i] for t in verb.subtree if t.i not in a.context_tokens or t.i == verb.i]


def _objects(a: Analysis, verb: Token) -> list[str]:
    """The things an action is done to ("turns off the heater" -> heater), never people; word and lemma."""
    out = []
    for c in verb.children:
        if c.dep_ == "dobj" and c.pos_ == "NOUN" and a.role[c.i] is None:
            out += [a.lower[c.i], a.lemma[c.i]]
    return out


def _answers(ctx: Context, verb: Token) -> bool:
    """True when an action answers the danger: a protective act for its type, or an act on the thing it names."""
    a = ctx.a
    if ctx.danger_words and relevance.shares_object(_objects(a, verb), ctx.danger_words):
        return True
    return relevance.answers(_action_words(a, verb), ctx.danger_types)


def detect(ctx: Context) -> Found:
    """Protective caregiver actions (and a hint when the actions found are gifts or miss the danger)."""
    a = ctx.a
    blocked = ctx.blocked | ctx.negative
    pairs = [
        (x, v)
        for x, v in acts(a, blocked)
        if not a.negated(v)
        and not a.lemma_in(v, "negative_verbs")
        and v.i not in a.context_tokens
        and not any(c.i in ctx.negative for c in v.children)
    ]
    seen = {v.i for _, v in pairs}
    pairs += [(x, v) for x, v in _after_see(a, blocked) if v.i not in seen]
    gifts = [(x, v) for x, v in pairs if _is_gift(a, v)]
    pairs = [(x, v) for x, v in pairs if (x, v) not in gifts]
    if not pairs:
        return Found([], hint=GIFT_HINT if gifts else None)
    if ctx.danger_types:
        answering = [(x, v) for x, v in pairs if _answers(ctx, v)]
        if not answering:
            return Found([], hint=NOT_RELEVANT_HINT.replace("{danger}", relevance.labels(ctx.danger_types)))
        pairs = answering
    return Found([evidence(actor, verb) for actor, verb in pairs])
