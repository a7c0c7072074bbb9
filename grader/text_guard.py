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
    lower-case writing, a word right before an age ("filip (9)", "hope (8)"), a word that owns
    a parent or a belonging ("sky's teacher"), a word after a kin title ("grandma pearl") and
    the title itself, a word the text also capitalises elsewhere, and, in writing with no
    capitalised names at all, rare words on no word list. A modal that is used as a name
    ("Will gets frustrated", "will came home") is given a stand-in name the parser knows.
    Only letters change, never the length, so every character offset stays the same.
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
    people = _people_words()
    acts = _act_forms()
    names = set()
    for index, m in enumerate(words):
        word = m.group(0)
        low = word.lower()
        if low.endswith(("'s", "’s")):
            low = low[:-2]  # "destiny's phone": the owner's name
        if not word.islower() or not 3 <= len(low) <= MAX_NAME_CHARS or low in people or low in STOP_WORDS:
            continue
        if AGE_AFTER.match(text, m.end()) or _owns_a_parent(text, m) or _after_title(words, index, text):
            names.add(low)  # "hope (8)", "sky's teacher", "grandma pearl": names even when they are words
            continue
        if low in known:
            continue
        if low in capitalised:
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
    for index, m in enumerate(words):
        low = re.sub(r"['’]s$", "", m.group(0).lower())
        if m.group(0).islower() and (low in names or low == "i" or low in TITLES or (lower_style and low in DAYS)):
            chars[m.start()] = chars[m.start()].upper()
        elif (
            m.group(0).islower()
            and low in KIN_TITLES
            and index + 1 < len(words)
            and _kin_title(text, m)
            and not _owned(words, index)
        ):
            nxt = words[index + 1]
            if text[m.end() : nxt.start()] == " " and (nxt.group(0)[:1].isupper() or nxt.group(0).lower() in names):
                chars[m.start()] = chars[m.start()].upper()  # "grandpa Ray": the title of a name
                if low == "pop" and text[max(0, m.start() - 4) : m.start()].lower() == "pop-":
                    chars[m.start() - 4] = chars[m.start() - 4].upper()  # "Pop-Pop Walter"
    for m in SENTENCE_START.finditer(text):
        chars[m.start(1)] = chars[m.start(1)].upper()
    for index, m in enumerate(words):
        stand_in = MODAL_NAMES.get(re.sub(r"['’]s$", "", m.group(0).lower()))
        if stand_in and _modal_as_name(text, words, index):
            chars[m.start() : m.start() + len(stand_in)] = list(stand_in)
    return "".join(chars)


# A modal that is someone's name ("Will", "May") is tagged a modal by the parser wherever it
# stands; the parser's copy gets a name of the same length instead (the report quotes the
# learner's own characters, and roles are read from them).
MODAL_NAMES = {"will": "Walt", "may": "Mae"}
FINITE_AFTER = frozenset(
    {"was", "is", "has", "had", "did", "didnt", "didn't", "does", "doesnt", "doesn't", "won't", "wont", "can't", "cant",
     "will", "would", "may", "might", "could", "can", "should", "and", "or", "&", "'s", "’s"}
)
SUFFIX_FINITE = re.compile(r"^[a-z]{2,}(?:ed|[^s'u]s)$")
BASE_ENDINGS = ("eed", "ss", "us", "is")


def _modal_as_name(text: str, words: list, index: int) -> bool:
    """True when 'will'/'may' cannot be a modal where it stands: a finite verb, 'and', an age or a modal follows."""
    m = words[index]
    word = m.group(0)
    if word.lower().endswith(("'s", "’s")):
        return True  # "Will's": a name's possessive (the stand-in replaces the name, not the 's)
    after = text[m.end() : m.end() + 3]
    if word[:1].isupper() and not _sentence_start(text, m.start()) and after[:1] in ("(", ",") and word != "May":
        return True  # "Will (24)", "Will, Ezra's dad"
    if index + 1 >= len(words) or text[m.end() : words[index + 1].start()].strip():
        return False
    nxt = words[index + 1].group(0).lower()
    if nxt in FINITE_AFTER:
        return True
    irregular = _irregular_finite()
    return nxt in irregular or (bool(SUFFIX_FINITE.match(nxt)) and not nxt.endswith(BASE_ENDINGS))


@lru_cache(maxsize=1)
def _irregular_finite() -> frozenset[str]:
    """Irregular past forms of common acts ("came", "threw", "took"), which never follow a modal."""
    return frozenset(
        {"came", "went", "got", "took", "threw", "left", "shook", "bit", "fed", "forgot", "drove", "gave", "knew",
         "saw", "found", "made", "brought", "bought", "sent", "ran", "felt", "kept", "held", "slept", "woke", "wrote",
         "spoke", "heard", "thought", "fell", "drank", "said", "told", "gets", "keeps", "says", "tells"}
    )


STOP_WORDS = frozenset(
    {"the", "and", "but", "for", "she", "her", "his", "him", "they", "them", "their", "who", "whom", "that", "this",
     "with", "was", "were", "are", "has", "had", "have", "not", "you", "your", "our", "out", "off", "all", "any",
     "can", "one", "two", "too", "also", "then", "when", "what", "where", "while", "from", "into", "onto", "over",
     "she's", "he's", "its", "it's", "been", "being", "just", "very", "came", "said", "told", "took", "went", "got",
     "does", "did", "didnt", "doesnt", "will", "would", "could", "should", "may", "might", "must", "who's", "says"}
)
KIN_TITLES = frozenset(
    {"grandma", "grandpa", "grandmother", "grandfather", "granny", "gran", "grandad", "granddad", "nana", "papa",
     "pop-pop", "pop", "abuela", "abuelo", "aunt", "auntie", "uncle", "tia", "tio", "cousin", "great-grandma",
     "great-grandpa", "godmother", "godfather"}
)


@lru_cache(maxsize=1)
def _people_words() -> frozenset[str]:
    """Kin, role, child and rule words, which are never names themselves ("son (7)", "the victim (9)")."""
    from .lexicon import default_lexicons

    lex = default_lexicons()
    out: set[str] = set()
    for name in ("child_nouns", "caregiver_nouns", "sibling_nouns", "observer_nouns", "adult_titles",
                 "child_appositives", "number_words", "time_words", "months"):
        out.update(w for phrase in lex[name].words for w in phrase.split())
    return frozenset(out | rule_words())  # "the victim (9)": a system word, not a name


@lru_cache(maxsize=1)
def rule_words() -> frozenset[str]:
    """Every word of the rules' term lists (labels, jargon, judgements)."""
    from .ruleset import default_ruleset

    rules = default_ruleset().rules
    return frozenset(w.lower() for rule in rules for term in rule.opt("terms", ()) for w in term.split())


@lru_cache(maxsize=1)
def _owned_by_people() -> frozenset[str]:
    """What only a person owns: a parent, kin, a teacher, a belonging ("sky's teacher", "destiny's phone")."""
    from .lexicon import default_lexicons

    lex = default_lexicons()
    out = {w for name in ("parent_nouns", "caregiver_nouns", "owned_effects") for w in lex[name].words}
    return frozenset(out | {"phone", "cell", "car", "room", "bedroom", "friend", "friends", "boyfriend", "girlfriend",
                            "sister", "brother", "aunt", "uncle", "grandma", "grandmother", "grandpa", "grandfather"})


def _owns_a_parent(text: str, word: re.Match) -> bool:
    """True when a word ends in 's before one of the things only a person has ("sky's teacher")."""
    if not word.group(0).lower().endswith(("'s", "’s")):
        return False
    m = re.match(r"\s+([a-z]+)", text[word.end() : word.end() + 30])
    return bool(m) and m.group(1) in _owned_by_people()


def _after_title(words: list, index: int, text: str) -> bool:
    """True for a word right after a lower-case kin title that is no verb form ("grandma pearl", "pop-pop walter")."""
    if index == 0:
        return False
    prev = words[index - 1]
    title = prev.group(0).lower()
    if title == "pop" and index >= 2 and words[index - 2].group(0).lower() == "pop":
        title = "pop-pop"
    if title not in KIN_TITLES or not _kin_title(text, prev) or text[prev.end() : words[index].start()] != " ":
        return False
    if _owned(words, index - 1) and not words[index].group(0)[:1].isupper():
        return False  # "her aunt said": an owned kin word is a noun, and what follows it may be anything
    low = words[index].group(0).lower()
    return low.isalpha() and not _verb_form(low)


OWNERS = frozenset({"her", "his", "their", "my", "our", "your", "the", "a", "an"})


def _owned(words: list, index: int) -> bool:
    """True when a kin word follows an owner or article ("Tia's grandmother Mercy"): a noun there, not a title."""
    if index == 0:
        return False
    prev = words[index - 1].group(0).lower()
    return prev in OWNERS or prev.endswith(("'s", "’s"))


def _kin_title(text: str, word: re.Match) -> bool:
    """True when a kin word stands as a title ("pop" only as the second half of "pop-pop")."""
    return word.group(0).lower() != "pop" or text[max(0, word.start() - 4) : word.start()].lower() == "pop-"


def _verb_form(word: str) -> bool:
    """True when a lower-case word is a verb form ("took", "keeps", "called"): never a name after a title."""
    if word.endswith(("ed", "ing")) or word in _irregular_finite() or word in _act_forms():
        return True
    from .pipeline import load_pipeline

    tables = _verb_tables(id(load_pipeline()))
    return word in tables[0] or (word.endswith("s") and word[:-1] in tables[1])


@lru_cache(maxsize=2)
def _verb_tables(_key: int) -> tuple[frozenset[str], frozenset[str]]:
    """Irregular verb forms and base verbs from the pipeline's own lemmatizer tables (empty without them)."""
    from .pipeline import load_pipeline

    nlp = load_pipeline()
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset(), frozenset()
    lookups = nlp.get_pipe("lemmatizer").lookups
    try:
        exc = lookups.get_table("lemma_exc")["verb"]
        index = lookups.get_table("lemma_index")["verb"]
    except (KeyError, AttributeError):
        return frozenset(), frozenset()
    return frozenset(exc), frozenset(index)


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
