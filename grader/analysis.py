"""Token-level facts about a parsed statement: who is mentioned, subjects, time, context."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc, Token

from .people import Person, Roster, alias_table

MALE = {"father", "dad", "daddy", "stepfather", "stepdad", "boyfriend", "husband", "son", "sons",
        "boy", "boys", "grandson", "grandfather", "grandpa", "uncle", "brother", "mr", "mr."}
FEMALE = {"mother", "mom", "mommy", "mum", "stepmother", "stepmom", "girlfriend", "wife", "daughter",
          "daughters", "girl", "girls", "granddaughter", "grandmother", "grandma", "aunt", "sister",
          "ms", "ms.", "mrs", "mrs.", "miss"}
PRONOUN_GENDER = {"he": "he", "him": "he", "himself": "he", "she": "she", "her": "she", "herself": "she",
                  "they": "they", "them": "they"}
NOT_CHILD_AFTER = {"welfare", "protective", "support", "abuse", "maltreatment", "care", "custody",
                   "services", "service", "development", "safety", "find", "team"}
EMOTION_POS = {"ADJ", "VERB"}
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass")
AGE_NUM = re.compile(r"^\d{1,2}$")


def phrase_table(words: frozenset[str]) -> tuple[frozenset[str], dict[str, list[tuple[str, ...]]]]:
    """Split a word list into single words and multi-word phrases keyed by first word."""
    singles, phrases = set(), {}
    for w in words:
        parts = tuple(w.split())
        if len(parts) == 1:
            singles.add(w)
        else:
            phrases.setdefault(parts[0], []).append(parts)
    for v in phrases.values():
        v.sort(key=len, reverse=True)
    return frozenset(singles), phrases


@lru_cache(maxsize=64)
def _tables(lex_id: int, lexicons: tuple) -> dict:
    """Pre-split every word list (cached per ruleset)."""
    return {name: phrase_table(words) for name, words in lexicons}


class Analysis:
    """Facts about one doc the component detectors and filters share."""

    def __init__(self, doc: Doc, roster: Roster, lexicons: dict[str, frozenset[str]]):
        self.doc = doc
        self.roster = roster
        self.lex = lexicons
        self.tables = _tables(id(lexicons), tuple(sorted(lexicons.items())))
        self.lower = [t.lower_ for t in doc]
        n = len(doc)
        self.role: list[str | None] = [None] * n
        self.person: list[Person | None] = [None] * n
        self.gender: list[str | None] = [None] * n
        self.mentions: list[tuple[int, int, str, Person | None]] = []
        self._find_mentions()
        self._resolve_pronouns()
        self._objects_as_children()
        self.context_markers = self._find_context_markers()
        self.context_tokens = self._context_clause_tokens()
        self.vague_phrase_tokens = frozenset(k for s, e in self.phrase_hits("vague_action_phrases") for k in range(s, e))

    # ---- phrase helpers -------------------------------------------------
    def phrase_hits(self, name: str, lemma: bool = False) -> list[tuple[int, int]]:
        """Token spans whose words are in the named word list."""
        singles, phrases = self.tables[name]
        hits, i, n = [], 0, len(self.doc)
        while i < n:
            low = self.lower[i]
            matched = 0
            for parts in phrases.get(low, ()):
                if tuple(self.lower[i:i + len(parts)]) == parts:
                    matched = len(parts)
                    break
            if not matched and (low in singles or (lemma and self.doc[i].lemma_.lower() in singles)):
                matched = 1
            if matched:
                hits.append((i, i + matched))
                i += matched
            else:
                i += 1
        return hits

    # ---- people ----------------------------------------------------------
    def _mark(self, start: int, end: int, role: str, person: Person | None, gender: str | None) -> None:
        """Record a mention over tokens start..end."""
        for k in range(start, end):
            if self.role[k] is None:
                self.role[k], self.person[k], self.gender[k] = role, person, gender
        self.mentions.append((start, end, role, person))

    def _find_mentions(self) -> None:
        """Find roster names, kin and child nouns, ages and unknown names."""
        doc, low = self.doc, self.lower
        table = alias_table(self.roster)
        caregivers, _ = self.tables["caregiver_nouns"]
        children, _ = self.tables["child_nouns"]
        observers, obs_phrases = self.tables["observer_nouns"]
        titles = self.lex["titles"]
        n, i = len(doc), 0
        while i < n:
            tok = doc[i]
            hit = 0
            if tok.text[:1].isupper():
                for size in (3, 2, 1):
                    key = tuple(low[i:i + size])
                    if len(key) == size and key in table:
                        p = table[key]
                        self._mark(i, i + size, p.role or "network", p, p.pronoun or None)
                        hit = size
                        break
            if hit:
                i += hit
                continue
            word = low[i]
            if word in caregivers:
                self._mark(i, i + 1, "caregiver", None, "he" if word in MALE else "she" if word in FEMALE else "they")
            elif word in children and (i + 1 >= n or low[i + 1] not in NOT_CHILD_AFTER) and not (
                    tok.text == "Child" and i + 1 < n and low[i + 1] == "and"):
                self._mark(i, i + 1, "child", None, "he" if word in MALE else "she" if word in FEMALE else "they")
            elif word in ("year", "years", "month", "months", "week", "weeks") and i + 2 < n and low[i + 1] == "-" and low[i + 2] == "old":
                self._mark(max(0, i - 2) if i >= 2 and low[i - 1] == "-" else i, i + 3, "child", None, None)
                i += 3
                continue
            elif word in ("year", "years", "month", "months") and i + 1 < n and low[i + 1] == "old" and i > 0 and doc[i - 1].like_num:
                self._mark(i - 1, i + 2, "child", None, None)
            elif word in observers or any(tuple(low[i:i + len(p)]) == p for p in obs_phrases.get(word, ())):
                self._mark(i, i + 1, "observer", None, None)
            elif (tok.pos_ == "PROPN" and tok.is_alpha and tok.text[:1].isupper() and not tok.text.isupper()
                  and word not in titles and word not in self.tables["time_words"][0]
                  and not (i > 0 and low[i - 1] in titles and doc[i - 1].text[:1].isupper() and self.role[i - 1])):
                self._mark(i, i + 1, "child" if self._age_follows(i) else "unknown", None, None)
            i += 1
        # "Jayden (7)" / "Mia, 4," mark the age too, so the child is named with an age.
        for k in range(n - 2):
            if low[k] == "(" and AGE_NUM.match(low[k + 1]) and k + 2 < n and low[k + 2] in (")", "months", "weeks", "mos") and k > 0:
                prev = doc[k - 1]
                if self.role[k - 1] == "unknown":
                    self._promote_child(k - 1)
                elif self.role[k - 1] is None and prev.pos_ in ("NOUN", "PROPN"):
                    self._mark(k - 1, k, "child", None, None)

    def _promote_child(self, k: int) -> None:
        """An unknown name followed by an age is a child."""
        if self.role[k] == "unknown":
            self.role[k] = "child"

    def _objects_as_children(self) -> None:
        """An unknown name acted on by another person is, in these statements, the child."""
        for i, role in enumerate(self.role):
            tok = self.doc[i]
            if role == "unknown" and tok.dep_ in ("dobj", "pobj") and self.person[i] is None:
                verb = tok.head if tok.dep_ == "dobj" else tok.head.head
                if verb.pos_ == "VERB" and any(x.i != i for x in self.subjects(verb)):
                    self.role[i] = "child"

    def _find_context_markers(self) -> list[int]:
        """Indices of when/if/while/... that open a trigger clause or phrase."""
        markers, low = self.lex["context_markers"], self.lower
        out = []
        for tok in self.doc:
            if low[tok.i] not in markers:
                continue
            if low[tok.i] == "if" and low[tok.i + 1:tok.i + 3] in (["nothing", "changes"], ["nothing", "change"], ["things", "do"]):
                continue  # "if nothing changes" is the premise of every danger statement
            head = tok.head
            if tok.dep_ in ("mark", "advmod") and head is not tok and head.dep_ in ("advcl", "relcl", "ccomp", "conj", "pcomp", "ROOT", "xcomp") and head.pos_ in ("VERB", "AUX"):
                if tok.dep_ == "advmod" and head.dep_ == "ROOT" and tok.i > head.i:
                    continue
                out.append(tok.i)
            elif tok.dep_ == "prep" and any(c.dep_ in ("pobj", "pcomp") for c in tok.children):
                out.append(tok.i)
        return out

    def _age_follows(self, i: int) -> bool:
        """True when a name is followed by "(7)" or ", 7," ."""
        low = self.lower
        return (i + 2 < len(low) and low[i + 1] in ("(", ",") and AGE_NUM.match(low[i + 2]) is not None)

    def _resolve_pronouns(self) -> None:
        """Give he/she/they the role of the latest earlier mention of that gender."""
        # Subject pronouns prefer the latest subject of the same gender (centering): in
        # "when Grace is tired after a night with Amara, she may fall asleep", she is Grace.
        last: dict[str, tuple[str, Person | None]] = {}
        last_subj: dict[str, tuple[str, Person | None]] = {}
        for i, tok in enumerate(self.doc):
            is_subj = tok.dep_ in SUBJECT_DEPS or (tok.dep_ in ("compound", "conj", "poss") and tok.head.dep_ in SUBJECT_DEPS)
            if self.role[i] is not None:
                g = self.gender[i]
                entry = (self.role[i], self.person[i])
                if self.role[i] in ("child", "caregiver", "network", "professional", "unknown"):
                    for table in ((last, last_subj) if is_subj else (last,)):
                        if g:
                            table[g] = entry
                        else:
                            table.setdefault("he", entry)
                            table.setdefault("she", entry)
                        table["any"] = entry
                continue
            g = PRONOUN_GENDER.get(self.lower[i])
            if g is None or tok.tag_ == "PRP$":
                continue
            entry = None
            if is_subj:
                entry = last_subj.get(g) or (last_subj.get("any") if g == "they" else None)
            entry = entry or last.get(g) or last.get("any")
            if entry is None and self.roster.explicit:
                candidates = {(p.role, p) for p in self.roster.people if p.pronoun == g and p.role in ("caregiver",)}
                if len(candidates) == 1:
                    entry = next(iter(candidates))
            if entry is not None:
                self.role[i], self.person[i] = entry
                self.gender[i] = g
                if is_subj:
                    last_subj[g] = entry
                last[g] = entry

    # ---- syntax helpers --------------------------------------------------
    def subjects(self, verb: Token, depth: int = 0) -> list[Token]:
        """Subjects of a verb, following conjunctions, control and relative clauses."""
        subs = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        if subs:
            out = []
            for s in subs:
                if s.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
                    s = verb.head
                out.append(s)
                out.extend(s.conjuncts)
            return out
        named = [c for c in verb.children if c.dep_ == "compound" and self.role[c.i] is not None]
        if named:
            return named  # "see Marcus stay at ...": the parse made the name a compound
        if depth > 3 or verb.head is verb:
            return []
        head = verb.head
        if verb.dep_ == "conj" and head.pos_ in ("VERB", "AUX", "ADJ"):
            return self.subjects(head, depth + 1)
        if verb.dep_ in ("xcomp", "ccomp") and head.pos_ in ("VERB", "AUX"):
            objs = [c for c in head.children if c.dep_ == "dobj"]
            if objs and head.lemma_ in self.lex["see_verbs"] | {"make", "let", "help", "have", "get"}:
                return objs + [c for o in objs for c in o.conjuncts]
            if verb.dep_ == "xcomp":
                return self.subjects(head, depth + 1)
        return []

    def role_of(self, tok: Token) -> str | None:
        """The role of the person a token refers to (None when not a person)."""
        role = self.role[tok.i]
        if role is None and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
            # "Jayden's mother" / "the boy's father": look inside the noun phrase.
            for c in tok.children:
                if c.dep_ == "compound" and self.role[c.i]:
                    return self.role[c.i]
        return role

    def has_modal(self, verb: Token, depth: int = 0) -> bool:
        """True when the verb (or the verb it hangs from) carries may/could/will..."""
        modals = self.lex["modals"]
        if any(c.dep_ == "aux" and (c.lower_ in modals or c.tag_ == "MD") for c in verb.children):
            return True
        if depth < 3 and verb.dep_ in ("conj", "xcomp") and verb.head is not verb:
            return self.has_modal(verb.head, depth + 1)
        return False

    def negated(self, verb: Token, depth: int = 0) -> bool:
        """True when the verb is negated (or is a conjunct of a negated verb)."""
        if any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in verb.children):
            return True
        if depth < 2 and verb.dep_ in ("conj", "xcomp") and verb.head is not verb:
            return self.negated(verb.head, depth + 1)
        return False

    def passive_patient(self, verb: Token) -> bool:
        """True when the verb is passive (its subject is acted on)."""
        return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)

    def agents(self, verb: Token) -> list[Token]:
        """The 'by X' agents of a passive verb."""
        out = []
        for c in verb.children:
            if c.dep_ == "agent":
                for p in c.children:
                    if p.dep_ == "pobj":
                        out.append(p)
                        out.extend(p.conjuncts)
        return out

    def _context_clause_tokens(self) -> frozenset[int]:
        """Token indices inside 'when/if/while ...' clauses and 'every time ...' phrases."""
        out: set[int] = set()
        for i in self.context_markers:
            tok = self.doc[i]
            root = tok if tok.dep_ == "prep" else tok.head
            out.update(t.i for t in root.subtree if t.i >= i)
        for s, e in self.phrase_hits("context_phrases"):
            last = self.doc[e - 1]
            out.update(t.i for t in last.subtree if t.i >= s)
        return frozenset(out)

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Character offsets and text for tokens start..end."""
        s = self.doc[start:end]
        return s.start_char, s.end_char, s.text
