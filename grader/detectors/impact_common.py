"""The child's experience of an effect, shared by harm impact and danger future impact.

An effect counts when the child is the one who experiences it: the subject of the clause
("Jayden cried", "she was scared"), the owner of the injured part ("a bruise on his arm"),
or the one acted on ("Leo was taken to the ER"). A negated effect ("had no marks", "was not
hurt", "unharmed") is no impact; an illness word that names a medicine or device ("her
asthma inhaler") is not an injury; an adult's own shouting or fear is not the child's.
"""

from __future__ import annotations

from spacy.tokens import Token

from ..analysis import Analysis
from .common import Span

# "fall from her mother's arms", "a welt from his father's belt": the source, not who has the effect
SOURCE_PREPS = frozenset({"from", "by", "with", "during", "after", "because", "at"})


def _owners(a: Analysis, tok: Token) -> list[Token]:
    """People who own the effect or the hurt part: "his lip", "a bruise on Jayden's arm", "the back of his legs"."""
    out = []
    # a verb's own phrase only (its subtree may be the whole sentence); a noun's whole phrase
    scope = (
        [
            t
            for c in tok.children
            if c.dep_ in ("dobj", "npadvmod") or (c.dep_ == "prep" and c.lower_ not in SOURCE_PREPS)
            for t in c.subtree
        ]
        if tok.pos_ in ("VERB", "AUX")
        else list(tok.subtree)
    )
    for t in scope:
        if t.dep_ == "poss" and (a.role_of(t) is not None or t.i in a.poss_role):
            out.append(t)
        elif t.dep_ == "pobj" and t.head.dep_ == "prep" and a.lower[t.head.i] in ("on", "to", "in") and a.role_of(t):
            if a.role_of(t) != "observer":  # "fall behind in school": a reporting place, not who is hurt
                out.append(t)
    if tok.pos_ == "VERB" and a.lemma_in(tok, "injury_verbs"):
        out.extend(c for c in tok.children if c.dep_ == "dobj" and (a.role_of(c) is not None or c.i in a.poss_role))
    return out


def _subjects(a: Analysis, tok: Token) -> list[Token]:
    """Who has the effect as the subject of its clause ("Jayden cried", "she was scared", "he had a bruise")."""
    node, steps = tok, 0
    while steps < 4:
        if node.pos_ in ("VERB", "AUX", "ADJ"):
            subs = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass") and c is not tok]
            if subs:
                return subs + [k for c in subs for k in c.conjuncts]  # "Rose's nap, Khoa ... could drown"
            if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("xcomp", "acomp", "conj"):
                if node.dep_ == "advcl" and node.tag_ == "VBG":
                    return []  # "..., leaving welts": its subject is the one who acted
                return a.subjects(node)
        if node.head is node:
            return []
        if node.dep_ == "dobj" and a.lemma[node.head.i] not in ("have", "get", "suffer", "develop", "feel", "show"):
            return []  # "caused a bruise", "left welts": the subject is not who has it
        node, steps = node.head, steps + 1
    return []


def childs_effect(a: Analysis, tok: Token) -> bool:
    """True when the effect word is the child's (or nobody else's while a child is in the statement)."""
    people = _owners(a, tok) or [p for p in _subjects(a, tok) if a.role_of(p) is not None or p.i in a.poss_role]
    if any(a.is_child(p) for p in people):
        return True
    if any(a.is_adult(p) for p in people):
        return False
    if people and not a.lemma_in(tok, "violent_verbs"):
        return True  # an unknown name that cries, misses school or ends up in tears is the one affected
    if people:
        return False
    return any(role == "child" for _s, _e, role, _p in a.mentions)


def _missed_care(a: Analysis, verb: Token) -> bool:
    """True when a negated going, being or seeing is about school, meals or care, said of a child."""
    things = [
        t
        for c in verb.children
        if c.dep_ in ("prep", "dobj", "attr")
        for t in c.subtree
        if a.has(t.i, "missed_things") or a.lower[t.i] in ("doctor", "dentist", "nurse")
    ]
    subjects = a.subjects(verb)
    return bool(things) and any(a.is_child(x) for x in subjects)


def names_medicine(a: Analysis, s: int, e: int) -> bool:
    """True when an illness word modifies a medicine or device ("asthma inhaler", "seizure medicine")."""
    last = a.tokens[e - 1]
    if last.pos_ in ("VERB", "AUX"):
        return False  # "could swallow pills": the effect is the verb, the pills what is swallowed
    if last.dep_ in ("compound", "amod", "nmod") and a.has(last.head.i, "medicine_nouns") and last.head.i > last.i:
        return True
    return e < len(a.tokens) and a.has(e, "medicine_nouns")


def generic_only(a: Analysis, s: int, e: int) -> bool:
    """True for "hurt" / "harmed" with no body part, degree ("badly") or cause ("in a crash") near it."""
    if e - s != 1 or not a.has(s, "generic_harm"):
        return False
    window = range(max(0, s - 2), min(len(a.tokens), e + 4))
    if any(c.dep_ == "advmod" and a.has(c.i, "serious_harm_markers") for c in a.tokens[s].children):
        return False  # "could be badly hurt": the degree says how
    cause = [t for c in a.tokens[s].children if c.dep_ == "prep" and a.lower[c.i] in ("in", "by", "during")
             for t in c.subtree if a.has(t.i, "serious_harm_markers")]
    return not cause and not any(a.has(k, "body_parts") for k in window)


def effect_spans(a: Analysis, blocked: set[int]) -> list[Span]:
    """Effect words said of the child, not negated, not medicines, not generic."""
    out = []
    for s, e in a.spans("impact_words"):
        tok = a.tokens[s]
        negative = any(a.has(k, "negation_words") for k in range(s, e))  # "not breathing", "had not eaten"
        negated = a.negated_outside(s, e) if negative else a.negated(tok)
        if s in blocked or negated or names_medicine(a, s, e) or generic_only(a, s, e):
            continue
        if e - s == 1 and a.has(s, "not_impact_phrases"):
            continue  # "fell asleep" is not a fall
        if not childs_effect(a, tok):
            continue
        out.append((s, e))
    for tok in a.tokens:
        if a.negated(tok) and a.lemma[tok.i] in ("be", "go", "attend", "eat", "see") and _missed_care(a, tok):
            out.append((tok.i, tok.i + 1))  # "neither child has been to any class", "Leo has not seen a doctor"
            continue
        if a.lemma[tok.i] == "miss" and tok.pos_ == "VERB" and tok.i not in blocked and not a.negated(tok):
            ahead = range(tok.i + 1, min(len(a.tokens), tok.i + 6))
            if any(a.has(k, "missed_things") for k in ahead) and childs_effect(a, tok):
                out.append((tok.i, tok.i + 1))
    return out
