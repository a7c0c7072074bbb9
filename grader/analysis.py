"""Facts about a parsed statement that every detector shares: who is who, clauses, negation.

Roles come from the words: kin and role words, ages, titles, appositions, pronoun agreement
and who acts on whom. A roster, when the caller gives one, names the family's people; there
is never a pooled cast. Word lists live in rules/lexicons.yaml; the cue tagger has marked
every token with the lists it belongs to (token._.cues).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .lexicon import CueTagger, Lexicon, is_english_word
from .people import Person, Roster, alias_table
from .text_guard import rule_words

PRONOUN_GENDER = {
    "he": "he",
    "him": "he",
    "himself": "he",
    "his": "he",
    "she": "she",
    "her": "she",
    "herself": "she",
    "hers": "she",
    "they": "they",
    "them": "they",
    "their": "they",
}
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass")
OBJECT_DEPS = ("dobj", "pobj", "dative", "iobj")
ADULT_AGE = 18  # years: a person this old or older is never the child
TEEN_PARENT_AGE = 13  # a younger person who "has a son" is read as a child, not a parent
YOUNG_CHILD_AGE = 6  # years: one who bathes, feeds or leaves a child this young (no age of their own) looks after it
INFANT_AGE = 2  # years: someone who puts, feeds or lays down a child this young is looking after it
AGE_NUM = re.compile(r"^(\d{1,2})(?:yo|y/o|yrs?|mos?|m|wks?)?$")
AGE_GLUED = re.compile(r"^(\d{1,2})(yo|y/o|yrs?|mos?|wks?)$")  # "7yo", "3mos"
PRONOUN_OBSERVERS = {"we", "i", "us", "they", "family", "everyone", "school", "court", "team", "network", "county"}
PERSON_ROLES = ("child", "caregiver", "network", "professional", "unknown")
ADULT_ROLES = ("caregiver", "network", "professional", "observer")
NAME_WORD_ZIPF = 3.0  # a capitalised noun rarer than this in English is read as a name
OPEN_MARKERS = ("when", "whenever", "if", "while", "whilst", "anytime")
# Seasons and months that are also given names; capitalised where a person stands, they are the person.
WORD_NAMES = frozenset({"summer", "winter", "autumn", "spring", "june", "april", "august", "dawn", "january"})


@dataclass(frozen=True)
class _Mention:
    """A person mention seen so far, for pronoun resolution."""

    index: int  # token index of the mention (or of what a resolved pronoun refers to)
    role: str
    person: Person | None
    gender: str | None  # "he", "she", "they", or None when unknown
    is_subject: bool
    verb: int  # token index of the verb it is the subject or object of
    holds_worry: bool = False  # the subject of "are worried" / "need to see": rarely who a later he or she is


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
    fitting = [m for m in fitting if not m.holds_worry] or fitting  # "X is worried that she may ...": she is not X
    if not is_subject:  # "Ximena asks him": an object pronoun is not its own verb's subject
        fitting = [m for m in fitting if not (m.is_subject and m.verb == verb)]
    pool = [m for m in fitting if m.gender == gender] or fitting
    if is_subject:
        subjects = [m for m in pool if m.is_subject]
        if subjects:
            return subjects[0]
    if pool:
        return pool[0]
    return None


def _infinitive_of_object(verb: Token) -> bool:
    """True for "to cook" in "have time to cook": an infinitive, with no subject of its own, hung on an object."""
    return (
        verb.dep_ in ("relcl", "acl")
        and verb.head.dep_ == "dobj"
        and verb.head.head is not verb.head
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and not any(c.dep_ in SUBJECT_DEPS for c in verb.children)
    )


def age_in_years(number: str, unit: str) -> float | None:
    """An age from a number and its unit ("3", "months" -> 0.25); None when it is not a number."""
    words = {
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "thirteen": 13,
        "fourteen": 14,
        "fifteen": 15,
        "sixteen": 16,
        "seventeen": 17,
        "eighteen": 18,
        "nineteen": 19,
        "twenty": 20,
    }
    glued = AGE_GLUED.match(number)
    if glued:
        number, unit = glued.group(1), glued.group(2)
    value = float(number) if number.isdigit() else words.get(number)
    if value is None:
        return None
    unit = unit.lower()
    if unit.startswith(("mo", "month")):
        return value / 12
    if unit.startswith(("w", "day")):
        return value / 52
    return value


class Analysis:
    """Facts about one doc the component detectors and filters share."""

    def __init__(self, doc: Doc, roster: Roster, lexicons: dict[str, Lexicon], text: str | None = None):
        self.doc = doc
        self.text = doc.text if text is None else text
        self.roster = roster
        self.lexicons = lexicons
        if doc._.cue_sets is None:  # parsed without the cue tagger (a test pipeline): tag now
            from .pipeline import load_pipeline

            CueTagger(load_pipeline())(doc)
        self.cue_sets: list[frozenset[str]] = doc._.cue_sets
        self.cue_spans: dict[str, list[tuple[int, int]]] = doc._.cues
        self.tokens = list(doc)  # spaCy makes a new Token object per index or iteration; make them once
        # the learner's own words, lower-cased (the parser saw a truecased copy, with a stand-in for a name like "Will")
        self.lower = [self.text[t.idx : t.idx + len(t.text)].lower() for t in self.tokens]
        self.lemma = [t.lemma_.lower() for t in self.tokens]
        n = len(doc)
        self.role: list[str | None] = [None] * n
        self.person: list[Person | None] = [None] * n
        self.gender: list[str | None] = [None] * n
        self.mentions: list[tuple[int, int, str, Person | None]] = []
        self.adult: set[int] = set()  # people whom a title, an age of 18+ or an adult relation makes adults
        self.kin: set[int] = set()  # relatives ("grandpa Ray", "her aunt Bisi"): caregivers when they act on the child
        self.years: dict[int, float] = {}  # name token -> age in years, when the text gives one
        self.age_tokens: set[int] = set()  # "(10 months)", "age 6": an age, never a time
        self.name_tokens: set[int] = set()  # words taken as names not on the roster
        self.antecedent: dict[int, int] = {}  # pronoun index -> index of the mention it refers to
        self.poss_role: dict[int, str] = {}  # possessive pronoun index -> role of its owner
        self._poss_source: dict[int, int] = {}  # possessive pronoun index -> index of the mention it refers to
        self._find_mentions()
        self.names = self._name_chains()
        self._unknown_name_cues()
        self._siblings()
        self._carers()
        self._objects_as_children()
        self._so_that_children()
        self._propagate_names()
        self._resolve_pronouns()
        self._owners_of_parents()
        self._owners_of_children()
        self._carers_of_infants()
        self._pronoun_objects_as_children()
        self._sync_mentions()
        self.negated_tokens = self.negated_tokens_early()
        self.context_markers = self._find_context_markers()
        self.context_tokens = self._context_clause_tokens()

    # ---- lexicon helpers ---------------------------------------------------
    def has(self, i: int, name: str) -> bool:
        """True when token i is (part of) a word of the named lexicon."""
        return name in self.cue_sets[i]

    def spans(self, name: str) -> list[tuple[int, int]]:
        """Token spans of the named lexicon's words in this doc."""
        return self.cue_spans.get(name, [])

    def words(self, name: str) -> frozenset[str]:
        """The words of a lexicon (for lemma checks on tokens the tagger did not mark)."""
        return self.lexicons[name].words

    def lemma_in(self, tok: Token, name: str) -> bool:
        """True when the token's lemma or form is on the list, or the tagger marked it (typos)."""
        return self.lemma[tok.i] in self.lexicons[name].words or self.has(tok.i, name)

    # ---- people ----------------------------------------------------------
    def _mark(self, start: int, end: int, role: str, person: Person | None, gender: str | None) -> None:
        """Record a mention over tokens start..end."""
        for k in range(start, end):
            if self.role[k] is None:
                self.role[k], self.person[k], self.gender[k] = role, person, gender
        self.mentions.append((start, end, role, person))

    def _gender_of_word(self, i: int) -> str:
        """he/she/they from a kin or title word (a plural, "the boys", is they)."""
        if self.tokens[i].tag_ in ("NNS", "NNPS") and self.lower[i] not in ("mrs", "ms", "mrs.", "ms."):
            return "they"
        return "he" if self.has(i, "male_nouns") else "she" if self.has(i, "female_nouns") else "they"

    def _is_name(self, i: int) -> bool:
        """A token that looks like a person's name not on the roster (any case: learners type "jayden")."""
        tok = self.tokens[i]
        if not tok.is_alpha or len(tok.text) < 2 or tok.text.isupper() and len(tok.text) <= 4:
            return False
        if tok.pos_ != "PROPN" and not (
            tok.pos_ == "NOUN" and tok.text[:1].isupper() and not is_english_word(tok.lower_, NAME_WORD_ZIPF)
        ):
            return False  # a capitalised rare word the tagger called a noun ("Tunde left ...") is a name too
        blocked = (
            "adult_titles",
            "time_words",
            "months",
            "caregiver_nouns",
            "child_nouns",
            "observer_nouns",
            "worry_words",
            "impact_words",
            "context_markers",
            "sibling_nouns",
            "body_parts",
        )
        if any(self.has(i, name) for name in blocked) and not self._word_name(tok):
            return False
        if not tok.text[:1].isupper() and tok.is_stop:
            return False
        if tok.is_sent_start and self.lower[i] in rule_words():
            return False  # "Allegation of abuse substantiated": a capital at the start says nothing
        return True

    def _word_name(self, tok: Token) -> bool:
        """A capitalised season or month that stands where a person does ("on days Summer takes more methadone")."""
        if not tok.text[:1].isupper() or tok.is_sent_start or self.lower[tok.i] not in WORD_NAMES:
            return False
        return tok.dep_ in ("nsubj", "nsubjpass", "dobj", "poss", "appos") or (
            tok.i + 1 < len(self.tokens) and self.lower[tok.i + 1] == "("
        )

    def _find_mentions(self) -> None:
        """Find roster names, kin and child nouns, ages and unknown names."""
        doc, low = self.tokens, self.lower
        table = alias_table(self.roster) if self.roster.explicit else {}
        n, i = len(doc), 0
        title_names = {low[k] for k in range(n) if self._title_owns_kin(k) or self._title_before_age(k)}
        while i < n:
            hit = 0
            for size in (3, 2, 1):
                key = tuple(low[i : i + size])
                if table and len(key) == size and key in table:
                    p = table[key]
                    self._mark(i, i + size, p.role or "unknown", p, p.pronoun or None)
                    hit = size
                    break
            if hit:
                i += hit
                continue
            tok = doc[i]
            age = self._age_at(i)
            if age:
                end, years = age
                self.age_tokens.update(range(i, end))
                prev = i - 1
                if years is not None and years >= ADULT_AGE:
                    self.adult.update(k for k in range(max(0, i - 3), end) if self.role[k] is not None)
                elif prev < 0 or self.role[prev] is None:
                    self._mark(i, end, "child", None, None)  # "the 4-year-old", "a 3 month old"
                i = end
                continue
            if self.has(i, "caregiver_nouns") and not self.has(i, "child_nouns"):
                self._mark(i, i + 1, "caregiver", None, self._gender_of_word(i))
            elif self.has(i, "child_nouns") and not (i + 1 < n and self.has(i + 1, "child_noun_blockers")):
                self._mark(i, i + 1, "child", None, self._gender_of_word(i))
            elif self.has(i, "sibling_nouns"):
                self._mark(i, i + 1, "child", None, self._gender_of_word(i))  # _siblings may make them adults
            elif low[i] in title_names and self._title_as_name(i):
                self._mark(i, i + 1, "unknown", None, None)  # "Tia's grandmother", "Tia (7)": a name, not an aunt
                self.name_tokens.add(i)
            elif self.has(i, "observer_nouns") and not (low[i] == "they" and not self._they_watch(i)):
                self._mark(i, i + 1, "observer", None, self._gender_of_word(i) if tok.pos_ == "NOUN" else None)
                if self.has(i, "kin_adults"):
                    self.kin.add(i)
            elif self._is_name(i) and i > 0 and self.has(i - 1, "adult_titles") and self.role[i - 1]:
                self._mark(i, i + 1, self.role[i - 1], None, self.gender[i - 1])  # "Grandpa Ike", "Aunt Bea"
                self.adult.update((i - 1, i))
                if self.has(i - 1, "kin_adults"):
                    self.kin.update((i - 1, i))
            elif self._is_name(i):
                self._mark(i, i + 1, "unknown", None, None)
                self.name_tokens.add(i)
                if i > 0 and (self.has(i - 1, "adult_titles") or (i - 1) in self.adult):
                    self.adult.add(i)
                    if self.has(i - 1, "male_nouns") or self.has(i - 1, "female_nouns"):
                        self.gender[i] = self._gender_of_word(i - 1)
            i += 1
        self._ages_after_mentions()

    def _title_as_name(self, i: int) -> bool:
        """A capitalised title word the text uses as a name ("Tia (7)", "when Tia talks back"), not before a name."""
        tok = self.tokens[i]
        if not tok.text[:1].isupper() or self.has(i, "caregiver_nouns"):
            return False
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        return nxt is None or not (nxt.pos_ == "PROPN" and nxt.text[:1].isupper())

    def _title_before_age(self, i: int) -> bool:
        """True for a capitalised title word right before an age ("Tia (7)")."""
        if not self.has(i, "adult_titles") or not self.tokens[i].text[:1].isupper():
            return False
        end, years = self._age_after(i + 1)
        return bool(end) and years is not None and years < ADULT_AGE

    def _title_owns_kin(self, i: int) -> bool:
        """True for a capitalised title word owning a parent or relative ("Tia's grandmother"): a name, not a title."""
        n = len(self.tokens)
        return (
            self.has(i, "adult_titles")
            and not self.has(i, "caregiver_nouns")
            and self.tokens[i].text[:1].isupper()
            and i + 2 < n
            and self.lower[i + 1] in ("'s", "’s")
            and self.has(i + 2, "parent_nouns")
        )

    def _ages_after_mentions(self) -> None:
        """Ages after mentions ("Jayden (7)", "jayden (7)") are ages, and an unnamed word before one is a child."""
        low, n = self.lower, len(self.tokens)
        for s, e, _role, _person in list(self.mentions):
            end, years = self._age_after(e)
            if end:
                self.age_tokens.update(range(e, end))
                if years is not None and years >= ADULT_AGE:
                    self.adult.update(range(s, e))
        for k in range(1, n - 2):
            if low[k] != "(" or self.role[k - 1] is not None or k in self.age_tokens:
                continue
            prev = self.tokens[k - 1]
            end, years = self._age_after(k)
            looks_named = prev.pos_ in ("NOUN", "PROPN") or (prev.text[:1].isupper() and not prev.is_sent_start)
            if end and prev.is_alpha and looks_named and not self.cue_sets[k - 1]:
                self.age_tokens.update(range(k, end))
                if years is None or years < ADULT_AGE:
                    self._mark(k - 1, k, "unknown", None, None)
                    self.name_tokens.add(k - 1)

    def _age_at(self, i: int) -> tuple[int, float | None] | None:
        """An age starting at token i ("7-year-old", "3 months old", "7yo", "19 y/o"): (end, years)."""
        low, n = self.lower, len(self.tokens)
        number = low[i]
        if not (number.isdigit() or number in self.words("number_words") or AGE_GLUED.match(number)):
            return None
        if AGE_GLUED.match(number):
            end = i + 1
            if end < n and low[end] == "old":
                end += 1
            return end, age_in_years(number, "")
        k = i + 1
        if k < n and low[k] == "-":
            k += 1
        if k < n and low[k] in ("year", "years", "yr", "yrs", "month", "months", "week", "weeks", "mo", "mos"):
            unit = low[k]
            k += 1
            if k < n and low[k] == "-":
                k += 1
            if k < n and low[k] == "old":
                return k + 1, age_in_years(number, unit)
        if i + 1 < n and low[i + 1] in ("yo", "y/o", "y.o."):
            return i + 2, age_in_years(number, "")
        return None

    def _they_watch(self, i: int) -> bool:
        """True when "they" are the ones worried or watching ("they are worried", "they need to see").

        Otherwise "they" is left to pronoun resolution: in "Dad yells at the kids and they are
        scared", they are the kids.
        """
        return any(
            (self.has(k, "worry_words") and not self.has(k, "child_feeling_words")) or self.has(k, "see_verbs")
            for k in range(i + 1, min(len(self.tokens), i + 5))
        )

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
                gender = next((self.gender[k] for k in range(i, j + 1) if self.gender[k]), None)
                for k in range(i, j + 1):
                    self.gender[k] = self.gender[k] or gender  # "Aunt Fatima Siddiqui": she, all of her
                if any(k in self.adult for k in range(i, j + 1)):
                    self.adult.update(range(i, j + 1))
                i = j + 1
            else:
                i += 1
        return out

    def _set_name_role(self, i: int, role: str) -> None:
        """Give every token of an unknown name (its whole run) a role; an adult is never the child."""
        s, e = self.names.get(i, (i, i + 1))
        if role == "child" and any(k in self.adult for k in range(s, e)):
            return
        for k in range(s, e):
            if self.role[k] == "unknown":
                self.role[k] = role

    def _age_after(self, e: int) -> tuple[int, float | None]:
        """End and years of an age right after token e ("(14)", ", 3,", ", age 6", "(10 months)"), else (0, None)."""
        low, n = self.lower, len(self.doc)
        if e < n and low[e] in ("jr", "jr.", "sr", "sr.", "ii", "iii"):
            e += 1  # "Tomas Jr. (14)"
        if e >= n:
            return 0, None
        if low[e] not in ("(", ","):
            age = self._age_at(e)  # "Omar 7yo", "Mia 4 years old"
            return (age[0], age[1]) if age else (0, None)
        k, leads = e + 1, 0
        while k < n and self.has(k, "age_leads") and leads < 3:
            k, leads = k + 1, leads + 1
        if k >= n or not (AGE_NUM.match(low[k]) or low[k] in self.words("number_words")):
            return 0, None
        if low[e] == "," and not leads and not AGE_NUM.match(low[k]):
            return 0, None  # a number word after a comma ("Sami, three days later") is not an age
        end, unit = k + 1, ""
        if end < n and self.has(end, "age_units"):
            unit = low[end]
            end += 1
            if end < n and low[end] == "old":
                end += 1
        elif low[e] == "," and leads == 0 and end < n and low[end] not in (",", ")", ".", "and", ";", "-"):
            return 0, None  # "Omar, 2 weeks ago" / "Nico, 3 times": a number, not an age
        years = age_in_years(AGE_NUM.match(low[k]).group(1) if AGE_NUM.match(low[k]) else low[k], unit)
        return end, years

    def _unknown_name_cues(self) -> None:
        """Roles of unknown names from their neighbours: an age, a child or caregiver noun, an apposition."""
        low = self.lower
        seen: set[tuple[int, int]] = set()
        for s, e in self.names.values():
            if (s, e) in seen:
                continue
            seen.add((s, e))
            end, years = self._age_after(e)
            if end:
                self.age_tokens.update(range(e, end))
                if years is not None:
                    self.years.update((k, years) for k in range(s, e))
                if years is not None and years >= ADULT_AGE:
                    self.adult.update(range(s, e))  # "Grace (19)" is a young parent, not a child
                else:
                    self._set_name_role(s, "child")
                    continue
            p = s - 1
            while (
                p >= 0
                and low[p] in ("(", ",", "the", "little", "baby", "my", "our")
                and not self.has(p, "child_appositives")
            ):
                p -= 1
            if p < 0:
                continue
            if self.has(p, "sibling_nouns"):
                continue  # decided with the sibling word itself, once its owner is known (_siblings)
            if self.has(p, "child_appositives") or (
                self.role[p] == "child" and self.person[p] is None and p in self.age_tokens
            ):
                self._set_name_role(s, "child")  # "her son Omar", "6-year-old Tyler"
            elif (
                self.role[p] == "caregiver"
                and self.has(p, "caregiver_nouns")
                and not self.tokens[p].text.endswith("s'")
            ):
                self._set_name_role(s, "caregiver")  # "dad (Omar Haddad)", "Stepfather Dale Price"
            elif (
                self.role[p] == "observer"
                and self.tokens[p].pos_ in ("NOUN", "PROPN")
                and low[p] not in PRONOUN_OBSERVERS
                and "," not in low[p + 1 : s]
            ):
                self._set_name_role(
                    s, "network"
                )  # "her teacher Ms. Ruiz", "a neighbor (Tom Pike)"; not "the agency, Theresa ..."
                if self.has(p, "kin_adults"):
                    self.kin.update(range(s, e))  # "her grandmother Mercy"
        for s, e in seen:
            last = self.tokens[e - 1]
            links = [last.head] if last.dep_ == "appos" else []
            links += [c for c in last.children if c.dep_ == "appos"]
            teen = self.role[s] == "child" and self.years.get(s, 0) >= TEEN_PARENT_AGE
            for other in links:
                if teen and self.role[other.i] == "caregiver" and self.has(other.i, "caregiver_nouns"):
                    self._make_carer(range(s, e), teen=True)  # "Jordan (17), Nevaeh's dad": a teen parent
                    break
                if self.role[s] != "unknown":
                    continue
                if self.role[other.i] == "observer":
                    self._set_name_role(s, "network")  # "Tom Pike, a neighbor, found ..."
                    if other.i in self.kin:
                        self.kin.update(range(s, e))  # "Rose Tran, Khoa's great-grandma"
                elif self.role[other.i] == "caregiver":
                    self._set_name_role(s, "caregiver")  # "Rosa, the children's mother, ..."
                elif self.role[other.i] == "child" and not any(k in self.adult for k in range(s, e)):
                    self._set_name_role(s, "child")

    def _carers(self) -> None:
        """Whoever the words say looks after a child is a caregiver.

        "Ike, who watches Tessa", "Andre (24), who has custody of Malik", "Faith is raising her
        grandsons", "Kayla (16) and Marco (17) want to keep raising the baby" (teen parents).
        """
        for tok in self.tokens:
            if not self._cares_for_child(tok):
                continue
            start = tok.i
            while start > 0 and self.role[start - 1] is not None and self.role[start - 1] == self.role[tok.i]:
                start -= 1
            if start > 0 and self.has(start - 1, "adult_titles") and self.role[start - 1] is not None:
                start -= 1  # the title before the name ("Grandpa Ike")
            self._make_carer(range(start, tok.i + 1))
        for tok in self.tokens:
            if tok.pos_ != "VERB" or not self._raises_a_child(tok):
                continue
            for who in self.subjects(tok):
                s, e = self.names.get(who.i, (who.i, who.i + 1))
                self._make_carer(range(s, e), teen=True)

    def _make_carer(self, span: range, teen: bool = False) -> None:
        """Make a person (a span of tokens) a caregiver, unless the roster or a kin word already says who they are."""
        if not all(
            self.role[k] in ("unknown", "network", "observer") or (teen and self.role[k] == "child") for k in span
        ):
            return
        if any(self.person[k] is not None for k in span):
            return
        for k in span:
            self.role[k] = "caregiver"
        self.mentions = [(s, e, "caregiver" if s in span else r, p) for s, e, r, p in self.mentions]

    def _raises_a_child(self, verb: Token) -> bool:
        """True for 'raise', 'parent', 'babysit' or 'care for' with a child as its object ("keep raising the baby")."""
        lemma = self.lemma[verb.i]
        if lemma in ("raise", "parent", "babysit"):
            objects = [c for c in verb.children if c.dep_ == "dobj"]
        elif lemma == "care":
            objects = [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "for" for g in c.children]
        else:
            return False
        return any(self.role[o.i] == "child" or self.has(o.i, "child_nouns") for o in objects)

    def _cares_for_child(self, tok: Token) -> bool:
        """True when a relative clause says the person looks after a child ("who watches Tessa", "has custody of")."""
        for c in tok.children:
            if c.dep_ != "relcl":
                continue
            if self.lemma_in(c, "care_verbs"):
                return True
            if self.lemma[c.i] in ("have", "get", "take", "share") and any(
                g.dep_ == "dobj" and self.lemma_in(g, "care_nouns") for g in c.children
            ):
                return True
        return False

    def _owner_role(self, tok: Token) -> str | None:
        """The role of the person who owns a noun ("Ana's sister": Ana's role), when it is known."""
        for c in tok.children:
            if c.dep_ == "poss":
                if self.role[c.i] is not None:
                    return "adult" if c.i in self.adult else self.role[c.i]
                if self.lower[c.i] in ("my", "our"):
                    return "adult"  # "my sister": the writer's
        return None

    def _adult_owner(self, tok: Token) -> bool:
        """True when a possessive pronoun owning this word refers to an adult."""
        return any(
            c.dep_ == "poss"
            and self.poss_role.get(c.i) in ("caregiver", "network", "professional", "adult", "observer")
            for c in tok.children
        )

    def _siblings(self) -> None:
        """A sibling (and its name) is a child unless an adult owns it ("Ana's sister") or an adult age follows."""
        for i, tok in enumerate(self.tokens):
            if not self.has(i, "sibling_nouns") or self.role[i] != "child":
                continue
            owner = self._owner_role(tok)
            k = i + 1
            while k < len(self.tokens) and self.lower[k] in (",", "("):
                k += 1
            named = k < len(self.tokens) and k in self.name_tokens
            name_end = self.names.get(k, (k, k + 1))[1] if named else i + 1
            end, years = self._age_after(name_end)
            adult = (
                owner in ("caregiver", "network", "professional", "adult", "observer")
                or (years is not None and years >= ADULT_AGE)
                or (named and k in self.adult)
            )
            if named and self.role[k] == "unknown":
                self._set_name_role(k, "network" if adult else "child")  # "his sister Lotte (20)", "her brother Omar"
                if adult:
                    self.adult.update(range(k, name_end))
            if adult:
                self.role[i] = "observer"
                self.adult.add(i)
                self.mentions = [(s, e, "observer" if s == i else r, p) for s, e, r, p in self.mentions]

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
        for i, role in enumerate(self.role):
            tok = self.tokens[i]
            if role != "unknown" or self.person[i] is not None or i in self.adult:
                continue
            head = tok.head
            if self._witnessed_by_children(tok):
                continue  # "hit Paola in front of the children": the one hit is an adult the children saw
            if self._acted_on(tok) and not self._acted_on_by_child(tok):
                self._set_name_role(i, "child")
            elif (
                i > 0
                and self.tokens[i - 1].pos_ == "VERB"
                and self.lemma_in(self.tokens[i - 1], "patient_verbs")
                and tok.dep_ not in SUBJECT_DEPS
                and i - 1 not in self.negated_tokens_early()
            ):
                self._set_name_role(i, "child")  # "hit Malik w/ a cord": right after the act, whatever the parse
            elif (
                tok.dep_ in ("poss", "compound")
                and head.i > tok.i
                and self.has(head.i, "owned_effects")
                and not (tok.dep_ == "compound" and not tok.text.endswith("s"))
            ):
                self._set_name_role(i, "child")  # "Sofias insulin" typed without the apostrophe
            elif tok.dep_ == "poss" and (
                self.has(head.i, "parent_nouns")
                or any(c.dep_ == "compound" and self.has(c.i, "parent_nouns") for c in head.children)
                or self.has(head.i, "owned_effects")
                or (self.has(head.i, "body_parts") and head.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass"))
            ):
                self._set_name_role(i, "child")
            elif tok.dep_ == "pobj" and self.lower[head.i] == "about" and self.has(head.head.i, "worry_words"):
                self._set_name_role(i, "child")  # "Ms. Lee is worried about Jayden"
            elif tok.dep_ in ("nsubj", "nsubjpass") and any(
                self.lower[c.i] == "at" and any(self.lower[g.i] == "risk" for g in c.children) for c in head.children
            ):
                self._set_name_role(i, "child")  # "Amara could be at risk"
            elif tok.dep_ in ("nsubjpass", "nsubj"):
                if tok.dep_ == "nsubjpass" and self.lemma_in(head, "patient_verbs"):
                    self._set_name_role(i, "child")
                elif self._could_suffer(tok, head):
                    self._set_name_role(i, "child")  # "Nevaeh could be sad", "Luca could suffocate"
                elif (
                    tok.dep_ == "nsubj"
                    and head.pos_ == "VERB"
                    and self.lemma_in(head, "experiencer_verbs")
                    and not any(c.dep_ in ("dobj", "xcomp", "ccomp") for c in head.children)
                    and not self._aimed_at_someone(head)
                    and not self.has(head.i, "not_impact_phrases")
                ):
                    self._set_name_role(i, "child")
                elif (
                    tok.dep_ == "nsubj"
                    and self.lemma[head.i] in ("have", "get", "develop", "suffer", "run")
                    and any(
                        c.dep_ == "dobj" and self.has(c.i, "impact_words") and not self.has(c.i, "violent_verbs")
                        for c in head.children
                    )
                ):
                    self._set_name_role(i, "child")  # "Funmi had a fever", "Kai got a black eye"
        for tok in self.tokens:
            if (
                self.role[tok.i] == "unknown"
                and tok.i not in self.adult
                and tok.dep_ in ("conj", "appos")
                and self.role[tok.head.i] == "child"
            ):
                self._set_name_role(tok.i, "child")

    def _witnessed_by_children(self, tok: Token) -> bool:
        """True when the act on this person happens 'in front of the children' or 'while the kids watched'."""
        if tok.dep_ != "dobj":
            return False
        for c in tok.head.children:
            if c.dep_ not in ("prep", "advcl"):
                continue
            sub = list(c.subtree)
            if any(self.has(t.i, "presence_words") for t in sub) and any(
                self.has(t.i, "child_nouns") or self.role[t.i] == "child" for t in sub
            ):
                return True
        return False

    def _could_suffer(self, tok: Token, head: Token) -> bool:
        """True for the subject of a may/could effect ("Nevaeh could be sad", "Luca could choke")."""
        if tok.dep_ not in ("nsubj", "nsubjpass") or not any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children):
            return False
        if self.has(head.i, "not_impact_phrases") or self.lemma_in(head, "violent_verbs"):
            return False
        return self.has(head.i, "impact_words") or any(
            c.dep_ in ("acomp", "attr") and self.has(c.i, "impact_words") for c in head.children
        )

    def _aimed_at_someone(self, verb: Token) -> bool:
        """True when a verb is aimed at a person ("screamed at Tavi"): its subject acts, not suffers."""
        return any(
            c.dep_ == "prep"
            and self.lower[c.i] in ("at", "on", "to")
            and any(g.dep_ == "pobj" and (self.role[g.i] is not None or g.pos_ == "PROPN") for g in c.children)
            for c in verb.children
        )

    def negated_tokens_early(self) -> frozenset[int]:
        """Negated tokens, worked out before roles are final (negation does not depend on roles)."""
        if not hasattr(self, "_negated_early"):
            self._negated_early = self._negation_scope()
        return self._negated_early

    def _acted_on_by_child(self, tok: Token) -> bool:
        """True when the one acting on this token is a child ("Bao called Minh": Minh is not the child)."""
        verb = tok.head if tok.dep_ == "dobj" else tok.head.head
        return any(self.role[s.i] == "child" for s in self.subjects(verb))

    def _pronoun_objects_as_children(self) -> None:
        """ "Layla said Dad hit her": a pronoun acted on by a caregiver makes its name a child."""
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

    def _owners_of_parents(self) -> None:
        """ "his father", "her mom": a possessive pronoun owning a parent word refers to a child."""
        for i in list(self.poss_role):
            tok = self.tokens[i]
            if not self.has(tok.head.i, "parent_nouns") or not self.has(tok.head.i, "caregiver_nouns"):
                continue
            src = self._poss_source.get(i)
            if src is not None and src in self.names and self.role[src] == "unknown" and src not in self.adult:
                self._set_name_role(src, "child")
                self.poss_role[i] = "child"

    def _owners_of_children(self) -> None:
        """ "destiny (16) left her son Kairo", "Kayla's baby": whoever owns a son, daughter or baby is a parent."""
        for tok in self.tokens:
            if tok.dep_ != "poss" or not self.has(tok.head.i, "child_nouns") or self.has(tok.head.i, "sibling_nouns"):
                continue
            src = tok.i if tok.i in self.names else self._poss_source.get(tok.i)
            if src is None or src not in self.names or self.person[src] is not None:
                continue
            s, e = self.names[src]
            if self.years.get(s, ADULT_AGE) < TEEN_PARENT_AGE:
                continue  # a child of nine does not have a son
            if self.role[s] in ("unknown", "child"):
                self._make_carer(range(s, e), teen=True)
                for k, other in self.antecedent.items():
                    if s <= other < e:
                        self.role[k] = "caregiver"
                if tok.i in self.poss_role:
                    self.poss_role[tok.i] = "caregiver"

    def _carers_of_infants(self) -> None:
        """A name with no age of its own who puts, feeds or lays down a baby is its carer, even when someone
        is named as their mother ("Ezra's mom Miriam ... see Ezra put Noa (10 months) down"); so is one
        who bathes, feeds or leaves a young child ("Gloria's mother ... she may bathe Tomas (1)"), and a
        teenager with an age of their own who does so to a baby ("Destiny (16) ... leave him")."""
        for tok in self.tokens:
            if tok.pos_ != "VERB":
                continue
            young = YOUNG_CHILD_AGE if self.lemma_in(tok, "tending_verbs") else INFANT_AGE
            ages = [self._named_age(c) for c in tok.children if c.dep_ in ("dobj", "dative")]
            ages = [y for y in ages if y is not None and y < young]
            if not ages:
                continue
            for who in self.subjects(tok):
                src = who.i if who.i in self.names else self.antecedent.get(who.i)
                if src is None or src not in self.names or self.role[src] != "child":
                    continue
                s, e = self.names[src]
                own = [self.years[k] for k in range(s, e) if k in self.years]
                if own and not (own[0] >= TEEN_PARENT_AGE and min(ages) < INFANT_AGE):
                    continue  # "Bao (9) held An": a child with an age of its own stays a child
                self._make_carer(range(s, e), teen=True)
                for k, other in self.antecedent.items():
                    if s <= other < e:
                        self.role[k] = "caregiver"

    def _named_age(self, tok: Token) -> float | None:
        """The age of the named person a token is (or a pronoun refers to), else None."""
        src = tok.i if tok.i in self.names else self.antecedent.get(tok.i)
        if src is None or src not in self.names:
            return None
        word = self.lower[self.names[src][0]]
        ages = [self.years[s] for s, _e in self.names.values() if self.lower[s] == word and s in self.years]
        return ages[0] if ages else None  # the age may be given at another mention ("leave him ... Jace (2 months)")

    def _so_that_children(self) -> None:
        """The unknown-named subject of a "so (that) ..." purpose clause is the child it is for."""
        for tok in self.tokens:
            if self.lower[tok.i] != "so" or tok.dep_ not in ("mark", "advmod"):
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
        adults: set[str] = set()
        for s, _e in set(self.names.values()):
            if s in self.adult:
                adults.add(self.lower[s])
            elif self.role[s] in ("child", "caregiver", "network"):
                roles.setdefault(self.lower[s], self.role[s])
        for s, e in set(self.names.values()):
            word = self.lower[s]
            if word in adults:
                self.adult.update(range(s, e))
            if self.role[s] == "unknown" and s not in self.adult and word in roles:
                self._set_name_role(s, roles[word])
            elif self.role[s] == "child" and word in adults:
                self.role[s] = "unknown"  # "Grace (19) ... Grace": an adult everywhere

    def _sync_mentions(self) -> None:
        """Bring the roles recorded with unknown-name mentions up to date."""
        self.mentions = [
            (s, e, self.role[s] if role in ("unknown", "child") and self.role[s] else role, p)
            for s, e, role, p in self.mentions
        ]

    def _resolve_pronouns(self) -> None:
        """Give he/she/they (and his/her/their, as owners) the role of the mention they most likely refer to.

        A mention fits a pronoun when its gender matches or is unknown (a name the text does not
        gender); a known match beats an unknown one. A subject pronoun prefers the latest subject
        (in "when Grace is tired after a night with Amara, she may fall asleep", she is Grace),
        and an object pronoun never refers to the subject of its own verb.
        """
        seen: list[_Mention] = []
        for i, tok in enumerate(self.tokens):
            is_subj = _is_subject(tok)
            if self.role[i] is not None:
                if self.role[i] == "child" and self.has(i, "sibling_nouns") and self._adult_owner(tok):
                    self.role[i] = "observer"  # "her sister", with her the mother: an adult
                    self.adult.add(i)
                    self.mentions = [(s, e, "observer" if s == i else r, p) for s, e, r, p in self.mentions]
                if self.role[i] in PERSON_ROLES or i in self.kin:
                    verb = _verb_of(tok)
                    worry = is_subj and self._holds_worry(self.tokens[verb])
                    seen.append(_Mention(i, self.role[i], self.person[i], self.gender[i], is_subj, verb, worry))
                continue
            g = PRONOUN_GENDER.get(self.lower[i])
            if g is None:
                continue
            possessive = tok.tag_ == "PRP$" or (self.lower[i] == "her" and tok.dep_ == "poss")
            # a possessive may refer to its own clause's subject ("Mom called her sister"); an object may not
            found = _antecedent(seen, g, is_subj or possessive, _verb_of(tok))
            if found is not None and found.role == "child" and self._acts_on_someone(tok):
                adult = next(
                    (
                        m
                        for m in reversed(seen)
                        if m.role != "child" and m.gender in (g, None) and m.role in ("caregiver", "unknown")
                    ),
                    None,
                )
                found = adult or found  # "..., he may hit her again": the one who hits is not the child
            if found is not None and found.role != "child" and self._experiences(tok):
                child = next((m for m in reversed(seen) if m.role == "child" and m.gender in (g, None)), None)
                found = child or found  # "Dad grabbed Jayden and he had a bruise": the one hurt is the child
            if possessive:
                if found is not None:
                    self.poss_role[i] = "adult" if found.index in self.adult else found.role
                    self._poss_source[i] = found.index
                continue
            if found is None:
                continue
            self.role[i], self.person[i], self.antecedent[i] = found.role, found.person, found.index
            self.gender[i] = g
            seen.append(_Mention(found.index, found.role, found.person, g, is_subj, _verb_of(tok)))

    def _holds_worry(self, verb: Token) -> bool:
        """True for the verb of someone who holds the worry or needs to see ("are worried", "worry", "need to see")."""
        if self.has(verb.i, "worry_words"):
            return True
        if self.lemma_in(verb, "see_governors"):  # "need to see", not "Ana wants meth"
            return any(c.dep_ in ("xcomp", "ccomp") and self.lemma_in(c, "see_verbs") for c in verb.children)
        return any(c.dep_ in ("acomp", "dobj", "attr", "xcomp") and self.has(c.i, "worry_words") for c in verb.children)

    def _acts_on_someone(self, tok: Token) -> bool:
        """True when a subject pronoun does an act of force or leaving to someone ("he may hit her")."""
        head = tok.head
        if tok.dep_ != "nsubj" or not (self.lemma_in(head, "violent_verbs") or self.lemma_in(head, "omission_verbs")):
            return False
        return any(c.dep_ in ("dobj", "prep") for c in head.children)

    def _experiences(self, tok: Token) -> bool:
        """True when a pronoun is the one who has an effect ("he had a bruise", "she cried", "his arm was cut")."""
        head = tok.head
        if tok.dep_ == "poss":
            return self.has(head.i, "body_parts") or self.has(head.i, "impact_words")
        if tok.dep_ not in ("nsubj", "nsubjpass"):
            return False
        if any(c.dep_ in ("acomp", "attr") and self.has(c.i, "trigger_states") for c in head.children):
            return False  # "when he feels jealous, he leaves": the adult's own trigger, not the child's harm
        if self.has(head.i, "impact_words") or self.has(head.i, "experiencer_verbs"):
            return not self.has(head.i, "violent_verbs") or tok.dep_ == "nsubjpass"
        parts = [c for c in head.children if c.dep_ in ("dobj", "acomp", "attr", "prep")]
        # "spent 3 days in the hospital", "end up with a split lip"
        parts += [g for c in parts if c.dep_ == "prep" for g in c.subtree if g.dep_ in ("pobj", "amod", "compound")]
        return any(self.has(c.i, "impact_words") for c in parts)

    # ---- negation ----------------------------------------------------------
    def _negation_scope(self) -> frozenset[int]:
        """Tokens inside a negated clause or phrase: "did not hurt", "no marks", "never cried", "unharmed".

        The scope follows the parse: a negation word negates the verb or noun it hangs from, and
        everything in that head's subtree except clauses of their own (a "while ..." clause or a
        new subject starts its own scope).
        """
        self.negation_scopes: dict[int, frozenset[int]] = {}  # negation word -> the tokens it negates
        out: set[int] = set()
        for tok in self.tokens:
            if not self.has(tok.i, "negation_words"):
                continue
            if self.lower[tok.i] in ("unharmed", "unhurt", "uninjured"):
                scope = {tok.i}
            else:
                head = tok.head if tok.dep_ in ("neg", "det", "advmod", "prep", "dep", "preconj") else tok
                if self.lower[tok.i] == "without":
                    head = tok
                if tok.dep_ == "det" and head.dep_ in ("nsubj", "nsubjpass") and head.head is not head:
                    head = head.head  # "neither child has been to class", "no one fed her": the whole clause
                scope = self._clause_subtree(head)
            self.negation_scopes[tok.i] = frozenset(scope)
            out.update(scope)
        return frozenset(out)

    def negated_outside(self, start: int, end: int) -> bool:
        """True when a negation word outside tokens start..end negates them ("had not eaten" is itself an effect)."""
        self.negated_tokens_early()
        return any(
            not start <= neg < end and any(start <= k < end for k in scope)
            for neg, scope in self.negation_scopes.items()
        )

    def _clause_subtree(self, head: Token) -> set[int]:
        """The subtree of a head without the subordinate clauses and conjoined clauses hanging from it."""
        out, stack = set(), [head]
        while stack:
            node = stack.pop()
            out.add(node.i)
            for c in node.children:
                if c.dep_ in ("advcl", "relcl", "ccomp", "parataxis") or (
                    c.dep_ == "conj" and any(g.dep_ in SUBJECT_DEPS for g in c.children)
                ):
                    continue
                stack.append(c)
        return out

    def negated(self, tok: Token) -> bool:
        """True when the token sits in a negation's scope."""
        return tok.i in self.negated_tokens

    # ---- context (trigger) clauses -----------------------------------------
    def _find_context_markers(self) -> list[int]:
        """Indices of when/if/while/... that open a trigger clause or phrase (not "if nothing changes")."""
        premise = {k for s, e in self.spans("premise_phrases") for k in range(s, e)}
        out = []
        for tok in self.tokens:
            if not self.has(tok.i, "context_markers") or tok.i in premise:
                continue
            head = tok.head
            nxt = self.tokens[tok.i + 1] if tok.i + 1 < len(self.tokens) else None
            if self.lower[tok.i] in OPEN_MARKERS and nxt is not None and not nxt.is_punct:
                out.append(tok.i)  # these always open a situation, however the parser hung them
                continue
            if (
                tok.dep_ in ("mark", "advmod")
                and head is not tok
                and head.dep_ in ("advcl", "relcl", "ccomp", "conj", "pcomp", "ROOT", "xcomp")
                and (head.pos_ in ("VERB", "AUX") or head.dep_ == "advcl")
            ):  # "when Celia drinks": drinks tagged a noun
                if tok.dep_ == "advmod" and head.dep_ == "ROOT" and tok.i > head.i:
                    continue
                out.append(tok.i)
            elif tok.dep_ == "prep" and any(c.dep_ in ("pobj", "pcomp") for c in tok.children):
                out.append(tok.i)
        return out

    def _context_clause_tokens(self) -> frozenset[int]:
        """Token indices inside 'when/if/while ...' clauses and 'every time ...' phrases."""
        out: set[int] = set()
        for i in self.context_markers:
            tok = self.tokens[i]
            root = tok if tok.dep_ == "prep" else tok.head
            clause = sorted(t.i for t in root.subtree if t.i >= i)
            modal = next((k for k in clause if self.tokens[k].tag_ == "MD"), None)
            if modal is not None:
                # A trigger carries no may/could: when the parser hung the main clause under it
                # ("when baby Isla cries, and Isla could go without feeds"), stop at the last comma before,
                # or else where the modal's own clause begins ("if Ana keeps using she'll get high").
                stop = max((k for k in clause if k < modal and self.lower[k] in (",", ";")), default=None)
                if stop is None:
                    start = self.tokens[modal].head.left_edge.i
                    stop = start if i + 1 < start <= modal else None
                if stop is not None:
                    clause = [k for k in clause if k < stop]
            out.update(clause)
        for s, e in self.spans("context_phrases"):
            last = self.tokens[e - 1]
            out.update(t.i for t in last.subtree if t.i >= s)
            out.update(self._reduced_trigger(e))
        # A purpose clause ("..., so that Leo rides safely") is never part of the trigger, even
        # when the parser hangs it under the trigger clause.
        for tok in self.tokens:
            if self.lower[tok.i] == "so" and tok.dep_ == "mark" and tok.head.i > tok.i:
                out.difference_update(t.i for t in tok.head.subtree if t.i >= tok.i)
        return frozenset(out)

    def _reduced_trigger(self, e: int) -> list[int]:
        """ "on days Summer takes more than she should, ...": a clause right after the phrase, up to its comma."""
        n = len(self.tokens)
        if e >= n or not (self.role[e] is not None or self.tokens[e].pos_ in ("PRON", "PROPN")):
            return []
        out = []
        for k in range(e, n):
            if self.lower[k] in (",", ";", ".") or self.tokens[k].tag_ == "MD":
                break
            out.append(k)
        if len(out) == n - e or len(out) > 25:
            return []  # no comma or modal ends it: not a trigger clause of its own
        return out

    # ---- syntax helpers --------------------------------------------------
    def subjects(self, verb: Token, depth: int = 0) -> list[Token]:
        """Subjects of a verb, following conjunctions, control and relative clauses."""
        subs = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        if not subs:  # the parser sometimes hangs the subject on the auxiliary ("Everyone is worried")
            subs = [
                g for c in verb.children if c.dep_ in ("aux", "auxpass") for g in c.children if g.dep_ in SUBJECT_DEPS
            ]
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
            return named  # the parser made a name before its verb a compound of it ("see Marcus stay ...")
        if verb.dep_ in ("ROOT", "advcl", "ccomp", "conj") and verb.pos_ == "VERB":
            k = verb.i - 1
            while k >= 0 and self.tokens[k].pos_ in ("ADV", "AUX", "PART") and verb.i - k <= 4:
                k -= 1
            if (
                k >= 0
                and self.role[k] in PERSON_ROLES
                and self.tokens[k].dep_ in ("pobj", "npadvmod", "appos", "compound", "conj")
            ):
                return [self.tokens[k]]  # "On Friday Piotr slapped ...": the parser hung the name elsewhere
        if depth > 3 or verb.head is verb:
            return []
        head = verb.head
        if verb.dep_ == "conj" and head.pos_ in ("VERB", "AUX", "ADJ"):
            return self.subjects(head, depth + 1)
        if verb.dep_ in ("xcomp", "ccomp") and head.pos_ in ("VERB", "AUX"):
            objs = [c for c in head.children if c.dep_ == "dobj"]
            if objs and (
                self.lemma_in(head, "see_verbs") or self.lemma[head.i] in ("make", "let", "help", "have", "get")
            ):
                return objs + [c for o in objs for c in o.conjuncts]
            if verb.dep_ == "xcomp":
                return self.subjects(head, depth + 1)
        if verb.dep_ == "advcl" and verb.tag_ == "VBG" and head.pos_ in ("VERB", "AUX"):
            return self.subjects(head, depth + 1)  # "Dad hit him, leaving a bruise"
        if _infinitive_of_object(verb) and self.lemma[head.head.i] == "have":
            return self.subjects(head.head, depth + 1)  # "he may not have time to cook": he cooks
        if verb.dep_ == "pcomp" and self.lower[head.i] == "by" and head.head.pos_ in ("VERB", "AUX"):
            return self.subjects(head.head, depth + 1)  # "neglected Kian by forgetting him in the car"
        return []

    def role_of(self, tok: Token) -> str | None:
        """The role of the person a token refers to (None when not a person)."""
        role = self.role[tok.i]
        if role is None and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
            # "Jayden's mother" / "the boy's father": look inside the noun phrase.
            for c in tok.children:
                if c.dep_ == "compound" and self.role[c.i]:
                    return self.role[c.i]
        if role in ("unknown", "observer") and tok.i in self.adult:
            return role
        return role

    def is_child(self, tok: Token) -> bool:
        """True when the token refers to a child (a possessive pronoun through its owner)."""
        return self.role_of(tok) == "child" or self.poss_role.get(tok.i) == "child"

    def is_kin(self, tok: Token) -> bool:
        """True for a relative the roster does not name ("grandpa Ray", or "he" referring to him)."""
        i = self.antecedent.get(tok.i, tok.i)
        return i in self.kin and self.person[i] is None

    def is_adult(self, tok: Token) -> bool:
        """True when the token refers to an adult other than a child."""
        role = self.role_of(tok) or self.poss_role.get(tok.i)
        return role in ADULT_ROLES or role == "adult" or (role == "unknown" and tok.i in self.adult)

    def has_modal(self, verb: Token, depth: int = 0) -> bool:
        """True when the verb (or the verb it hangs from) carries may/could/will..."""
        if any(c.dep_ == "aux" and (self.has(c.i, "modals") or c.tag_ == "MD") for c in verb.children):
            return True
        if any(c.dep_ == "aux" and self.lower[c.i] == "going" for c in verb.children):
            return True  # "is going to hit"
        if depth < 3 and verb.dep_ in ("conj", "xcomp") and verb.head is not verb:
            return self.has_modal(verb.head, depth + 1)
        if depth < 3 and _infinitive_of_object(verb):
            return self.has_modal(verb.head.head, depth + 1)  # "may not have time to cook dinner"
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
                        pronoun = p.lower_ in ("her", "his", "their")
                        named = [x for x in p.children if x.dep_ == "appos"] if pronoun else []
                        out.extend(named or [p])  # "by her stepfather Sami" parsed as "her" with "Sami" beside it
                        out.extend(p.conjuncts)
        if not out:
            out = self._misattached_agents(verb)
        return out

    def _misattached_agents(self, verb: Token) -> list[Token]:
        """A 'by' + person the parser hung on a nearby noun ("left at the bus stop by her dad")."""
        out = []
        for c in verb.children:
            if c.dep_ != "prep" or self.lower[c.i] == "by":
                continue
            for t in c.subtree:
                if t.dep_ == "prep" and self.lower[t.i] == "by" and t.head.pos_ in ("NOUN", "PROPN"):
                    out.extend(p for p in t.children if p.dep_ == "pobj" and self.role_of(p) is not None)
        return out

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Character offsets and text for tokens start..end."""
        s = self.doc[start:end]
        return s.start_char, s.end_char, s.text
