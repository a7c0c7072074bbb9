"""The child_questions kind: a planned Three Houses or Safety House conversation with a child.

Every question is first judged like a solution-focused question (open, no "why", nothing
leading; grader/questions.py). This module adds what a child needs: one idea a question,
nothing suggestive, and words and a reading level for the child's age (an adolescent,
14 and older, gets the openness rules without the word limits). It also finds the plan's
parts: the opening, the questions for each house, and how the houses will be shared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc

from ..lexicon import is_english_word
from ..metrics import syllables
from ..questions import CHILD_OPEN, Found as Question, question_data, split_questions
from ..ruleset import Rule, RuleFileError, RuleSet
from .common import Context, Found

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "child_questions.yaml"
WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


@dataclass(frozen=True)
class WordLimit:
    """The words a child up to max_age knows: at least this common, at most this many syllables."""

    max_age: int
    min_zipf: float
    max_syllables: int


@dataclass(frozen=True)
class ChildForms:
    """The forms of child_questions.yaml: house parts, opening and sharing cues, age limits."""

    three_houses: dict[str, tuple[re.Pattern, ...]]
    safety_house: dict[str, tuple[re.Pattern, ...]]
    opening: tuple[re.Pattern, ...]
    sharing: tuple[re.Pattern, ...]
    word_limits: tuple[WordLimit, ...]
    adolescent_age: int
    default_age: int
    known_words: frozenset[str]
    grade_offset: int
    grade_floor: int
    grade_min_words: int


def _phrases(value: Any, where: str) -> tuple[re.Pattern, ...]:
    """Compile a list of lower-case phrases (regular expressions) matched on word boundaries."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleFileError(f"{RULES_FILE.name}: forms.{where}: must be a non-empty list of phrases")
    try:
        return tuple(re.compile(r"(?<![\w])" + v + r"(?![\w])") for v in value)
    except re.error as exc:
        raise RuleFileError(f"{RULES_FILE.name}: forms.{where}: bad phrase: {exc}") from exc


def load_forms(path: Path = RULES_FILE) -> ChildForms:
    """Read and validate the forms section of child_questions.yaml."""
    forms = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("forms") or {}
    try:
        limits = tuple(WordLimit(int(x["max_age"]), float(x["min_zipf"]), int(x["max_syllables"]))
                       for x in forms["word_limits"])
        ceiling = forms["grade_ceiling"]
        return ChildForms(
            three_houses={k: _phrases(v, f"three_houses.{k}") for k, v in forms["three_houses"].items()},
            safety_house={k: _phrases(v, f"safety_house.{k}") for k, v in forms["safety_house"].items()},
            opening=_phrases(forms["opening"], "opening"),
            sharing=_phrases(forms["sharing"], "sharing"),
            word_limits=tuple(sorted(limits, key=lambda w: w.max_age)),
            adolescent_age=int(forms["adolescent_age"]),
            default_age=int(forms["default_age"]),
            known_words=frozenset(w.lower() for w in forms["known_words"]),
            grade_offset=int(ceiling["offset"]), grade_floor=int(ceiling["floor"]),
            grade_min_words=int(ceiling["min_words"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(f"{path.name}: forms: missing or malformed entry: {exc}") from exc


@lru_cache(maxsize=1)
def child_forms() -> ChildForms:
    """The packaged forms, loaded once."""
    return load_forms()


def word_limit(age: int | None, forms: ChildForms) -> WordLimit | None:
    """The word limit for a child's age; None for an adolescent or an unknown age."""
    if age is None or age >= forms.adolescent_age:
        return None
    for limit in forms.word_limits:
        if age <= limit.max_age:
            return limit
    return None


def grade_ceiling(age: int, forms: ChildForms) -> int:
    """The highest reading grade for a child's questions: age minus the offset, at least the floor."""
    return max(forms.grade_floor, age - forms.grade_offset)


def _grade(words: list[str]) -> float:
    """Flesch-Kincaid grade of one question (the grader's own measure, grader/metrics.py)."""
    syl = sum(syllables(w) for w in words)
    return round(max(0.0, 0.39 * len(words) + 11.8 * syl / len(words) - 15.59), 1)


def hard_words(qtext: str, start: int, limit: WordLimit, forms: ChildForms,
               names: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of words beyond a child's limit: too long, or too rare in English."""
    out = []
    for m in WORD.finditer(qtext):
        word = m.group(0)
        low = word.lower()
        if low in forms.known_words or low in names or (word[:1].isupper() and m.start() > 0):
            continue  # a name is the child's own word
        syl = syllables(low)
        if len(low) < 5 or (syl <= limit.max_syllables and (syl < 2 or _common(low, limit.min_zipf))):
            continue
        out.append((start + m.start(), start + m.end()))
    return out


def _common(word: str, min_zipf: float) -> bool:
    """True when a word is at least as common as a child's limit asks (wordfreq's zipf scale)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a declared dependency
        return is_english_word(word)
    return zipf_frequency(word, "en") >= min_zipf


def _find(patterns: tuple[re.Pattern, ...], text: str) -> re.Match | None:
    """The first match of any pattern."""
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None


def components(text: str, questions: list[tuple[int, int]], forms: ChildForms) -> dict[str, list[tuple[int, int]]]:
    """Character spans showing the opening, the houses and the sharing of a plan (questions: their spans)."""
    low = text.lower().replace("’", "'")
    out: dict[str, list[tuple[int, int]]] = {"opening": [], "houses": [], "sharing": []}
    first_q = questions[0][0] if questions else len(text)
    for p in forms.opening:
        m = p.search(low)  # said before the first question, or as a line of its own
        if m and (m.start() < first_q or _statement_at(m.start(), questions)):
            out["opening"].append((m.start(), m.end()))
            break
    three = {part: _find(pats, low) for part, pats in forms.three_houses.items()}
    safety = {part: _find(pats, low) for part, pats in forms.safety_house.items()}
    if all(three.values()):
        out["houses"] = [(m.start(), m.end()) for m in three.values() if m]
    elif sum(1 for m in safety.values() if m) >= 3:
        out["houses"] = [(m.start(), m.end()) for m in safety.values() if m]
    share = _find(forms.sharing, low)
    near = low[max(0, share.start() - 60):share.end() + 60] if share else ""
    if share and re.search(r"\b(?:show|share|tell|read|talk|explain)\b", near):
        out["sharing"].append((share.start(), share.end()))
    return out


def _statement_at(pos: int, questions: list[tuple[int, int]]) -> bool:
    """True when a character is outside every question (a line the worker says, not asks)."""
    return not any(s <= pos < e for s, e in questions)


def _token_spans(doc: Doc, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges of character ranges (expanded to whole tokens)."""
    out = []
    for s, e in spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None and len(span):
            out.append((span.start, span.end))
    return out


@dataclass(frozen=True)
class ChildHit:
    """One finding of the child checks: the rule, the character range and the message values."""

    rule: Rule
    start: int
    end: int
    values: tuple[tuple[str, Any], ...] = ()


def check(text: str, found: list[Question], ruleset: RuleSet, child_age: int | None,
          names: frozenset[str] = frozenset()) -> list[ChildHit]:
    """The child findings of every question (one idea, words and reading level for the child's age)."""
    forms = child_forms()
    lex = question_data().lexicons
    if child_age is None:
        child_age = forms.default_age
    rules = {r.id: r for r in ruleset.rules}
    double, words, level = (rules.get(i) for i in ("child.double", "child.words", "child.reading_level"))
    limit = word_limit(child_age, forms)
    age = {"age": child_age}
    hits: list[ChildHit] = []
    for q in found:
        body = q.body
        if body is None or any(lex[i].search(body.text) for i in CHILD_OPEN):
            continue
        if double and q.rule is None:
            m = lex["double"].search(body.text)
            if m:
                hits.append(ChildHit(double, q.start, q.end))
        if words and child_age < forms.adolescent_age:
            for m in lex["adult_words"].patterns[0].finditer(body.text):
                s, e = body.span(m.start(), m.end())
                hits.append(ChildHit(words, s, e, tuple(age.items())))
        if limit is not None and words:
            marked = {(h.start, h.end) for h in hits}
            for s, e in hard_words(q.text, q.start, limit, forms, names):
                if not any(ms <= s < me for ms, me in marked):
                    hits.append(ChildHit(words, s, e, tuple(age.items())))
        if limit is not None and level:
            qwords = [w for w in WORD.findall(q.text)]
            ceiling = grade_ceiling(child_age, forms)
            if len(qwords) >= forms.grade_min_words and _grade(qwords) > ceiling:
                hits.append(ChildHit(level, q.start, q.end, (("grade", _grade(qwords)), ("ceiling", ceiling),
                                                             ("age", child_age))))
    return hits


@lru_cache(maxsize=64)
def _char_parts(text: str) -> dict[str, list[tuple[int, int]]]:
    """The plan's parts as character ranges (cached: the three detectors ask for the same text)."""
    return components(text, split_questions(text), child_forms())


def _parts(ctx: Context) -> dict[str, list[tuple[int, int]]]:
    """The plan's parts as token ranges."""
    return {k: _token_spans(ctx.a.doc, v) for k, v in _char_parts(ctx.a.text).items()}


def detect_opening(ctx: Context) -> Found:
    """The opening: who the worker is, what they will do together, no wrong answers."""
    return Found(spans=_parts(ctx)["opening"])


def detect_houses(ctx: Context) -> Found:
    """Questions for every house: worries, good things, dreams (or three Safety House parts)."""
    return Found(spans=_parts(ctx)["houses"])


def detect_sharing(ctx: Context) -> Found:
    """How the houses will be shared with the parents."""
    return Found(spans=_parts(ctx)["sharing"])
