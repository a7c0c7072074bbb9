"""Component detectors: does the statement name who, what, when, the impact ...?"""
from __future__ import annotations

from spacy.tokens import Token

from .analysis import EMOTION_POS, Analysis

Span = tuple[int, int]  # token indices [start, end)
ADULT_ROLES = ("caregiver", "unknown")
EMOTIONS = {"cry", "scream", "hide", "hid", "flinch", "shake", "tremble", "scared", "afraid", "frightened",
            "terrified", "upset", "anxious", "nervous", "sad", "fear", "fearful", "startle", "startled",
            "withdrawn", "worried", "aggressive", "fall", "fell", "hungry", "sick", "dizzy",
            "wet", "refuse", "refused", "faint", "fainted", "sleep", "slept", "fail", "feel", "felt", "stop"}
GENERIC_HARM = {"hurt", "harm", "harmed", "injured", "injury", "injure", "injuries", "unsafe", "danger"}
MISSED_THINGS = {"school", "class", "classes", "kindergarten", "days", "day", "appointments", "appointment",
                 "feeds", "feed", "meals", "meal", "dinner", "breakfast", "lunch", "trip", "checkups", "checkup",
                 "doses", "dose", "medicine", "visits", "therapy"}
PREP_DURATION = {"for", "over", "during", "throughout", "through", "within", "across", "in"}
DURATION_WORDS = {"next", "coming", "following", "rest", "remainder", "least", "entire", "whole", "full"}
UNTIL_OBJECTS = {"end", "case", "school", "summer", "fall", "spring", "winter", "court", "hearing",
                 "birthday", "graduation", "year"}
# Counts too vague to state a frequency ("several times", "many times").
VAGUE_COUNTS = {"several", "many", "multiple", "some", "few", "couple", "numerous", "various", "all"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"}


def _vague_act(a: Analysis, verb: Token, blocked: set[int]) -> bool:
    """True when a verb does not name an observable act ("stay sober", "make a plan")."""
    lex = a.lex
    if verb.lemma_.lower() in lex["vague_action_verbs"] or verb.i in a.vague_phrase_tokens:
        return True
    head = verb.head
    if verb.dep_ in ("xcomp", "conj") and head is not verb and head.i in blocked and verb.dep_ == "xcomp":
        return True
    if verb.dep_ == "xcomp" and (head.lemma_.lower() in lex["vague_action_verbs"] | lex["negative_verbs"]):
        return True
    for c in verb.children:
        if c.dep_ in ("xcomp", "ccomp") and (c.lemma_.lower() in lex["label_verbs"] | lex["vague_action_verbs"]
                                             or c.i in blocked or c.i in a.vague_phrase_tokens):
            return True  # "will continue to abuse", "keeps drinking", "lets the kids run wild"
        if c.dep_ in ("acomp", "oprd") and c.lemma_.lower() in lex["vague_states"]:
            return True
        if c.dep_ == "ccomp" and c.pos_ == "ADJ" and c.lemma_.lower() in lex["vague_states"]:
            return True
        if c.dep_ in ("dobj", "attr") and any(t.i in blocked for t in c.subtree):
            return True
        if c.dep_ in ("dobj", "attr") and c.lemma_.lower() in lex["vague_objects"] and not _childs(a, c):
            return True  # "take her medication" is vague; "refill Bodhi's seizure medication" is not
    return False


def _childs(a: Analysis, noun: Token) -> bool:
    """True when a noun belongs to a child ("Bodhi's medication", "Luca's home")."""
    return any(g.dep_ in ("poss", "nmod", "compound") and a.role_of(g) == "child" for g in noun.children)


def _action_verbs(a: Analysis, kind: str, blocked: set[int]) -> list[tuple[Token, Token]]:
    """(actor, verb) pairs where an adult caregiver does something observable."""
    lex = a.lex
    skip = lex["non_action_verbs"] | lex["label_verbs"]
    out = []
    for tok in a.tokens:
        if tok.pos_ != "VERB" or tok.i in blocked or tok.lemma_.lower() in skip or _vague_act(a, tok, blocked):
            continue
        if (tok.lemma_.lower() in lex["see_verbs"] and tok.dep_ == "xcomp"
                and tok.head.lemma_.lower() in lex["see_governors"]):
            continue  # "Bea needs to see ...": the one watching for safety, not the caregiver acting
        actors = a.agents(tok) if a.passive_patient(tok) else a.subjects(tok)
        for actor in actors:
            role = a.role_of(actor)
            if role == "caregiver" or (role == "unknown" and not a.roster.explicit):
                out.append((actor, tok))
                break
    return out


def _evidence(a: Analysis, first: Token, second: Token | None = None) -> Span:
    """A token span running from one token to another (in text order)."""
    if second is None:
        return (first.i, first.i + 1)
    lo, hi = sorted((first.i, second.i))
    if hi - lo > 8:
        return (second.i, second.i + 1)
    return (lo, hi + 1)


def child_mentions(a: Analysis) -> list[Span]:
    """Spans naming a child (roster child, child noun or age)."""
    return [(s, e) for s, e, role, _ in a.mentions if role == "child"]


def time_spans(a: Analysis) -> list[Span]:
    """Dates, days, times of day, frequencies and periods."""
    doc, low = a.tokens, a.lower
    units = a.lex["time_units"]
    numbers = a.lex["number_words"]
    out = [(s, e) for s, e in a.phrase_hits("time_words")
           if not (e - s == 1 and low[s] in ("am", "pm") and not (s > 0 and doc[s - 1].like_num))]
    for tok in doc:
        i, w = tok.i, low[tok.i]
        if w in MONTHS and tok.text[:1].isupper() and tok.tag_ != "MD":
            out.append((i, i + 1))
        elif ("/" in w or ":" in w) and any(ch.isdigit() for ch in w) and len(w) <= 10:
            out.append((i, i + 1))
        elif w in units:
            j = i - 1
            while j >= 0 and low[j] in ("full", "whole", "straight", "long", "more", "or", "than", "consecutive",
                                        "separate", "different"):
                j -= 1
            if w in ("time", "times") and j >= 0 and low[j] in VAGUE_COUNTS:
                continue  # "several times" does not say how often
            if j >= 0 and (doc[j].like_num or low[j] in numbers or (low[j] == "for" and w.endswith("s"))):
                out.append((j, i + 1))
        elif w in ("once",) and tok.pos_ == "ADV":
            out.append((i, i + 1))
        elif w in ("o'clock", "oclock"):
            out.append((max(0, i - 1), i + 1))
    ages = a.age_tokens
    return sorted({(s, e) for s, e in out if not any(k in ages for k in range(s, e))})


def impact_spans(a: Analysis, blocked: set[int], future: bool) -> list[Span]:
    """Effects on a child; for danger, only those under a may/could/will."""
    out = []
    for s, e in a.phrase_hits("impact_words", lemma=True):
        tok = a.tokens[s]
        if s in blocked:
            continue
        if e - s == 1 and a.lower[s] in GENERIC_HARM and not any(
                a.lower[k] in a.lex["body_parts"] for k in range(max(0, s - 2), min(len(a.doc), e + 4))):
            continue  # "could be hurt" says nothing concrete about how; "a head injury" does
        if not future and a.lower[s] in ("alone",) or (not future and a.lower[s:e] == ["left", "alone"]):
            continue  # in a harm statement being alone is the act, not its effect
        if tok.pos_ in EMOTION_POS and tok.lemma_.lower() in EMOTIONS:
            head = tok if tok.pos_ == "VERB" else tok.head
            roles = {a.role_of(x) for x in a.subjects(head)} if head.pos_ in ("VERB", "AUX") else set()
            if (
                roles
                and "child" not in roles
                and roles & {"caregiver", "observer", "network", "professional", "unknown"}
            ):
                continue  # Marcus screamed / Tanya was scared: not the child's experience
        if a.lower[s:e] == ["alone"] and _adult_subjects_only(a, tok.head):
            # "Mr. Aguilar will leave the children alone" is the behaviour; "An could be left alone" the effect
            continue
        if future and not _under_modal(a, tok):
            continue
        if future and s in a.context_tokens:
            continue
        out.append((s, e))
    for tok in a.tokens:
        if tok.lemma_.lower() == "miss" and tok.pos_ == "VERB" and tok.i not in blocked:
            ahead = a.lower[tok.i + 1:tok.i + 6]
            if any(w in MISSED_THINGS for w in ahead) and (not future or _under_modal(a, tok)):
                out.append((tok.i, tok.i + 1))
    return out


def _adult_subjects_only(a: Analysis, verb: Token) -> bool:
    """True when a verb's subjects are adults and none is a child."""
    roles = {a.role_of(x) for x in a.subjects(verb)} if verb.pos_ in ("VERB", "AUX") else set()
    return bool(roles & {"caregiver", "unknown", "network", "professional", "observer"}) and "child" not in roles


def _under_modal(a: Analysis, tok: Token) -> bool:
    """True when a may/could/will governs the clause the token sits in."""
    node, steps = tok, 0
    while steps < 6:
        if node.pos_ in ("VERB", "AUX", "ADJ", "NOUN") and a.has_modal(node):
            return True
        if node.head is node or node.lower_ in a.lex["worry_words"]:
            return False
        node, steps = node.head, steps + 1
    return False


def context_spans(a: Analysis) -> list[Span]:
    """'when/if/while/whenever ...' triggers and situations."""
    out = list(a.phrase_hits("context_phrases"))
    for i in a.context_markers:
        start = i - 1 if i > 0 and a.lower[i - 1] == "even" else i
        out.append((start, i + 1))
    return out


def worried_spans(a: Analysis) -> list[Span]:
    """'X is worried / worries / is concerned' with X not the child."""
    out = []
    for tok in a.tokens:
        if tok.lower_ not in a.lex["worry_words"] and tok.lemma_.lower() not in ("worry", "concern", "fear"):
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
        # roles is a set, so it may be shorter than owners and pairs with them in no set order (kept as it was).
        if owners and roles != {"child"} and any(r is not None or o.pos_ in ("PRON", "PROPN", "NOUN")
                                                 for o, r in zip(owners, roles, strict=False)):
            first = min(owners, key=lambda t: t.i)
            out.append(_evidence(a, first, tok))
    return out


def see_spans(a: Analysis) -> list[Span]:
    """'X need(s) to see / want to see / will see' with X not the child."""
    out = []
    governors = a.lex["see_governors"]
    for tok in a.tokens:
        if tok.lemma_.lower() not in a.lex["see_verbs"] or tok.pos_ != "VERB":
            continue
        gov = tok.head if tok.dep_ == "xcomp" and tok.head.lemma_.lower() in governors else None
        owners = a.subjects(gov) if gov is not None else (a.subjects(tok) if a.has_modal(tok) else [])
        owners = [o for o in owners if o.dep_ != "expl"]
        if owners and {a.role_of(o) for o in owners} != {"child"}:
            out.append(_evidence(a, min(owners, key=lambda t: t.i), tok))
    return out


def child_subject_spans(a: Analysis) -> list[Span]:
    """Clauses whose subject is a child ('so that Jayden feels safe'), or 'so that' clauses about a child."""
    out = []
    for tok in a.tokens:
        if tok.dep_ in ("nsubj", "nsubjpass") and a.role_of(tok) == "child":
            verb = tok.head
            if verb.i in a.context_tokens or tok.i in a.context_tokens:
                continue
            if any(c.lower_ in ("where", "wherever") for c in verb.children):
                continue  # "where Leo cannot reach them" places a thing, not the child's experience
            out.append(_evidence(a, tok, verb))
        elif tok.lower_ == "so" and (tok.dep_ == "mark" or (tok.i + 1 < len(a.doc) and a.lower[tok.i + 1] == "that")):
            clause = tok.head if tok.dep_ == "mark" else a.tokens[min(tok.i + 2, len(a.doc) - 1)].head
            kids = [t for t in clause.subtree if a.role[t.i] == "child" and t.i > tok.i]
            if kids and clause.lemma_.lower() in ("be", "have", "feel", "get", "know", "stay", "keep"):
                out.append(_evidence(a, tok, kids[0]))  # "so that an adult is with Bao and An"
    return out


def duration_spans(a: Analysis) -> list[Span]:
    """'for the next six months', 'every weekend for 3 months', 'until the end of the school year'."""
    doc, low = a.tokens, a.lower
    units = a.lex["time_units"] - {"time", "times"}
    numbers = a.lex["number_words"] - {"last", "past"}
    out = []
    n = len(doc)
    for tok in doc:
        w = low[tok.i]
        if w in ("until", "till", "through", "thru"):
            nxt = low[tok.i + 1:tok.i + 4]
            if any(x in UNTIL_OBJECTS or x in MONTHS for x in nxt) and tok.dep_ != "mark":
                out.append((tok.i, min(n, tok.i + 4)))
                continue
        if w in PREP_DURATION:
            window = range(tok.i + 1, min(n, tok.i + 7))
            for j in window:
                if low[j] in units:
                    between = low[tok.i + 1:j]
                    if any(
                        b in numbers or b in DURATION_WORDS or doc[k].like_num
                        for k, b in zip(range(tok.i + 1, j), between, strict=True)
                    ):
                        if not (w == "in" and "next" not in between and "coming" not in between):
                            out.append((tok.i, j + 1))
                    break
                if low[j] in (".", ";", "when", "if", "while", "and"):
                    break
    return out


def _after_see(a: Analysis, blocked: set[int]) -> list[tuple[Token, Token]]:
    """'need to see Grace feed Amara': the word after a caregiver named right after 'see'.

    The tagger often reads the bare verb after a name as a noun ("feed", "drop"), so this
    looks at word order instead of the parse.
    """
    out = []
    doc, n = a.tokens, len(a.tokens)
    for tok in doc:
        if tok.lemma_.lower() not in a.lex["see_verbs"]:
            continue
        k = tok.i + 1
        if k < n and a.lower[k] == "that":
            k += 1
        actor = None
        while k < n and (a.role[k] is not None or a.lower[k] in ("and", ",", "both")):
            if a.role[k] == "caregiver" and actor is None:
                actor = doc[k]
            k += 1
        if actor is None or k >= n:
            continue
        verb = doc[k]
        if (verb.is_alpha and verb.tag_ in ("VB", "VBP", "VBZ", "NN", "NNS") and k not in blocked
                and verb.lemma_.lower() not in a.lex["non_action_verbs"] | a.lex["vague_action_verbs"]
                | a.lex["negative_verbs"] and verb.lower_ not in ("will", "to", "is", "be", "has", "not", "never")
                and not (verb.pos_ == "VERB" and _vague_act(a, verb, blocked))):
            out.append((actor, verb))
    return out


def detect(kind: str, a: Analysis, blocked: set[int], negative: set[int]) -> dict[str, list[Span]]:
    """Run the detectors of one kind; returns component id -> evidence token spans."""
    if kind == "harm":
        actions = _action_verbs(a, kind, blocked)
        return {
            "caregiver_action": [_evidence(a, actor, verb) for actor, verb in actions],
            "child": child_mentions(a),
            "impact": impact_spans(a, blocked, future=False),
            "when": time_spans(a),
        }
    if kind == "danger":
        actions = [(actor, verb) for actor, verb in _action_verbs(a, kind, blocked)
                   if (a.has_modal(verb) and verb.i not in a.context_tokens)
                   or (verb.i in a.context_tokens and verb.tag_ in ("VBZ", "VBP"))]
        return {
            "worried_who": worried_spans(a),
            "child": child_mentions(a),
            "caregiver_behavior": [_evidence(a, actor, verb) for actor, verb in actions],
            "context": context_spans(a),
            "future_impact": impact_spans(a, blocked, future=True),
        }
    if kind == "safety_goal":
        actions = [(actor, verb) for actor, verb in _action_verbs(a, kind, blocked | negative)
                   if not a.negated(verb) and verb.lemma_.lower() not in a.lex["negative_verbs"]
                   and verb.i not in a.context_tokens
                   and not any(c.i in negative for c in verb.children)]
        return {
            "who_needs_to_see": see_spans(a),
            "caregiver_action": [_evidence(a, actor, verb) for actor, verb in actions + [
                (x, v) for x, v in _after_see(a, blocked | negative) if v.i not in {w.i for _, w in actions}]],
            "context": context_spans(a),
            "duration": duration_spans(a),
            "child_experience": child_subject_spans(a),
        }
    return {}
