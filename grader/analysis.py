"""Token-level facts about a parsed statement: who is mentioned, subjects, time, context."""
from __future__ import annotations

import re
from dataclasses import dataclass
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
AGE_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"}
AGE_UNITS = {"months", "month", "mos", "mo", "weeks", "week", "wks", "years", "year", "yrs", "yo", "days"}
# Words between a name and its age: "Sami, who is 3", "Priyanka, age 6", "Omar (now 8)".
AGE_LEADS = ("age", "aged", "who", "is", "was", "'s", "just", "turned", "now", "about", "only")
# A name right after one of these is the child ("her son Omar", "baby Ellie").
CHILD_APPOS = {"son", "daughter", "stepson", "stepdaughter", "baby", "infant", "toddler", "newborn", "boy",
               "girl", "child", "kid", "grandson", "granddaughter", "teen", "teenager", "nephew", "niece"}
# The one these happen to is, in these statements, the child: "Lily could be hurt", "Nico was
# left alone" (passive patients) and "Ava could choke", "Bo cried" (intransitive experiencers).
PATIENT_VERBS = {"hurt", "injure", "harm", "burn", "scald", "hit", "kick", "slap", "punch", "shake", "bite",
                 "beat", "whip", "push", "shove", "throw", "choke", "strangle", "abuse", "neglect", "bruise",
                 "leave", "lock", "spank", "smack", "grab", "drop", "hospitalize", "scratch", "cut", "starve"}
EXPERIENCER_VERBS = {"cry", "scream", "choke", "drown", "fall", "wander", "hide", "flinch", "tremble",
                     "starve", "vomit", "suffocate", "sob", "wet", "stop"}
FEELINGS_OF_CHILDREN = frozenset({"afraid", "fear", "fears", "scared"})  # worry words that also describe impact
PRONOUN_OBSERVERS = {"we", "i", "us", "they", "family", "everyone", "school", "court", "team", "network"}
# Titles that make a name an adult ("Mr. Duarte", "Officer Grant").
ADULT_TITLES = {"mr", "mr.", "ms", "ms.", "mrs", "mrs.", "miss", "dr", "dr.", "officer", "detective",
                "deputy", "judge", "sergeant", "sgt", "sgt.", "coach", "pastor", "nurse", "principal"}


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


@dataclass(frozen=True)
class _Mention:
    """A person mention seen so far, for pronoun resolution."""

    index: int  # token index of the mention (or of what a resolved pronoun refers to)
    role: str
    person: Person | None
    gender: str | None  # "he", "she", "they", or None when unknown
    is_subject: bool
    verb: int  # token index of the verb it is the subject or object of


def _is_subject(tok: Token) -> bool:
    """True for a subject, or a name inside one ("Marcus" in "Marcus Hill", "Ana's" in "Ana's sister")."""
    node = tok
    for _ in range(3):
        if node.dep_ in SUBJECT_DEPS:
            return True
        if node.dep_ == "compound" and node.head.pos_ == "VERB":
            return True  # the parser sometimes hangs a name before its verb as a compound of it
        if node.dep_ not in ("compound", "conj", "poss", "appos") or node.head.i == node.i:
            return False
        node = node.head
    return node.dep_ in SUBJECT_DEPS


def _verb_of(tok: Token) -> int:
    """The index of the verb a subject or object (or a name inside one) belongs to."""
    node = tok
    for _ in range(3):
        if node.dep_ in ("compound", "poss", "conj", "appos", "pobj", "prep") and node.head.i != node.i:
            node = node.head
        else:
            break
    return node.head.i


def _antecedent(seen: list[_Mention], gender: str, is_subject: bool, verb: int) -> _Mention | None:
    """The mention a pronoun most likely refers to (latest first), or None."""
    fitting = [m for m in reversed(seen) if m.gender == gender or m.gender is None]
    if not is_subject:  # "Ximena asks him": an object pronoun is not its own verb's subject
        fitting = [m for m in fitting if not (m.is_subject and m.verb == verb)]
    pool = [m for m in fitting if m.gender == gender] or fitting
    if is_subject:
        subjects = [m for m in pool if m.is_subject]
        if subjects:
            return subjects[0]
    if pool:
        return pool[0]
    return seen[-1] if seen else None  # nothing fits: the latest person, as a last resort


class Analysis:
    """Facts about one doc the component detectors and filters share."""

    def __init__(self, doc: Doc, roster: Roster, lexicons: dict[str, frozenset[str]], text: str | None = None):
        self.doc = doc
        self.text = doc.text if text is None else text
        self.roster = roster
        self.lex = lexicons
        self.tables = _tables(id(lexicons), tuple(sorted(lexicons.items())))
        self.tokens = list(doc)  # spaCy makes a new Token object per index or iteration; make them once
        self.lower = [t.lower_ for t in self.tokens]
        n = len(doc)
        self.role: list[str | None] = [None] * n
        self.person: list[Person | None] = [None] * n
        self.gender: list[str | None] = [None] * n
        self.mentions: list[tuple[int, int, str, Person | None]] = []
        self.adult: set[int] = set()  # unknown names that a title marks as adults
        self.age_tokens: set[int] = set()  # "(10 months)", "age 6": an age, never a time
        self.name_tokens: set[int] = set()  # capitalised words taken as names not on the roster
        self.antecedent: dict[int, int] = {}  # pronoun index -> index of the mention it refers to
        self._find_mentions()
        self.names = self._name_chains()
        self._unknown_name_cues()
        self._objects_as_children()
        self._so_that_children()
        self._propagate_names()
        self._resolve_pronouns()
        self._pronoun_objects_as_children()
        self._sync_mentions()
        self.context_markers = self._find_context_markers()
        self.context_tokens = self._context_clause_tokens()
        self.vague_phrase_tokens = frozenset(
            k for s, e in self.phrase_hits("vague_action_phrases") for k in range(s, e)
        )

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
            if not matched and (low in singles or (lemma and self.tokens[i].lemma_.lower() in singles)):
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
        doc, low = self.tokens, self.lower
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
            elif (
                word in ("year", "years", "month", "months", "week", "weeks")
                and i + 2 < n
                and low[i + 1] == "-"
                and low[i + 2] == "old"
            ):
                self._mark(max(0, i - 2) if i >= 2 and low[i - 1] == "-" else i, i + 3, "child", None, None)
                self.age_tokens.update(range(max(0, i - 2), i + 3))
                i += 3
                continue
            elif (
                word in ("year", "years", "month", "months", "week", "weeks")
                and i + 1 < n
                and low[i + 1] == "old"
                and i > 0
                and doc[i - 1].like_num
            ):
                self._mark(i - 1, i + 2, "child", None, None)
                self.age_tokens.update(range(i - 1, i + 2))
            elif (word in observers or any(tuple(low[i:i + len(p)]) == p for p in obs_phrases.get(word, ()))) and not (
                    word == "they" and not self._they_watch(i)):
                self._mark(i, i + 1, "observer", None, None)
            elif (tok.pos_ == "PROPN" and tok.is_alpha and tok.text[:1].isupper() and not tok.text.isupper()
                  and word not in titles and word not in self.tables["time_words"][0]
                  and not (i > 0 and low[i - 1] in titles and doc[i - 1].text[:1].isupper() and self.role[i - 1])):
                self._mark(i, i + 1, "unknown", None, None)
                self.name_tokens.add(i)
                if i > 0 and (low[i - 1] in ADULT_TITLES or (i - 1) in self.adult) and doc[i - 1].text[:1].isupper():
                    self.adult.add(i)
            i += 1
        # "Jayden (7)" / "Mia, 4," mark the age too, so the child is named with an age.
        for k in range(n - 2):
            if (
                low[k] == "("
                and AGE_NUM.match(low[k + 1])
                and k + 2 < n
                and low[k + 2] in (")", "months", "weeks", "mos")
                and k > 0
            ):
                prev = doc[k - 1]
                if self.role[k - 1] in ("child", "unknown") and low[k + 2] != ")":
                    self.age_tokens.update((k + 1, k + 2))  # "Amara (3 months)": an age, not a period
                if self.role[k - 1] == "unknown":
                    self._promote_child(k - 1)
                elif self.role[k - 1] is None and prev.pos_ in ("NOUN", "PROPN"):
                    self._mark(k - 1, k, "child", None, None)

    def _they_watch(self, i: int) -> bool:
        """True when "they" are the ones worried or watching ("they are worried", "they need to see").

        Otherwise "they" is left to pronoun resolution: in "Dad yells at the kids and they are
        scared", they are the kids.
        """
        watching = (self.lex["worry_words"] - FEELINGS_OF_CHILDREN) | self.lex["see_verbs"]
        return any(w in watching for w in self.lower[i + 1:i + 5])

    def _promote_child(self, k: int) -> None:
        """An unknown name followed by an age is a child."""
        if self.role[k] == "unknown" and k not in self.adult:
            self.role[k] = "child"

    def _name_chains(self) -> dict[int, tuple[int, int]]:
        """Token index -> (start, end) of the run of unknown name tokens it belongs to ("Gloria Banks")."""
        out: dict[int, tuple[int, int]] = {}
        i, n = 0, len(self.doc)
        names = self.name_tokens
        while i < n:
            if i in names:
                j = i
                while j + 1 < n and j + 1 in names and self.role[j + 1] == self.role[i]:
                    j += 1
                for k in range(i, j + 1):
                    out[k] = (i, j + 1)
                if any(k in self.adult for k in range(i, j + 1)):
                    self.adult.update(range(i, j + 1))
                i = j + 1
            else:
                i += 1
        return out

    def _set_name_role(self, i: int, role: str) -> None:
        """Give every token of an unknown name (its whole run) a role."""
        s, e = self.names.get(i, (i, i + 1))
        if role == "child" and any(k in self.adult for k in range(s, e)):
            return
        for k in range(s, e):
            if self.role[k] == "unknown":
                self.role[k] = role

    def _age_after(self, e: int) -> int:
        """End of an age right after token e ("(14)", ", 3,", ", age 6", ", who is 3", "(10 months)"), else 0."""
        low, n = self.lower, len(self.doc)
        if e >= n or low[e] not in ("(", ","):
            return 0
        k, leads = e + 1, 0
        while k < n and low[k] in AGE_LEADS and leads < 3:
            k, leads = k + 1, leads + 1
        if k >= n or not (AGE_NUM.match(low[k]) or low[k] in AGE_WORDS):
            return 0
        if low[e] == "," and not leads and not AGE_NUM.match(low[k]):
            return 0  # "Sami, three days later" is not an age
        end = k + 1
        if end < n and low[end] in AGE_UNITS:
            end += 1
            if end < n and low[end] == "old":
                end += 1
        elif low[e] == "," and leads == 0 and end < n and low[end] not in (",", ")", ".", "and", ";", "-"):
            return 0  # "Omar, 2 weeks ago" / "Nico, 3 times": a number, not an age
        return end

    def _unknown_name_cues(self) -> None:
        """Roles of unknown names from their neighbours: an age, a child noun, a caregiver noun before them."""
        low, doc = self.lower, self.tokens
        caregivers, _ = self.tables["caregiver_nouns"]
        seen: set[tuple[int, int]] = set()
        for s, e in self.names.values():
            if (s, e) in seen:
                continue
            seen.add((s, e))
            end = self._age_after(e)
            if end:
                self._set_name_role(s, "child")
                self.age_tokens.update(range(e, end))
                continue
            p = s - 1
            while p >= 0 and low[p] in ("(", ",", "the", "little", "baby") and low[p] not in CHILD_APPOS:
                p -= 1
            if p < 0:
                continue
            if low[p] in CHILD_APPOS or (self.role[p] == "child" and self.person[p] is None and p in self.age_tokens):
                self._set_name_role(s, "child")  # "her son Omar", "6-year-old Tyler"
            elif low[p] in caregivers and self.role[p] == "caregiver" and not doc[p].text.endswith("s'"):
                self._set_name_role(s, "caregiver")  # "dad (Omar Haddad)", "Stepfather Dale Price"
            elif self.role[p] == "observer" and doc[p].pos_ in ("NOUN", "PROPN") and low[p] not in PRONOUN_OBSERVERS:
                self._set_name_role(s, "network")  # "a neighbor, Tom Pike,", "her teacher Ms. Ruiz"
        for s, e in seen:
            last = self.tokens[e - 1]
            if last.dep_ == "appos" and self.role[last.head.i] == "observer" and self.role[s] == "unknown":
                self._set_name_role(s, "network")  # "Tom Pike, a neighbor, found ..."
            for c in last.children:
                if c.dep_ == "appos" and self.role[c.i] == "observer" and self.role[s] == "unknown":
                    self._set_name_role(s, "network")

    def _acted_on(self, tok: Token) -> bool:
        """True when a token is the object of a verb whose subject is someone else."""
        if tok.dep_ not in ("dobj", "pobj"):
            return False
        verb = tok.head if tok.dep_ == "dobj" else tok.head.head
        return verb.pos_ == "VERB" and any(x.i != tok.i for x in self.subjects(verb))

    def _objects_as_children(self) -> None:
        """An unknown name acted on by another person is, in these statements, the child.

        So is a name that owns a parent ("Ellie's mother") or an acted-on body part
        ("grabbed Rafi's arm"), and a name joined to a child ("Sami and Ava", "the twins, Bo and Di").
        """
        parents = self.lex["parent_nouns"]
        body = self.lex["body_parts"]
        for i, role in enumerate(self.role):
            tok = self.tokens[i]
            if role != "unknown" or self.person[i] is not None or i in self.adult:
                continue
            if self._acted_on(tok):
                self._set_name_role(i, "child")
            elif tok.dep_ == "poss" and (self.lower[tok.head.i] in parents
                                         or (self.lower[tok.head.i] in body and tok.head.dep_ in ("dobj", "pobj"))):
                self._set_name_role(i, "child")
            elif tok.dep_ in ("nsubjpass", "nsubj"):
                verb, lemma = tok.head, tok.head.lemma_.lower()
                if tok.dep_ == "nsubjpass" and lemma in PATIENT_VERBS:
                    self._set_name_role(i, "child")
                elif (tok.dep_ == "nsubj" and verb.pos_ == "VERB" and lemma in EXPERIENCER_VERBS
                      and not any(c.dep_ in ("dobj", "xcomp", "ccomp") for c in verb.children)):
                    self._set_name_role(i, "child")
        for tok in self.tokens:
            if (self.role[tok.i] == "unknown" and tok.i not in self.adult and tok.dep_ in ("conj", "appos")
                    and self.role[tok.head.i] == "child"):
                self._set_name_role(tok.i, "child")

    def _pronoun_objects_as_children(self) -> None:
        """"Layla said Dad hit her": a pronoun acted on by a caregiver makes its name a child."""
        for i, src in self.antecedent.items():
            if src < 0 or src not in self.names or self.role[src] != "unknown" or src in self.adult:
                continue
            tok = self.tokens[i]
            if not self._acted_on(tok):
                continue
            verb = tok.head if tok.dep_ == "dobj" else tok.head.head
            if any(self.role[x.i] == "caregiver" for x in self.subjects(verb)):
                s, e = self.names[src]
                self._set_name_role(src, "child")
                for k, other in self.antecedent.items():
                    if s <= other < e:
                        self.role[k] = "child"

    def _so_that_children(self) -> None:
        """The unknown-named subject of a "so (that) ..." purpose clause is the child it is for."""
        doc, low = self.tokens, self.lower
        for tok in doc:
            if low[tok.i] != "so" or tok.dep_ not in ("mark", "advmod"):
                continue
            clause = tok.head
            if clause is tok or clause.pos_ not in ("VERB", "AUX") or clause.i < tok.i:
                continue
            for sub in clause.children:
                if sub.dep_ in ("nsubj", "nsubjpass") and sub.i > tok.i and self.role[sub.i] == "unknown":
                    self._set_name_role(sub.i, "child")

    def _propagate_names(self) -> None:
        """Later mentions of a name share the role found for it ("hit Kofi ... Kofi cried")."""
        roles: dict[str, str] = {}
        for s, _e in set(self.names.values()):
            if self.role[s] in ("child", "caregiver") and s not in self.adult:
                roles.setdefault(self.lower[s], self.role[s])
        if not roles:
            return
        for s, _e in set(self.names.values()):
            if self.role[s] == "unknown" and s not in self.adult and self.lower[s] in roles:
                self._set_name_role(s, roles[self.lower[s]])

    def _sync_mentions(self) -> None:
        """Bring the roles recorded with unknown-name mentions up to date."""
        self.mentions = [(s, e, self.role[s] if role == "unknown" and self.role[s] else role, p)
                         for s, e, role, p in self.mentions]

    def _find_context_markers(self) -> list[int]:
        """Indices of when/if/while/... that open a trigger clause or phrase."""
        markers, low = self.lex["context_markers"], self.lower
        out = []
        for tok in self.tokens:
            if low[tok.i] not in markers:
                continue
            if low[tok.i] == "if" and low[tok.i + 1:tok.i + 3] in (
                    ["nothing", "changes"], ["nothing", "change"], ["things", "do"]):
                continue  # "if nothing changes" is the premise of every danger statement
            head = tok.head
            if (
                tok.dep_ in ("mark", "advmod")
                and head is not tok
                and head.dep_ in ("advcl", "relcl", "ccomp", "conj", "pcomp", "ROOT", "xcomp")
                and (head.pos_ in ("VERB", "AUX") or head.dep_ == "advcl")
            ):  # "when Celia drinks": drinks mis-tagged as a noun
                if tok.dep_ == "advmod" and head.dep_ == "ROOT" and tok.i > head.i:
                    continue
                out.append(tok.i)
            elif tok.dep_ == "prep" and any(c.dep_ in ("pobj", "pcomp") for c in tok.children):
                out.append(tok.i)
        return out

    def _resolve_pronouns(self) -> None:
        """Give he/she/they the role of the earlier mention they most likely refer to.

        A mention fits a pronoun when its gender matches or is unknown (a name the roster does
        not give); a known match beats an unknown one. A subject pronoun prefers the latest
        subject (centering: in "when Grace is tired after a night with Amara, she may fall
        asleep", she is Grace), and an object pronoun never refers to the subject of its own
        verb ("Ximena asks him to be quiet": him is not Ximena).
        """
        seen: list[_Mention] = []
        for i, tok in enumerate(self.tokens):
            is_subj = _is_subject(tok)
            if self.role[i] is not None:
                if self.role[i] in ("child", "caregiver", "network", "professional", "unknown"):
                    seen.append(_Mention(i, self.role[i], self.person[i], self.gender[i], is_subj, _verb_of(tok)))
                continue
            g = PRONOUN_GENDER.get(self.lower[i])
            if g is None or tok.tag_ == "PRP$":
                continue
            found = _antecedent(seen, g, is_subj, _verb_of(tok))
            entry = (found.role, found.person, found.index) if found else None
            if entry is None and self.roster.explicit:
                candidates = {(p.role, p) for p in self.roster.people if p.pronoun == g and p.role in ("caregiver",)}
                if len(candidates) == 1:
                    entry = (*next(iter(candidates)), -1)
            if entry is not None:
                self.role[i], self.person[i], self.antecedent[i] = entry
                self.gender[i] = g
                seen.append(_Mention(entry[2], entry[0], entry[1], g, is_subj, _verb_of(tok)))

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
            tok = self.tokens[i]
            root = tok if tok.dep_ == "prep" else tok.head
            out.update(t.i for t in root.subtree if t.i >= i)
        for s, e in self.phrase_hits("context_phrases"):
            last = self.tokens[e - 1]
            out.update(t.i for t in last.subtree if t.i >= s)
        # The parser may hang "..., so that Leo rides safely" under the trigger clause; a purpose
        # clause is never part of the trigger.
        for tok in self.tokens:
            if self.lower[tok.i] == "so" and tok.dep_ == "mark" and tok.head.i > tok.i:
                out.difference_update(t.i for t in tok.head.subtree if t.i >= tok.i)
        return frozenset(out)

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Character offsets and text for tokens start..end."""
        s = self.doc[start:end]
        return s.start_char, s.end_char, s.text
