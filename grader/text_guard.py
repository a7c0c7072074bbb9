"""Keep the work of one grade bounded, whatever the input: no long unspaced runs, a parse budget.

spaCy's tokenizer slows down sharply on long runs without spaces (5,000 characters of
punctuation or emoji took seconds), so a run longer than MAX_TOKEN_CHARS is cut into pieces
of that size before the tokenizer sees it; every other run goes through the tokenizer as
usual. The Doc keeps the text exactly (doc.text == text), so every offset stays valid.
The neural pipes then see at most PARSE_TOKEN_BUDGET tokens: a statement is a few
sentences, and a text far beyond that is checked in full for wording only, with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

MAX_TOKEN_CHARS = 40
PARSE_TOKEN_BUDGET = 500
HEAD_CHARS = 3000  # at most this much is truecased and tokenized; a statement is a few hundred
QUESTION_HEAD_CHARS = 2000  # questions cost more per character; ten long questions still fit
LONG_RUN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")
PIECES = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Prepared:
    """A text ready to parse: the head the pipeline parses, and where the unparsed tail starts."""

    head: Doc  # the first part of the text (all of it when short), tokenized from a truecased copy
    tail_start: int | None  # character where the unparsed tail begins; None when the head is the whole text
    tokenizer_chars: int  # characters handed to spaCy's tokenizer (the mechanism tests count them)


def make_doc(nlp: Language, text: str) -> tuple[Doc, int]:
    """Tokenize with long unspaced runs cut into pieces; returns the Doc and the characters tokenized."""
    if not LONG_RUN.search(text):
        return nlp.make_doc(text), len(text)
    words: list[str] = []
    spaces: list[bool] = []
    tokenized = 0
    for match in PIECES.finditer(text):
        piece = match.group()
        if piece.isspace():
            if words and not spaces[-1] and piece[0] == " ":
                spaces[-1] = True  # one space after a token belongs to it, as in spaCy
                piece = piece[1:]
            if piece:
                words.append(piece)
                spaces.append(False)
        elif len(piece) > MAX_TOKEN_CHARS:
            for i in range(0, len(piece), MAX_TOKEN_CHARS):
                words.append(piece[i : i + MAX_TOKEN_CHARS])
                spaces.append(False)
        else:
            tokenized += len(piece)
            for tok in nlp.tokenizer(piece):
                words.append(tok.text)
                spaces.append(bool(tok.whitespace_))
    return Doc(nlp.vocab, words=words, spaces=spaces), tokenized


WORD = re.compile(r"[A-Za-z][a-z'’]*")
SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)([a-z])")
AGE_AFTER = re.compile(r"\s*(?:\(\s*(?:age\s*)?\d|,\s*\d{1,2}\s*(?:,|\)|yo\b|y/o|years?|months?|mos?\b))")
MAX_NAME_CHARS = 24
NAME_ZIPF = 2.3  # below this, a lower-case word that is on no word list is taken as a name in lower-case writing
ACT_NAME_ZIPF = 4.2  # next to an act, a word this rare that is on no list is a name (common nouns there take "the")
TITLES = {"mr", "ms", "mrs", "dr"}
DAYS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Every word the grader's lists know (never a name)."""
    from .detectors.relevance import default_danger_types
    from .lexicon import default_lexicons

    words = {w for lex in default_lexicons().values() for phrase in lex.words for w in phrase.split()}
    table = default_danger_types()
    for dtype in table.types.values():
        words.update(w for cue in dtype.danger_cues + dtype.action_cues for w in cue)
    from .ruleset import default_ruleset

    for rule in default_ruleset().rules:
        words.update(w.lower() for term in rule.opt("terms", ()) for w in term.split())
    return frozenset(words)


def truecase(text: str) -> str:
    """The text with the capitals a careful writer would use, for the parser only (same length, same offsets).

    Learners often type in lower case ("deshawn grabbed tavi"); the parser then reads names
    as common nouns. Capitalised here: sentence starts, "i", a title, a day or month in
    lower-case writing, a word right before an age ("filip (9)"), a word the text also
    capitalises elsewhere, and, in writing with no capitalised names at all, rare words on
    no word list. Only case changes, so every character offset stays the same.
    """
    from .lexicon import default_cue_index_words, is_english_word

    words = list(WORD.finditer(text))
    if not words:
        return text
    chars = list(text)
    capitalised = {
        m.group(0).lower()
        for m in words[1:]
        if m.group(0)[0].isupper() and not m.group(0).isupper() and not _sentence_start(text, m.start())
    }  # acronyms ("ER", "CPS") say nothing about how a writer treats names
    lower_style = not (capitalised - {"i"} - TITLES)
    known = _known_words()
    acts = _act_forms()
    names = set()
    for index, m in enumerate(words):
        word = m.group(0)
        low = word.lower()
        if not word.islower() or low in known or not 3 <= len(low) <= MAX_NAME_CHARS:
            continue
        if low in capitalised or AGE_AFTER.match(text, m.end()):
            names.add(low)
        elif (
            lower_style
            and word.isalpha()
            and (_beside_an_act(words, index, acts) or _opens_a_clause(text, words, index))
            and not is_english_word(low, ACT_NAME_ZIPF)
        ):
            names.add(low)  # "shonda hit malik", "hector didnt refill": the doer and the one acted on
        elif (
            lower_style and word.isalpha() and not is_english_word(low, NAME_ZIPF) and not default_cue_index_words(low)
        ):
            names.add(low)
    for m in words:
        low = m.group(0).lower()
        if m.group(0).islower() and (low in names or low == "i" or low in TITLES or (lower_style and low in DAYS)):
            chars[m.start()] = chars[m.start()].upper()
    for m in SENTENCE_START.finditer(text):
        chars[m.start(1)] = chars[m.start(1)].upper()
    return "".join(chars)


@lru_cache(maxsize=1)
def _act_forms() -> frozenset[str]:
    """Written forms of common acts on a person (rules/lexicons.yaml: act_forms)."""
    from .lexicon import default_lexicons

    return default_lexicons()["act_forms"].words


def _beside_an_act(words: list, index: int, acts: frozenset[str]) -> bool:
    """True when a word comes right before or right after a written act ("shonda hit", "hit malik")."""
    before = words[index - 1].group(0).lower() if index > 0 else ""
    after = words[index + 1].group(0).lower() if index < len(words) - 1 else ""
    return before in acts or after in acts


CLAUSE_OPENERS = frozenset(
    {
        "did",
        "didnt",
        "didn't",
        "does",
        "doesnt",
        "doesn't",
        "was",
        "is",
        "has",
        "had",
        "will",
        "would",
        "may",
        "might",
        "could",
        "can",
        "cant",
        "can't",
        "wont",
        "won't",
        "never",
        "always",
        "also",
        "then",
        "just",
        "keeps",
        "kept",
        "got",
        "gets",
        "went",
        "came",
        "said",
        "says",
        "told",
        "tells",
    }
)


def _opens_a_clause(text: str, words: list, index: int) -> bool:
    """True for a word that starts a clause and is followed by an auxiliary or a saying verb ("hector didnt ...")."""
    after = words[index + 1].group(0).lower() if index < len(words) - 1 else ""
    if after not in CLAUSE_OPENERS:
        return False
    before = words[index - 1].group(0).lower() if index > 0 else ""
    return _sentence_start(text, words[index].start()) or before in ("weeks", "days", "months", "night", "and", "but")


def _sentence_start(text: str, pos: int) -> bool:
    """True when a word at pos starts the text or a sentence (looking back over a little whitespace)."""
    k = pos - 1
    while k >= 0 and text[k] in " \t" and pos - k < 40:
        k -= 1
    return k < 0 or text[k] in ".!?\n:"


def _cut(doc: Doc, budget: int) -> int:
    """Where to stop parsing: after the last sentence end within the budget, else at the budget."""
    for i in range(budget - 1, budget // 2, -1):
        if doc[i].text in (".", "!", "?", "\n") or doc[i].text.endswith("\n"):
            return i + 1
    return budget


def _head_chars(text: str, limit: int) -> int:
    """How much of a text to tokenize: all of it, or up to a sentence end near the limit."""
    if len(text) <= limit:
        return len(text)
    for i in range(limit, limit // 2, -1):
        if text[i - 1] in ".!?\n" and (i == len(text) or text[i].isspace()):
            return i
    return limit


def prepare(nlp: Language, text: str, budget: int = PARSE_TOKEN_BUDGET, head_chars: int = HEAD_CHARS) -> Prepared:
    """The doc to parse (at most budget tokens, from at most HEAD_CHARS characters) and where the rest starts.

    Only the head is truecased and tokenized, so the work before the parser is bounded by
    HEAD_CHARS whatever the length of the text; the tail is checked by linear word scans.
    """
    end = _head_chars(text, head_chars)
    doc, tokenized = make_doc(nlp, truecase(text[:end]))
    if len(doc) > budget:
        cut = _cut(doc, budget)
        doc = doc[:cut].as_doc()
        end = len(doc.text)
    return Prepared(doc, end if end < len(text) else None, tokenized)
