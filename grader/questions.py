"""Split a text into questions, judge each one whole, and name its solution-focused type.

A question ends at "?" or at the end of its line: learners often write one question a line
without a question mark, and a bullet or number at the start of a line is not part of it.
Each question is normalised for matching (lower case, straight apostrophes, "dont" read as
"don't", a misspelt cue word read as the cue) with a map back to the original characters,
so findings point at the learner's own words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Span

from .lexicon import TYPO_MIN_LETTERS, is_english_word, within_one_edit
from .ruleset import Rule, RuleFileError, RuleSet

RULES_DIR = Path(__file__).resolve().parent / "rules"
RULES_FILE = RULES_DIR / "questions.yaml"
LEXICON_FILES = (RULES_FILE, RULES_DIR / "child_questions.yaml")  # every file whose 'lexicons' questions use

LEAD_IN = re.compile(  # a bullet, a number or letter, or "Q1:" before a question
    r"^\s*(?:[-*•·>–—]+|\(?(?:\d{1,2}|[a-hA-H]|[ivx]{1,4})[.):]|q\d*[.:)]|question\s*\d*\s*[:.)-])?\s*", re.I)
OPENERS = re.compile(
    r"^(?:(?:so|and|okay|ok|well|now|also|then|but|alright|right|hi|hey|and so|one more thing|next|first|lastly"
    r"|finally)\b[\s,:]*"
    # a name said first may be accented ("Ramón, ...")
    r"|(?:(?:mr|ms|mrs|dr|aunt|uncle|grandma|grandpa|auntie|granny|nana|papa)\.?\s+)?"
    r"[A-Za-zÀ-ÖØ-öø-ÿ][a-zß-öø-ÿ]+(?:\s[A-ZÀ-Ö][a-zß-öø-ÿ]+)?\s*,\s+)",
)
FUNCTION_STARTS = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
                   "have", "has", "had", "may", "might", "what", "how", "who", "when", "where", "which", "why",
                   "tell", "if", "suppose", "imagine", "on", "with", "in", "whose", "whom", "thinking", "looking",
                   "since", "after", "before", "during", "besides", "aside", "picture", "think", "say", "describe"}
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Body:
    """A question normalised for matching, with each character's offset in the original text."""

    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original character range of body[start:end]."""
        return self.offsets[start], self.offsets[max(start, end - 1)] + 1 if end > start else self.offsets[start]


@dataclass(frozen=True)
class Verdict:
    """What a question breaks (a rule and the exact words) and how it reads."""

    rule: Rule | None = None
    start: int = 0  # offsets in the original text
    end: int = 0
    reason: str = ""
    open: bool = True
    invitation: tuple[int, int] | None = None  # "Can you" of a polite invitation


@dataclass(frozen=True)
class Found:
    """One question: where it is, its verdicts and its type."""

    start: int
    end: int
    text: str
    type: str
    open: bool
    rule: Rule | None
    flag_start: int = 0
    flag_end: int = 0
    reason: str = ""
    invitation: tuple[int, int] | None = None
    body: Body | None = field(default=None, compare=False)


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Lexicon:
    """A named list of regular expressions over a question body, with its example table."""

    id: str
    patterns: tuple[re.Pattern, ...]
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]
    reason: str = ""

    def search(self, text: str) -> re.Match | None:
        """The first (leftmost) match of any pattern."""
        best = None
        for p in self.patterns:
            m = p.search(text)
            if m and (best is None or m.start() < best.start()):
                best = m
        return best


@dataclass(frozen=True)
class QuestionData:
    """The question lexicons, word forms and parse forms of questions.yaml."""

    lexicons: dict[str, Lexicon]
    spellings: dict[str, str]
    cue_words: frozenset[str]
    perspective_verbs: frozenset[str]
    self_subjects: frozenset[str]
    person_nouns: frozenset[str]
    word_lists: dict[str, str] = field(default_factory=dict)  # {difficulty}, {better}: alternations for cues
    who_types: tuple[str, ...] = ()
    who_fact: tuple[re.Pattern, ...] = ()


# A clause start: the start of the question, or after a comma, semicolon, colon or dash.
CLAUSE_START = r"(?:^|(?<=[,;:.–—-] )|(?<=\band )|(?<=\bbut )|(?<=\bso ))"


def _compile(pattern: str, where: str) -> re.Pattern:
    """Compile one lexicon pattern; '%START%' stands for the start of a clause."""
    try:
        return re.compile(pattern.replace("%START%", CLAUSE_START))
    except re.error as exc:
        raise RuleFileError(f"{RULES_FILE.name}: {where}: bad pattern {pattern!r}: {exc}") from exc


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of non-empty strings, or a RuleFileError naming the entry."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleFileError(f"{RULES_FILE.name}: {where}: must be a list of strings")
    return tuple(value)


def load_lexicons(path: Path) -> dict[str, Lexicon]:
    """The 'lexicons' of one rule file, validated (each needs patterns and an example table)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    lexicons = {}
    for i, entry in enumerate(data.get("lexicons") or []):
        where = f"lexicons entry {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise RuleFileError(f"{path.name}: {where}: needs an 'id'")
        where = f"lexicons entry {i} ({entry['id']})"
        if entry["id"] in lexicons:
            raise RuleFileError(f"{path.name}: {where}: id already used")
        raw = _strings(entry.get("patterns"), f"{where}: patterns")
        patterns = tuple(_compile(p, f"{path.name}: {where}") for p in raw)
        must = _strings(entry.get("must_match"), f"{where}: must_match")
        must_not = _strings(entry.get("must_not_match"), f"{where}: must_not_match")
        lexicons[entry["id"]] = Lexicon(entry["id"], patterns, must, must_not, str(entry.get("reason", "")))
    return lexicons


def load_question_data(path: Path = RULES_FILE) -> QuestionData:
    """Read and validate the lexicons and forms of the question rule files."""
    lexicons: dict[str, Lexicon] = {}
    for file in LEXICON_FILES if path == RULES_FILE else (path,):
        for lex_id, lex in load_lexicons(file).items():
            if lex_id in lexicons:
                raise RuleFileError(f"{file.name}: lexicon {lex_id!r} is already defined in another question file")
            lexicons[lex_id] = lex
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    forms = data.get("forms") or {}
    spellings = forms.get("spellings") or {}
    if not isinstance(spellings, dict):
        raise RuleFileError(f"{path.name}: forms.spellings must map a spelling to its word")
    rel = forms.get("relationship") or {}
    cue_words = set(_strings(forms.get("cue_words") or ["scale"], "forms.cue_words"))
    return QuestionData(
        lexicons=lexicons,
        spellings={str(k).lower(): str(v).lower() for k, v in spellings.items()},
        cue_words=frozenset(w.lower() for w in cue_words),
        perspective_verbs=frozenset(_strings(rel.get("verbs"), "forms.relationship.verbs")),
        self_subjects=frozenset(_strings(rel.get("not_subjects"), "forms.relationship.not_subjects")),
        person_nouns=frozenset(_strings(rel.get("person_nouns"), "forms.relationship.person_nouns")),
        who_types=_strings(forms.get("who_types"), "forms.who_types"),
        who_fact=tuple(_compile(p, "forms.who_fact") for p in _strings(forms.get("who_fact"), "forms.who_fact")),
        word_lists={key: "|".join(re.escape(w).replace("\\ ", " ")
                                  for w in sorted(_strings(forms.get(key), f"forms.{key}"),
                                                                                  key=len, reverse=True))
                    for key in ("difficulty", "better")},
    )


@lru_cache(maxsize=1)
def question_data() -> QuestionData:
    """The packaged question data, loaded once."""
    return load_question_data()


# ---------------------------------------------------------------------------- splitting


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Trim whitespace, stray punctuation and a bullet or number from the start of a range."""
    m = LEAD_IN.match(text[s:e])
    if m:
        s += m.end()
    while s < e and text[s] in " \t\"'“”‘’":
        s += 1
    while e > s and text[e - 1] in " \t\r":
        e -= 1
    return s, e


WH = r"(?:what|what's|whats|how|how's|who|who's|whom|whose|which|when|where|where's|why)"
ASKING_LINE = re.compile(
    rf"(?:^|\b){WH}\b|,\s*(?:right|ok|okay|correct)\s*$"
    r"|^(?:don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|wouldn'?t|won'?t|can'?t|couldn'?t|shouldn'?t"
    r"|haven'?t|hasn'?t)\s"
    r"|^(?:(?:can|could|would|will|do|does|did|is|are|was|were|have|has|had|should|may|might)\s+"
    r"(?:you|i|we|he|she|they|it|there|your|his|her|their|anyone|someone|[a-z]+)\b)"
    # a request verb asks the listener only when it is said to them: "tell me", "describe what",
    # "explain to me"; "Tell Devon that..." and "Explain to Keri..." are instructions about others
    r"|^(?:tell|describe|walk|talk|share|explain)\s+(?:(?:to\s+)?(?:me|us)\b|about|more|what|how|when|who|where|which"
    r"|a\b|an\b|the\b|your|yourself|something|anything|one|some|any)"
    r"|^(?:help me|say more|imagine|suppose|picture|think (?:back|about)|on a scale)\b",
    re.I)
# The names of the techniques themselves ("exception, scaling, coping") are a list, not a question.
TECHNIQUE_NAMES = re.compile(
    r"\b(?:exception|scaling|coping|miracle|preferred future|relationship question|next step|networks?|"
    r"solution[- ]focused|(?:0|zero) to 10)\b",
    re.I)
STATEMENT_LINE = re.compile(r"^(?:i|i'd|i'll|i'm|im|we|we'll|we'd|my|our|questions?\b|notes?\b)\b(?! wonder)", re.I)


def _is_question_line(line: str) -> bool:
    """True when a line without '?' still reads as a question or a request to tell."""
    body = _strip_openers(line.strip().rstrip(".:;!").strip())
    if not body or len(WORD.findall(body.lower())) < 2 or line.rstrip().endswith(":"):
        return False
    if STATEMENT_LINE.match(body):
        return False
    if len(TECHNIQUE_NAMES.findall(body)) >= 3:
        return False  # a run of technique names: "exception scaling coping ..."
    return bool(ASKING_LINE.search(body))


def split_questions(text: str) -> list[tuple[int, int]]:
    """Character spans of each question: each run ending in '?', and each asking line without one."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        cursor = start
        for m in re.finditer(r"\?+", text[start:end]):
            s, e = _trim(text, cursor, start + m.end())
            if text[s:e].strip("?!. "):
                spans.append((s, e))
            cursor = start + m.end()
        s, e = _trim(text, cursor, end)
        if s < e and _is_question_line(text[s:e]):
            e = s + len(text[s:e].rstrip(" .;!"))
            spans.append((s, e))
    return spans


# ---------------------------------------------------------------------------- normalising


def _strip_openers(body: str) -> str:
    """A question without openers like 'So,' or a name said first."""
    for _ in range(3):
        m = OPENERS.match(body)
        if not m or not m.group(0):
            break
        first = m.group(0).split()[0].strip(",:").lower()
        if first in FUNCTION_STARTS:
            break  # "Is Jayden, ..." is the question itself, not a name said first
        body = body[m.end():]
    return body


@lru_cache(maxsize=8192)
def correct_word(word: str, vocabulary: frozenset[str]) -> str:
    """The cue word a misspelt word (5+ letters, not itself English) stands for, else the word.

    The typo test is the grader's one mechanism (grader/lexicon.py), used here on question cues.
    """
    if len(word) < TYPO_MIN_LETTERS or word in vocabulary or not word.isalpha() or is_english_word(word):
        return word
    near = sorted(w for w in vocabulary if abs(len(w) - len(word)) <= 1 and within_one_edit(word, w))
    return near[0] if len(near) == 1 else word


def normalise(qtext: str, base: int, data: QuestionData, vocabulary: frozenset[str]) -> Body:
    """Lower-case matching text of a question, without openers, with spellings and typos fixed."""
    raw = qtext.replace("’", "'").replace("‘", "'").replace("`", "'")
    stripped = _strip_openers(raw)
    skip = len(raw) - len(stripped)
    chars: list[str] = []
    offsets: list[int] = []
    i = skip
    lower = raw.lower()
    for m in re.finditer(r"[a-z]+(?:'[a-z]+)?|[^a-z]", lower[skip:]):
        s = skip + m.start()
        piece = m.group(0)
        if piece[0].isalpha():
            word = data.spellings.get(piece) or correct_word(piece, vocabulary)
        else:
            word = " " if piece.isspace() else piece
            if word == " " and chars and chars[-1] == " ":
                continue
        for k, ch in enumerate(word):
            chars.append(ch)
            offsets.append(base + s + min(k, len(piece) - 1))
        i = s + len(piece)
    while chars and chars[-1] in " ":
        chars.pop()
        offsets.pop()
    offsets.append(base + i)
    return Body("".join(chars), tuple(offsets))


# ---------------------------------------------------------------------------- judging

CLOSED_START = re.compile(
    r"^(?:do|does|did|is|are|was|were|am|can|could|will|would|should|shall|have|has|had|may|might|must|"
    r"don't|doesn't|didn't|isn't|aren't|wasn't|weren't|won't|wouldn't|can't|couldn't|shouldn't|haven't|hasn't|hadn't)\b")
WH_QUESTION = re.compile(r"\b(?:what|what's|how|how's|who|who's|whom|whose|which|why|where|where's|when)\b")
ASKING_WH = re.compile(
    r"\b(?:what|what's|how|how's|who|who's|whom|whose|which|why|where's)\b"
    r"|\b(?:when|where)\s+(?:is|are|was|were|do|does|did|will|would|can|could|should|have|has|had|might)\b"
    r"|^where\b|\b(?:where|when)\s*\??$")
REQUEST = re.compile(r"^(?:tell|describe|walk|talk|help me|say more|share|explain|list|name|imagine|suppose|picture|"
                     r"think (?:back|about|of)|let's|lets|give me|paint)\b")


def _clauses(body: str) -> list[tuple[int, str]]:
    """(offset, text) of each comma-, colon- or semicolon-separated clause."""
    out, pos = [], 0
    for part in re.split(r"([,;:]\s*)", body):
        if part and not re.fullmatch(r"[,;:]\s*", part):
            out.append((pos, part))
        pos += len(part)
    return out


def closed_form(body: str) -> bool:
    """True when the question can be answered yes or no: it opens (or its main clause opens) with
    an auxiliary before its subject, or it asks with no question word and no request at all."""
    for _, clause in _clauses(body):
        if CLOSED_START.match(clause):
            return True
        if ASKING_WH.match(clause) or REQUEST.match(clause):
            return False
    return not (ASKING_WH.search(body) or REQUEST.match(body))


def judge(body: Body, rules: dict[str, Rule], data: QuestionData, extra_open: tuple[str, ...] = ()) -> Verdict:
    """The error rule a question breaks (leading, why or closed), with the exact words, and whether it is open.

    rules maps "leading", "why" and "closed" to their rules; a question that matches one of the
    extra_open lexicons (a child asked for permission) is not closed.
    """
    text = body.text
    lex = data.lexicons
    invite = lex["polite_invitation"].search(text)
    exempt = any(lex[i].search(text) for i in extra_open)
    is_closed = closed_form(text) and not invite and not exempt
    suggestive = rules.get("suggestive")  # child_questions: a hurt or a feeling put in the child's mouth
    if suggestive:
        for lex_id in suggestive.opt("lexicons"):
            m = lex[lex_id].search(text)
            if m:
                s, e = body.span(m.start(), m.end())
                return Verdict(suggestive, s, e, "suggestive", not is_closed)
    leading = rules.get("leading")
    if leading:
        for lex_id in leading.opt("lexicons"):
            m = lex[lex_id].search(text)
            if m:
                s, e = body.span(m.start(), m.end())
                if lex_id in ("negative_opening", "tag"):
                    s, e = body.span(0, len(text))
                agreeing = lex_id in ("negative_opening", "tag")  # asks for agreement: never open
                return Verdict(leading, s, e, lex[lex_id].reason, not is_closed and not agreeing)
    why = rules.get("why")
    if why:
        if any(lex[i].search(text) for i in why.opt("lexicons")):
            s, e = body.span(0, len(text))
            return Verdict(why, s, e, "why", True)
    closed = rules.get("closed")
    if closed and is_closed:
        s, e = body.span(0, len(text))
        return Verdict(closed, s, e, "closed", False)
    inv = None
    if invite:
        two = re.match(r"\S+ \S+", text[invite.start():invite.end()])  # "Can you": the words to drop
        inv = body.span(invite.start(), invite.start() + (two.end() if two else invite.end() - invite.start()))
    return Verdict(None, 0, 0, "", True, inv)


# ---------------------------------------------------------------------------- types


@lru_cache(maxsize=256)
def _any_cue_regex(cues: tuple[str, ...]) -> re.Pattern:
    """Compile all of a type's cues into one alternation, so each type costs one search."""
    phrases = sorted({re.escape(c) for c in cues if not c.startswith("re:")}, key=len, reverse=True)
    parts = [r"(?<![\w])(?:" + "|".join(phrases) + r")(?![\w])"] if phrases else []
    parts += [f"(?:{c[3:]})" for c in cues if c.startswith("re:")]
    return re.compile("|".join(parts))


@lru_cache(maxsize=4)
def cue_vocabulary(question_types: tuple, extra: frozenset[str]) -> frozenset[str]:
    """Every plain word of 5+ letters in the type cues: the words a typo is read back to."""
    words = set(extra)
    for _t, cues in question_types:
        for cue in cues:
            if cue.startswith("re:"):
                words.update(w for w in re.findall(r"(?<![\\(?])\b[a-z]{5,}\b", cue[3:]))
            else:
                words.update(w for w in WORD.findall(cue) if len(w) >= 5)
    return frozenset(words)


def _person(tok, data: QuestionData) -> bool:
    """True when a token names someone other than the person asked (a name, a kin or role noun, he/she/they)."""
    low = tok.lower_
    if low in data.self_subjects:
        return False
    if low in ("he", "she", "they", "him", "her", "them"):
        return True
    if tok.pos_ == "PROPN" or (tok.text[:1].isupper() and not tok.is_sent_start and tok.pos_ in ("NOUN", "PROPN")):
        return True
    return tok.lemma_.lower() in data.person_nouns or low in data.person_nouns


DESIRE_VERBS = frozenset({"want", "like", "hope", "wish", "expect", "love", "need"})


def _subjects(tok) -> list:
    """A verb's subjects, leaving out a name said first and followed by a comma ("Brandon, think back...")."""
    doc = tok.doc
    return [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")
            and not (c.i + 1 < len(doc) and doc[c.i + 1].text == "," and c.i < tok.i)]


COMPLEMENT_DEPS = frozenset({"ROOT", "ccomp", "xcomp", "conj"})


def _in_main_clause(tok) -> bool:
    """True when a verb is the main verb or a complement of it (not in an if-, when- or relative clause)."""
    for _ in range(12):
        if tok.dep_ not in COMPLEMENT_DEPS:
            return False
        if tok.dep_ == "ROOT" or tok.head is tok:
            return True
        tok = tok.head
    return False


def perspective_of_other(span: Span | None, data: QuestionData) -> bool:
    """True when the question asks what someone else says, notices, thinks or feels (the parse decides whose view)."""
    if span is None or span.text.lstrip(" ,").lower().startswith(("who", "which")):
        return False  # "Who ... notices", "Which neighbors know": asking who, a network question
    for tok in span:
        if tok.lemma_.lower() not in data.perspective_verbs or tok.pos_ not in ("VERB", "AUX"):
            continue
        subjects = _subjects(tok)
        if not subjects or not all(_person(s, data) for s in subjects):
            continue
        if any(c.dep_ == "det" and c.lower_ in ("which", "what", "whose") for s in subjects for c in s.children):
            continue  # "which neighbors know..." asks who, a network question
        if not _in_main_clause(tok):
            continue  # "...so that Dana could see", "if your mom felt better": not whose view is asked
        head = tok.head
        if tok.dep_ in ("ccomp", "xcomp") and head.lemma_.lower() in DESIRE_VERBS and any(
                s.lower_ in data.self_subjects for s in _subjects(head)):
            continue  # "what do you want Nevaeh to remember" asks the speaker's hopes
        return True
    return False


def _expand(cue: str, data: QuestionData) -> str:
    """A cue with {difficulty} or {better} replaced by the word list's alternation."""
    for key, alternation in data.word_lists.items():
        cue = cue.replace("{" + key + "}", alternation)
    return cue


MARKERS = ("@perspective", "@past", "@future")
REQUEST_VERBS = frozenset({"tell", "describe", "walk", "talk", "share", "explain", "remember", "think", "say", "help"})
WHO_START = re.compile(r"^(?:[a-z']+ ){0,2}(?:who|whom)\b")


def main_tense(span: Span | None) -> str:
    """'future' (a modal or "going to" on the main verb), 'past' (a past main verb), 'perfect' or 'present'."""
    if span is None or not len(span):
        return "present"
    last = list(span.sents)[-1]
    # the parser may run a sentence across a line break into the next question: take the
    # root of the part inside this question, never a verb of its neighbour
    root = span.doc[max(last.start, span.start):min(last.end, span.end)].root
    subjects = [c.lower_ for c in root.children if c.dep_ == "nsubj"]
    if root.lemma_.lower() in REQUEST_VERBS and subjects in ([], ["you"]):
        return "present"  # "(Can you) tell me about a day when...": the request has no tense of its own
    words = [root] + [c for c in root.children if c.dep_ in ("aux", "auxpass")]
    doc = span.doc
    going_to = any(t.lower_ == "going" and t.i + 2 < len(doc) and doc[t.i + 1].lower_ == "to"
                   and doc[t.i + 2].tag_ == "VB" for t in words)
    if any(t.tag_ == "MD" for t in words) or going_to:
        return "future"
    if root.tag_ in ("VBN", "VBD") and any(t.lemma_ == "have" and t is not root for t in words):
        return "perfect"  # "has Ellie told you" (the tagger may read "told" as VBD)
    if any(t.tag_ == "VBD" for t in words):
        return "past"
    return "present"


def _expand(cue: str, data: QuestionData) -> str:
    """A cue with {difficulty} or {better} replaced by the word list's alternation."""
    for key, alternation in data.word_lists.items():
        cue = cue.replace("{" + key + "}", alternation)
    return cue


def _matches(cues: tuple[str, ...], body: str, span: Span | None, tense: str, data: QuestionData) -> bool:
    """True when a type group's cues (or its parse form) match, and its tense marker allows it."""
    if ("@past" in cues and tense == "future") or ("@future" in cues and tense in ("past", "perfect")):
        return False
    if "@perspective" in cues and tense != "past" and perspective_of_other(span, data):
        return True  # "what did the doctor say" reports a fact; "what does your counselor say" asks a view
    regex = _group_regex(cues, data)
    return regex is not None and regex.search(body) is not None


_GROUP_REGEX: dict[tuple[int, tuple[str, ...]], re.Pattern | None] = {}


def _group_regex(cues: tuple[str, ...], data: QuestionData) -> re.Pattern | None:
    """One compiled alternation per type group (word lists expanded), built once per question data."""
    key = (id(data), cues)
    if key not in _GROUP_REGEX:
        plain = tuple(_expand(c, data) for c in cues if c not in MARKERS)
        _GROUP_REGEX[key] = _any_cue_regex(plain) if plain else None
    return _GROUP_REGEX[key]


# "me" after a request ("tell me", "walk me through") still asks the listener to speak
# ("If I came back in a year, what would I see?" asks the listener to picture it: "I" alone is not enough)
ABOUT_THE_WORKER = re.compile(
    r"\b(?:my|myself)\b|(?<!tell )(?<!show )(?<!walk )(?<!give )(?<!let )(?<!teach )\bme\b", re.I
)
TO_THE_LISTENER = re.compile(r"\b(?:you|your|yours|yourself|you're|you'd|you'll|you've|ya|u|y'all)\b", re.I)


def about_worker(question: str) -> bool:
    """True when a question speaks of "I" or "my" and never to "you": it asks about the worker."""
    return bool(ABOUT_THE_WORKER.search(question)) and not TO_THE_LISTENER.search(question)


def classify(body: str, ruleset: RuleSet, span: Span | None = None, data: QuestionData | None = None) -> str:
    """The question type: the first type (in rule-file order) whose cues or parse form match.

    A "who" question asks for a person: a fact ("who is on the lease") is 'other', and the
    who-types (network first among them) are tried before the rest.
    """
    data = data or question_data()
    if about_worker(body):
        return "other"  # "What can I do to make my visits go smoothly?" asks about the worker, not the family
    tense = main_tense(span)
    groups = ruleset.question_types
    if WHO_START.match(body):
        if any(p.search(body) for p in data.who_fact):
            return "other"
        groups = groups[:1] + tuple(g for g in groups if g[0] in data.who_types) + groups  # the miracle first
    for qtype, cues in groups:
        if cues and _matches(cues, body, span, tense, data):
            return qtype
    return "other"


# a bare follow-up ("what else?", "and what else would be different?") carries on the question before it
FOLLOW_UP = re.compile(r"^(?:and |so |ok(?:ay)?,? )?(?:what|who|how|where) else\b(?:[^?]{0,40})\??$")

QUESTION_RULES = {"leading": "question.leading", "why": "question.why", "closed": "question.closed"}
CHILD_RULES = {**QUESTION_RULES, "suggestive": "child.suggestive"}
CHILD_OPEN = ("permission",)  # asking a child's permission or offering a choice is not a closed question


def question_rules(ruleset: RuleSet, kind: str = "sf_question") -> dict[str, Rule]:
    """The rules that judge a question of a kind (a rule set may leave any out)."""
    ids = {r.id: r for r in ruleset.rules}
    wanted = CHILD_RULES if kind == "child_questions" else QUESTION_RULES
    return {key: ids[rid] for key, rid in wanted.items() if rid in ids}


def find_questions(text: str, ruleset: RuleSet, doc: Doc | None = None, kind: str = "sf_question") -> list[Found]:
    """Every question of the text, judged and typed."""
    data = question_data()
    rules = question_rules(ruleset, kind)
    extra_open = CHILD_OPEN if kind == "child_questions" else ()
    vocabulary = cue_vocabulary(ruleset.question_types, data.cue_words)
    out = []
    for start, end in split_questions(text):
        qtext = text[start:end]
        body = normalise(qtext, start, data, vocabulary)
        verdict = judge(body, rules, data, extra_open)
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        # a leading or why-question is not solution-focused, whatever its words ask about (primer §7)
        not_sf = verdict.rule is not None and verdict.rule.category in ("leading_question", "why_question")
        qtype = "other" if not_sf else classify(body.text, ruleset, span, data)
        if qtype == "other" and out and FOLLOW_UP.match(body.text):
            qtype = out[-1].type  # "What else?" asks for more of what the question before it asked
        out.append(Found(start, end, qtext, qtype, verdict.open, verdict.rule, verdict.start, verdict.end,
                         verdict.reason, verdict.invitation, body))
    return out
