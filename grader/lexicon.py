"""Word lists as data (rules/lexicons.yaml), matched on a parsed doc with typo tolerance.

Each lexicon lists words and phrases, says whether a token's lemma may match, whether
one-letter typos of its longer cue words count, and carries examples that must and must
not match (tests/test_grader_lexicons.py runs them). The "grader_cues" pipeline component
marks every token with the lexicons it belongs to, once per doc.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Token

LEXICON_FILE = Path(__file__).parent / "rules" / "lexicons.yaml"
MATCH_MODES = ("lower", "lemma")
TYPO_MIN_LETTERS = 5
# wordfreq Zipf frequency at or above which a token is taken as a real English word, never a
# typo ("scold" is a word, 2.8; "brused" is not, 0; common slips like "grabed" score about 1).
ENGLISH_WORD_ZIPF = 2.5
PHRASE_JOINERS = ("-", "'", "’")


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Lexicon:
    """One word list."""

    name: str
    about: str
    words: frozenset[str]
    lemma: bool  # a token's lemma may match a single word
    typos: bool  # one-letter typos of words with 5+ letters match when the token is not an English word
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]

    def __contains__(self, word: str) -> bool:
        """True when a lower-case word (or phrase) is on the list."""
        return word in self.words


def _fail(path: Path, where: str, problem: str) -> LexiconError:
    """An error naming the file and the entry."""
    return LexiconError(f"{path.name}: {where}: {problem}")


def _strings(value: Any, path: Path, where: str) -> tuple[str, ...]:
    """A non-empty list of non-empty strings."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, "must be a non-empty list of strings")
    return tuple(value)


def load_lexicons(path: Path | str = LEXICON_FILE) -> dict[str, Lexicon]:
    """Read and validate every lexicon; each needs words and must/must-not examples."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path.name}: could not be read: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise LexiconError(f"{path.name}: must map lexicon names to entries")
    out = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise _fail(path, name, "must be a mapping with 'about', 'words' and 'examples'")
        if not isinstance(entry.get("about"), str) or not entry["about"].strip():
            raise _fail(path, name, "'about' must say what the list is for")
        match = entry.get("match", "lower")
        if match not in MATCH_MODES:
            raise _fail(path, name, f"'match' must be one of {', '.join(MATCH_MODES)}")
        examples = entry.get("examples")
        if not isinstance(examples, dict):
            raise _fail(path, name, "'examples' with 'match' and 'no_match' lists is required")
        words = frozenset(w.strip().lower() for w in _strings(entry.get("words"), path, f"{name}.words"))
        out[name] = Lexicon(
            name,
            entry["about"].strip(),
            words,
            match == "lemma",
            bool(entry.get("typos", False)),
            _strings(examples.get("match"), path, f"{name}.examples.match"),
            _strings(examples.get("no_match"), path, f"{name}.examples.no_match"),
        )
    return out


@lru_cache(maxsize=1)
def default_lexicons() -> dict[str, Lexicon]:
    """The packaged lexicons, loaded once."""
    return load_lexicons(LEXICON_FILE)


@lru_cache(maxsize=200_000)
def is_english_word(word: str, zipf: float = ENGLISH_WORD_ZIPF) -> bool:
    """True when wordfreq knows the word well enough that it is not a typo (or a rare name)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= zipf


def default_cue_index_words(word: str) -> bool:
    """True when a lower-case word is on a list, or one typo away from a cue word (so not a name)."""
    from .pipeline import load_pipeline

    index = cue_index(load_pipeline())
    return word in index.single_lower or bool(index.typo_names(word))


def _deletes(word: str) -> set[str]:
    """The word and every form of it with one letter removed."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


class CueIndex:
    """Every lexicon compiled for one tokenizer: single words, phrases and a typo index."""

    def __init__(self, lexicons: dict[str, Lexicon], make_doc: Any):
        self.lexicons = lexicons
        self.single_lower: dict[str, set[str]] = {}
        self.single_lemma: dict[str, set[str]] = {}
        self.phrases: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # first word -> (lexicon, words)
        self.lemma_phrases: set[str] = set()  # lexicons whose phrases also match inflected ("running away")
        self.typo_keys: dict[str, set[tuple[str, str]]] = {}  # deletion key -> {(lexicon, word)}
        self.longest = 0  # longest typo-tolerant word: a longer token is never one edit from any
        for lex in lexicons.values():
            for word in lex.words:
                parts = tuple(t.lower_ for t in make_doc(word) if not t.is_space)
                if len(parts) > 1 and " " not in word:
                    # "mr." or "y/o" may be one token in running text and several on their own
                    self.single_lower.setdefault(word, set()).add(lex.name)
                if len(parts) == 1:
                    self.single_lower.setdefault(parts[0], set()).add(lex.name)
                    if lex.lemma:
                        self.single_lemma.setdefault(parts[0], set()).add(lex.name)
                    if lex.typos and parts[0].isalpha() and len(parts[0]) >= TYPO_MIN_LETTERS:
                        self.longest = max(self.longest, len(parts[0]))
                        for key in _deletes(parts[0]):
                            self.typo_keys.setdefault(key, set()).add((lex.name, parts[0]))
                elif parts:
                    self.phrases.setdefault(parts[0], []).append((lex.name, parts))
                    if lex.lemma:
                        self.lemma_phrases.add(lex.name)
        for entries in self.phrases.values():
            entries.sort(key=lambda e: -len(e[1]))

    def typo_names(self, lower: str) -> set[str]:
        """Lexicons one of whose 5+ letter words is one edit from this unknown word."""
        if not TYPO_MIN_LETTERS <= len(lower) <= self.longest + 1 or not lower.isalpha() or lower in self.single_lower:
            return set()
        found = set()
        for key in _deletes(lower):
            for name, word in self.typo_keys.get(key, ()):
                if name not in found and within_one_edit(lower, word):
                    found.add(name)
        if found and is_english_word(lower):
            return set()
        return found

    def annotate(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        """Lexicon name -> token spans found in the doc (phrases first, then single words)."""
        tokens = list(doc)
        lower = [t.lower_ for t in tokens]
        spans: dict[str, list[tuple[int, int]]] = {}
        covered: dict[str, set[int]] = {}
        lemmas = [t.lemma_.lower() for t in tokens]
        for i, word in enumerate(lower):
            entries = self.phrases.get(word, [])
            if lemmas[i] != word and lemmas[i] in self.phrases:
                entries = entries + [e for e in self.phrases[lemmas[i]] if e[0] in self.lemma_phrases]
            for name, parts in entries:
                n = len(parts)
                if tuple(lower[i : i + n]) == parts or (
                    name in self.lemma_phrases and tuple(lemmas[i : i + n]) == parts
                ):
                    if not covered.get(name, set()) & {i}:
                        spans.setdefault(name, []).append((i, i + n))
                        covered.setdefault(name, set()).update(range(i, i + n))
        for i, tok in enumerate(tokens):
            names = set(self.single_lower.get(lower[i], ()))
            lemma = tok.lemma_.lower()
            if lemma != lower[i]:
                names |= self.single_lemma.get(lemma, set())
            if not names and self.typo_keys and not (tok.text[:1].isupper() and not tok.is_sent_start):
                names = self.typo_names(lower[i])
            for name in names:
                if i not in covered.get(name, ()):
                    spans.setdefault(name, []).append((i, i + 1))
        for found in spans.values():
            found.sort()
        return spans


_index_lock = threading.Lock()
_indexes: dict[int, tuple[Any, CueIndex]] = {}


def cue_index(nlp: Language, lexicons: dict[str, Lexicon] | None = None) -> CueIndex:
    """The CueIndex for a pipeline's tokenizer (built once per pipeline)."""
    lexicons = lexicons or default_lexicons()
    key = id(nlp) ^ id(lexicons)
    hit = _indexes.get(key)
    if hit is None:
        with _index_lock:
            hit = _indexes.get(key)
            if hit is None:
                hit = _indexes[key] = (nlp, CueIndex(lexicons, nlp.make_doc))
    return hit[1]


CUES_FACTORY = "grader_cues"
if not Doc.has_extension("cues"):
    Doc.set_extension("cues", default=None)
if not Token.has_extension("cues"):
    Token.set_extension("cues", getter=lambda t: t.doc._.cue_sets[t.i] if t.doc._.cue_sets else frozenset())
if not Doc.has_extension("cue_sets"):
    Doc.set_extension("cue_sets", default=None)


class CueTagger:
    """Pipeline component: doc._.cues maps each lexicon to its spans; token._.cues names a token's lexicons."""

    def __init__(self, nlp: Language, name: str = CUES_FACTORY):
        self.name = name
        self.index = cue_index(nlp)

    def __call__(self, doc: Doc) -> Doc:
        """Annotate one doc."""
        spans = self.index.annotate(doc)
        sets: list[set[str]] = [set() for _ in range(len(doc))]
        for name, found in spans.items():
            for s, e in found:
                for k in range(s, e):
                    sets[k].add(name)
        doc._.cues = spans
        doc._.cue_sets = [frozenset(s) for s in sets]
        return doc


@Language.factory(CUES_FACTORY)
def make_cue_tagger(nlp: Language, name: str) -> CueTagger:
    """spaCy factory for the cue tagger."""
    return CueTagger(nlp, name)


def lexicon_spans(nlp: Language, text: str, name: str) -> list[str]:
    """The words of a text that a lexicon matches (for example tables and debugging)."""
    doc = nlp(text) if CUES_FACTORY in nlp.pipe_names else CueTagger(nlp)(nlp(text))
    return [doc[s:e].text for s, e in (doc._.cues or {}).get(name, [])]
