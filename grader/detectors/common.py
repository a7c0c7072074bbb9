"""What the component detectors share: the context of one grade, evidence spans and act tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from ..analysis import Analysis

Span = tuple[int, int]  # token indices [start, end)


@dataclass
class Found:
    """What a detector found: evidence spans, and a hint that replaces the default one when given."""

    spans: list[Span] = field(default_factory=list)
    hint: str | None = None


@dataclass
class Context:
    """One statement being graded: its analysis, the tokens rules flagged, and the danger it answers."""

    a: Analysis
    blocked: set[int]  # tokens inside labels, judgements and services (never an act)
    negative: set[int]  # tokens of negative framing in a safety goal
    danger_types: tuple[str, ...] = ()  # what the goal must answer (roster or the learner's danger)
    danger_words: frozenset[str] = frozenset()  # the words of the learner's own danger statement(s)


def evidence(first: Token, second: Token | None = None) -> Span:
    """A token span running from one token to another (in text order)."""
    if second is None:
        return (first.i, first.i + 1)
    lo, hi = sorted((first.i, second.i))
    if hi - lo > 8:
        return (second.i, second.i + 1)
    return (lo, hi + 1)


def owned_by_child(a: Analysis, noun: Token) -> bool:
    """True when a noun belongs to a child ("Bodhi's medication", "his arm" with he the child)."""
    return any(g.dep_ in ("poss", "nmod", "compound") and a.is_child(g) for g in noun.children)


def vague_act(a: Analysis, verb: Token, blocked: set[int]) -> bool:
    """True when a verb does not name an observable act ("stay sober", "make a plan", "ensure safety")."""
    if a.lemma_in(verb, "vague_action_verbs") or a.has(verb.i, "vague_action_phrases"):
        return True
    if a.lemma_in(verb, "vague_alone_verbs") and not any(c.dep_ in ("dobj", "prep") for c in verb.children):
        return True  # "Dad will change" says nothing; "change the diaper" does
    head = verb.head
    if (
        verb.dep_ == "xcomp"
        and head is not verb
        and (head.i in blocked or a.lemma_in(head, "vague_action_verbs") or a.lemma_in(head, "negative_verbs"))
    ):
        return True
    aspect = a.lemma_in(verb, "aspect_verbs")
    for c in verb.children:
        if _aside(a, c):
            continue  # "(domestic violence, or DV)": a label in brackets beside the act is flagged, not the act
        if c.dep_ in ("xcomp", "ccomp") and (
            a.lemma_in(c, "label_verbs")
            or (a.lemma_in(c, "vague_action_verbs") and (aspect or c.dep_ == "ccomp"))
            or c.i in blocked
            or a.has(c.i, "vague_action_phrases")
        ):
            return True  # "will continue to abuse", "keeps drinking", "lets the kids run wild"; not "drive to work"
        if c.dep_ in ("acomp", "oprd") and a.lemma_in(c, "vague_states"):
            return True
        if c.dep_ in ("advmod", "acomp", "oprd") and c.i in blocked:
            return True  # "drove unsafe", "supervised inappropriately": the manner is a label
        if c.dep_ == "ccomp" and c.pos_ == "ADJ" and a.lemma_in(c, "vague_states"):
            return True
        if c.dep_ in ("dobj", "attr"):
            if any(t.i in blocked for t in c.subtree if not _aside(a, t)):
                return True
            if a.lemma_in(c, "vague_objects") and not owned_by_child(a, c) and not _concrete_modifier(a, c):
                return True  # "take her medication" is vague; "refill Bodhi's seizure medication" is not
    return False


def _aside(a: Analysis, tok: Token) -> bool:
    """True for a word inside brackets ("hit Paola (domestic violence)")."""
    k = tok.i - 1
    while k >= 0 and k > tok.i - 8:
        if a.lower[k] == ")":
            return False
        if a.lower[k] == "(":
            return True
        k -= 1
    return False


def _concrete_modifier(a: Analysis, noun: Token) -> bool:
    """True when a vague-looking object is pinned down ("the safety plan Keisha wrote", "a written plan")."""
    return any(
        c.dep_ in ("relcl", "acl") or (c.dep_ == "amod" and a.lower[c.i] in ("written", "signed"))
        for c in noun.children
    )


def caregiver_actors(a: Analysis, verb: Token) -> list[Token]:
    """The caregivers (or, without a roster, unnamed adults and relatives the roster does not name) doing this verb."""
    actors = a.agents(verb) if a.passive_patient(verb) else a.subjects(verb)
    out = []
    for actor in actors:
        role = a.role_of(actor)
        kin_word = any(c.dep_ in ("compound", "amod") and a.is_kin(c) for c in actor.children)  # "his grandpa wendell"
        if role == "caregiver" or (role == "unknown" and not a.roster.explicit) or a.is_kin(actor) or kin_word:
            out.append(actor)
    return out


def acts(a: Analysis, blocked: set[int]) -> list[tuple[Token, Token]]:
    """(actor, verb) pairs where a caregiver does something observable."""
    out = []
    for tok in a.tokens:
        if tok.pos_ != "VERB" or tok.i in blocked:
            continue
        if a.lemma_in(tok, "non_action_verbs") or a.lemma_in(tok, "label_verbs") or vague_act(a, tok, blocked):
            continue
        if a.lemma_in(tok, "see_verbs") and tok.dep_ == "xcomp" and a.lemma_in(tok.head, "see_governors"):
            continue  # the one who needs to see safety is watching, not acting
        actors = caregiver_actors(a, tok)
        if actors:
            out.append((actors[0], tok))
    return out


def under_modal(a: Analysis, tok: Token) -> bool:
    """True when a may/could/will governs the clause the token sits in."""
    node, steps = tok, 0
    while steps < 6:
        if node.pos_ in ("VERB", "AUX", "ADJ", "NOUN") and a.has_modal(node):
            return True
        if node.head is node or (node is not tok and a.has(node.i, "worry_words")):
            return False  # the modal of the worry itself ("we may be worried") is not the effect's
        node, steps = node.head, steps + 1
    return False


def child_mentions(a: Analysis) -> list[Span]:
    """Spans naming a child (a roster child, a child noun, a name with a child's age or role)."""
    return [(s, e) for s, e, role, _ in a.mentions if role == "child"]
