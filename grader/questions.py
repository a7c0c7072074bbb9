"""Split an sf_question text into questions, and classify each one."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .ruleset import Rule, RuleSet

QUESTION = re.compile(r"[^?\n]*\?+")
REQUEST_LINE = re.compile(r"^\s*(?:tell me|describe|walk me|help me understand|talk to me|say more)\b[^\n]*", re.I)
LEAD_IN = re.compile(r"^[\s\-*•·>\d.)]*")
OPENERS = re.compile(
    r"^(?:(?:so|and|okay|ok|well|now|also|then|but|alright|right|hi|hey|and so|one more thing)\b[\s,]*"
    r"|(?:(?:mr|ms|mrs|dr|aunt|uncle|grandma|grandpa)\.?\s+)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s*,\s*)",
)


@dataclass(frozen=True)
class Found:
    """One question: where it is, its body for matching, and its verdicts."""

    start: int
    end: int
    text: str
    type: str
    open: bool
    rule: Rule | None


def split_questions(text: str) -> list[tuple[int, int]]:
    """Character spans of each question (ends with '?', or a 'Tell me ...' line)."""
    spans = []
    covered = []
    for m in QUESTION.finditer(text):
        start, end = m.start(), m.end()
        start += len(LEAD_IN.match(text[start:end]).group(0))
        if start < end and text[start:end].strip("? "):
            spans.append((start, end))
            covered.append((m.start(), m.end()))
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        if "?" not in line:
            m = REQUEST_LINE.match(line)
            if m and not any(a <= line_start < b for a, b in covered):
                s = line_start + len(line) - len(line.lstrip())
                e = line_start + len(line.rstrip())
                spans.append((s, e))
        line_start = line_end + 1
    return sorted(spans)


FUNCTION_STARTS = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would",
                   "should", "have", "has", "had", "may", "might", "what", "how", "who", "when", "where",
                   "which", "why", "tell", "if", "suppose", "imagine", "on", "with", "in"}


def _body(text: str) -> str:
    """Lower-case question text without openers like 'So,' or a name."""
    body = text.replace("’", "'").replace("‘", "'").strip()
    for _ in range(3):
        m = OPENERS.match(body)
        if not m or not m.group(0):
            break
        first = m.group(0).split()[0].strip(",").lower()
        if first in FUNCTION_STARTS:
            break  # "Is Jayden, ..." is the question itself, not a name said first
        body = body[m.end():]
    return body.lower().strip()


def _starts(body: str, phrases: tuple[str, ...]) -> bool:
    """True when the body starts with one of the phrases (on a word boundary)."""
    for p in phrases:
        if body.startswith(p) and (len(body) == len(p) or not body[len(p)].isalnum() or not p[-1].isalnum()):
            return True
    return False


@lru_cache(maxsize=4096)
def _cue_regex(cue: str) -> re.Pattern:
    """Compile a cue: 're:...' is a regex, anything else a phrase on word boundaries."""
    if cue.startswith("re:"):
        return re.compile(cue[3:])
    return re.compile(r"(?<![\w])" + re.escape(cue) + r"(?![\w])")


def _has_word(body: str, phrase: str) -> bool:
    """True when a cue occurs in the body."""
    return _cue_regex(phrase).search(body) is not None


@lru_cache(maxsize=256)
def _any_cue_regex(cues: tuple[str, ...]) -> re.Pattern:
    """Compile all of a type's cues into one alternation, so each type costs one search.

    The phrases share one pair of word-boundary checks; giving each phrase its own made the
    engine re-check the boundary for every phrase at every position.
    """
    phrases = sorted({re.escape(c) for c in cues if not c.startswith("re:")}, key=len, reverse=True)
    parts = [r"(?<![\w])(?:" + "|".join(phrases) + r")(?![\w])"] if phrases else []
    parts += [f"(?:{c[3:]})" for c in cues if c.startswith("re:")]
    return re.compile("|".join(parts))


def classify(body: str, ruleset: RuleSet) -> str:
    """The question type: the first type (in rule-file order) with a cue in the body."""
    for qtype, cues in ruleset.question_types:
        if cues and _any_cue_regex(tuple(cues)).search(body):
            return qtype
    return "other"


def judge(body: str, rules: dict[str, Rule]) -> Rule | None:
    """The error rule a question breaks (why, leading or closed), or None."""
    why, leading, closed = rules.get("why_question"), rules.get("leading_question"), rules.get("closed_question")
    if why and _starts(body, why.opt("starts")):
        return why
    if leading and (_starts(body, leading.opt("starts")) or any(body.endswith(t) for t in leading.opt("ends"))):
        return leading
    if closed and _starts(body, closed.opt("starts")) and not _starts(body, closed.opt("open_requests")):
        return closed
    if why and any(_has_word(body, c) for c in why.opt("contains")):
        return why
    return None


def find_questions(text: str, ruleset: RuleSet) -> list[Found]:
    """Every question of the text, classified and judged."""
    rules = {r.category: r for r in ruleset.rules if r.type == "question"}
    out = []
    for start, end in split_questions(text):
        qtext = text[start:end]
        body = _body(qtext)
        rule = judge(body, rules)
        is_open = rule is None or rule.category == "why_question"
        out.append(Found(start, end, qtext, classify(body, ruleset), is_open, rule))
    return out
