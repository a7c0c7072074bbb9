"""Rule findings: lexicons, token patterns, regexes and the passive detector."""

from __future__ import annotations

import re
import threading

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from .analysis import Analysis
from .ruleset import KINDS, Rule, RuleSet

QUOTE_PAIRS = re.compile(r"“[^”]*”|\"[^\"\n]*\"|«[^»]*»|‘[^’\n]*’|(?<!\w)'[^'\n]{2,80}'(?!\w)")
LEXICAL_TYPES = ("lexicon", "pattern")
_cache: dict[tuple[int, int], tuple] = {}
_cache_lock = threading.Lock()


class Matchers:
    """spaCy matchers for every lexicon and pattern rule of a ruleset."""

    def __init__(self, nlp: Language, ruleset: RuleSet):
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        # Token patterns are the costly matcher (it tries every pattern at every token), so
        # each kind gets one holding only the rules that apply to that kind.
        self.tokens = {kind: Matcher(nlp.vocab) for kind in KINDS}
        self.rules: dict[str, Rule] = {}
        for rule in ruleset.rules:
            self.rules[rule.id] = rule
            if rule.type == "lexicon":
                attr = rule.opt("attr")
                if attr == "LEMMA":
                    pats = [[{"LEMMA": w} for w in term.lower().split()] for term in rule.opt("terms")]
                    self._add_tokens(rule, pats)
                else:
                    matcher = self.orth if attr == "ORTH" else self.lower
                    matcher.add(rule.id, [nlp.make_doc(t) for t in rule.opt("terms")])
            elif rule.type == "pattern":
                self._add_tokens(rule, rule.opt("patterns"))

    def _add_tokens(self, rule: Rule, patterns: list) -> None:
        """Add a rule's token patterns to the matcher of each kind it applies to."""
        for kind in rule.kinds:
            self.tokens[kind].add(rule.id, patterns, greedy="LONGEST")

    def matches(self, doc: Doc, kind: str) -> list[tuple[str, int, int]]:
        """(rule id, start token, end token) for every raw match of the rules that can apply to a kind."""
        strings = doc.vocab.strings
        out = []
        for matcher in (self.lower, self.orth, self.tokens[kind]):
            out.extend((strings[key], s, e) for key, s, e in matcher(doc))
        return out


def matchers_for(nlp: Language, ruleset: RuleSet) -> Matchers:
    """Build (once per pipeline and ruleset) the matchers."""
    key = (id(nlp), id(ruleset))
    hit = _cache.get(key)
    if hit is None:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is None:
                hit = (nlp, ruleset, Matchers(nlp, ruleset))  # hold refs so ids stay valid
                _cache[key] = hit
    return hit[2]


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges inside double quotes (someone's own words)."""
    return [(m.start(), m.end()) for m in QUOTE_PAIRS.finditer(text)]


def _initials(words: list[str]) -> str:
    """Upper-case initials of capitalised words ('Child and Family Team' -> 'CFT')."""
    return "".join(w[0] for w in words if w[:1].isupper())


def acronym_defined(text: str, acronym: str, expansions: tuple[str, ...]) -> bool:
    """True when the text spells the acronym out (listed expansion or 'Words (ACR)')."""
    lowered = text.lower()
    if any(re.search(r"\b" + re.escape(e.lower()) + r"\b", lowered) for e in expansions):
        return True
    base = acronym.rstrip("s") if acronym.endswith("s") and acronym[:-1].isupper() else acronym
    for m in re.finditer(r"\(\s*" + re.escape(base) + r"s?\s*\)", text):
        before = re.findall(r"[A-Za-z][\w-]*", text[max(0, m.start() - 120) : m.start()])
        for size in range(len(base), min(len(before), 2 * len(base) + 2) + 1):
            if _initials(before[-size:]).upper() == base.upper() and before[-size][:1].isupper():
                return True
    m = re.search(re.escape(base) + r"s?\s*\(([^)]{3,120})\)", text)
    return bool(m and _initials(re.findall(r"[A-Za-z][\w-]*", m.group(1))).upper() == base.upper())


CONDITION_MARKS = frozenset({"if", "when", "whenever", "once", "unless", "until"})


def _in_ranges(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    """True when [start, end) lies inside one of the ranges."""
    return any(a <= start and end <= b for a, b in ranges)


def _keep(rule: Rule, a: Analysis, s: int, e: int, quotes: list[tuple[int, int]]) -> bool:
    """Apply a rule's context filters to a token match."""
    doc, low = a.tokens, a.lower
    nxt = low[e] if e < len(doc) else ""
    prev = low[s - 1] if s > 0 else ""
    if nxt and nxt in rule.opt("unless_next", ()):
        return False
    if prev and prev in rule.opt("unless_prev", ()):
        return False
    if e < len(doc) and doc[e].pos_ in rule.opt("unless_next_pos", ()):
        return False
    span = a.doc[s:e]
    if quotes and _in_ranges(span.start_char, span.end_char, quotes):
        return False  # a parent's own words, quoted, are not the writer's label
    if any(a.person[k] is not None and a.role[k] != "observer" for k in range(s, e)):
        return False  # a roster name that happens to match ("Minor")
    first = doc[s]
    if (
        rule.opt("attr") != "ORTH"
        and first.text[:1].isupper()
        and not first.is_sent_start
        and first.pos_ == "PROPN"
        and not first.text.isupper()
        and e - s == 1
    ):
        return False  # a proper name, not the word
    if rule.opt("unless_reported") and _reported(a, s):
        return False  # the child's own feeling or words, or someone's name-calling reported
    if rule.opt("unless_in_context_clause") and any(k in a.context_tokens for k in range(s, e)):
        return False  # part of the "when/if/whenever ..." situation, not of the behaviour
    if rule.opt("unless_in_context_clause") and any(
        c.dep_ == "mark" and a.lower[c.i] in CONDITION_MARKS for c in doc[s].children
    ):
        return False  # the verb of an "if/when ..." clause ("wake an adult if she stops breathing")
    return True


def _subjects_up(a: Analysis, verb) -> list:
    """Subjects of a verb, or of the verb it hangs from ("Mei could ... come to believe she is worthless")."""
    node = verb
    for _ in range(3):
        subs = a.subjects(node)
        if subs or node.dep_ not in ("xcomp", "advcl", "conj") or node.head is node:
            return subs
        node = node.head
    return []


def _reported(a: Analysis, s: int) -> bool:
    """True when a word is what a child feels or says, or the words someone called another person."""
    node = a.tokens[s]
    for _ in range(4):
        head = node.head
        if head is node:
            return False
        if a.lemma_in(head, "speech_verbs"):
            if a.lemma[head.i] in ("call", "name") and node.dep_ in ("oprd", "xcomp", "ccomp", "acomp", "dobj", "attr"):
                return True
            if any(a.is_child(x) for x in _subjects_up(a, head)):
                return True
            if any(c.dep_ in ("dobj", "dative") and a.is_child(c) for c in head.children):
                return True  # "told Leilani she was worthless": the words said to the child
        node = head
    return False


def _mark(rule: Rule, a: Analysis, s: int, e: int) -> tuple[int, int]:
    """Shrink a match to the tokens a rule asks to mark."""
    marks = rule.opt("mark_tokens")
    if not marks:
        return s, e
    idx = [k for k in range(s, e) if a.lower[k] in marks]
    return (idx[0], idx[-1] + 1) if idx else (s, e)


def lexical_hits(a: Analysis, matchers: Matchers, kind: str) -> list[tuple[Rule, int, int]]:
    """Rule matches that survive the context filters, as (rule, start char, end char)."""
    text = a.text
    quotes = quoted_ranges(text) if any(q in text for q in ('"', "“", "«", "‘", "'")) else []
    out = []
    defined: dict[str, bool] = {}
    for rule_id, s, e in matchers.matches(a.doc, kind):
        rule = matchers.rules[rule_id]
        if kind not in rule.kinds or not _keep(rule, a, s, e, quotes):
            continue
        if rule.opt("acronym"):
            word = a.doc[s:e].text
            if word not in defined:
                exp = rule.opt("expansions", {}).get(word, ())
                defined[word] = acronym_defined(text, word, tuple(exp))
            if defined[word]:
                continue
        s, e = _mark(rule, a, s, e)
        span = a.doc[s:e]
        out.append((rule, span.start_char, span.end_char))
    return out


_tail_cache: dict[int, tuple] = {}
TAIL_WORD = re.compile(r"[^\W_][\w'’./-]*")


def _tail_words(text: str) -> list[str]:
    """The words of a term or text as the tail scan compares them (edge dots and dashes dropped)."""
    return [m.group(0).rstrip(".-/") or m.group(0) for m in TAIL_WORD.finditer(text)]


def _term_index(ruleset: RuleSet) -> dict[str, dict[str, list[tuple[tuple[str, ...], Rule, bool]]]]:
    """Per kind, first word -> (words, rule, exact case) for every lexicon rule's terms, longest first."""
    hit = _tail_cache.get(id(ruleset))
    if hit is not None and hit[0] is ruleset:
        return hit[1]
    index: dict[str, dict[str, list[tuple[tuple[str, ...], Rule, bool]]]] = {}
    for kind in KINDS:
        table: dict[str, list[tuple[tuple[str, ...], Rule, bool]]] = {}
        for rule in ruleset.rules:
            if rule.type != "lexicon" or kind not in rule.kinds:
                continue
            exact = rule.opt("attr") == "ORTH"
            for term in rule.opt("terms"):
                words = tuple(w if exact else w.lower() for w in _tail_words(term))
                if words:
                    table.setdefault(words[0] if exact else words[0].lower(), []).append((words, rule, exact))
        for entries in table.values():
            entries.sort(key=lambda e: -len(e[0]))
        index[kind] = table
    with _cache_lock:
        _tail_cache[id(ruleset)] = (ruleset, index)
    return index


def tail_hits(text: str, start: int, ruleset: RuleSet, kind: str) -> list[tuple[Rule, int, int]]:
    """Word-list matches in the unparsed tail of a long text (from character start): labels and jargon, outside quotes.

    The tail is split into words once and each word is looked up by its first word, so the
    work grows linearly with the tail.
    """
    quotes = quoted_ranges(text) if any(q in text for q in ('"', "“", "«", "‘")) else []
    table = _term_index(ruleset)[kind]
    spans = [
        (m.start(), m.start() + len(m.group(0).rstrip(".-/") or m.group(0))) for m in TAIL_WORD.finditer(text, start)
    ]
    words = [text[s:e] for s, e in spans]
    lowers = [w.lower() for w in words]
    out = []
    i = 0
    while i < len(words):
        step = 1
        for key in {words[i], lowers[i]}:
            for terms, rule, exact in table.get(key, ()):
                seq = words if exact else lowers
                if tuple(seq[i : i + len(terms)]) != terms:
                    continue
                s, e = spans[i][0], spans[i + len(terms) - 1][1]
                if quotes and _in_ranges(s, e, quotes):
                    continue
                expansions = tuple(rule.opt("expansions", {}).get(text[s:e], ()))
                if rule.opt("acronym") and acronym_defined(text, text[s:e], expansions):
                    continue
                out.append((rule, s, e))
                step = max(step, len(terms))
                break
        i += step
    return out


LONG_RUN = re.compile(r"\S{81,}")


def regex_text(text: str) -> str:
    """The text regex rules run on: unspaced runs over 80 characters blanked (same offsets).

    Identifiers are short; blanking very long runs keeps every regex's backtracking bounded
    by the run length, so the work grows linearly with the text.
    """
    return LONG_RUN.sub(lambda m: " " * len(m.group(0)), text) if LONG_RUN.search(text) else text


def regex_hits(rule: Rule, text: str) -> list[tuple[Rule, int, int]]:
    """Regex rule matches on the raw text (pass regex_text(text) for long inputs)."""
    out = []
    for rx in rule.opt("regexes"):
        for m in rx.finditer(text):
            start, end = m.start(), m.end()
            while end > start and text[end - 1] in " \t\n,;:":
                end -= 1
            if end > start:
                out.append((rule, start, end))
    return out


def _agent_later(a: Analysis, verb) -> bool:
    """True when a 'by <person>' follows the verb in its sentence (the parse may attach it elsewhere)."""
    sent_end = verb.sent.end
    for k in range(verb.i + 1, min(sent_end, verb.i + 12)):
        if a.lower[k] == "by":
            nxt = range(k + 1, min(sent_end, k + 5))
            if any(a.role[j] is not None for j in nxt):
                return True
    return False


def _names_actor(agent, not_agents: frozenset[str]) -> bool:
    """True when a 'by' phrase names who acted, not a place, a means or a thing ("by the road", "by ambulance")."""
    objects = [p for p in agent.children if p.dep_ == "pobj"]
    if not objects:
        return True
    obj = objects[0]
    if obj.lemma_.lower() in not_agents or obj.lower_ in not_agents:
        return False
    if obj.tag_ == "NN" and not any(c.dep_ in ("det", "poss", "amod", "compound", "nummod") for c in obj.children):
        return False  # a bare singular noun is a means: "by phone", "by accident" ("by adults" is not)
    return True


def passive_hits(rule: Rule, a: Analysis) -> list[tuple[Rule, int, int]]:
    """Agentless passives: 'was hit', 'were left', 'got hit' (not 'was hit by Marcus', not 'was not hurt')."""
    out = []
    skip = rule.opt("except_lemmas", frozenset())
    skip_aux = rule.opt("except_aux", frozenset())
    skip_get = rule.opt("except_get_lemmas", frozenset())
    not_agents = rule.opt("not_agents", frozenset())
    harms = rule.opt("negated_harms", frozenset())
    for tok in a.tokens:
        if tok.dep_ != "auxpass" or tok.lower_ in skip_aux:
            continue
        verb = tok.head
        if verb.lemma_.lower() in skip or verb.lower_ in skip or verb.tag_ not in ("VBN", "VBD"):
            continue
        if tok.lemma_.lower() == "get" and (verb.lemma_.lower() in skip_get or verb.lower_ in skip_get):
            continue  # "got scared", "got lost": a state, nobody hidden
        if verb.lower_.startswith("un"):
            continue  # "unsupervised" is an adjective, not a passive verb
        if any(c.dep_ == "neg" for c in verb.children) and (verb.lemma_.lower() in harms or verb.lower_ in harms):
            continue  # "was not hurt" says nothing happened: no actor is hidden
        if not verb.is_alpha or len(verb.text) < 3:
            continue  # "be re-detained" split at its hyphen: no participle to read
        if any(c.dep_ == "agent" and _names_actor(c, not_agents) for c in verb.children) or _agent_later(a, verb):
            continue
        lo, hi = min(tok.i, verb.i), max(tok.i, verb.i)
        span = a.doc[lo : hi + 1]
        out.append((rule, span.start_char, span.end_char))
    return out
