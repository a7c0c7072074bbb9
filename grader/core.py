"""grade() and grade_many(): parse, run the rules and detectors, build the report."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from . import detectors
from .analysis import Analysis
from .detectors import child_questions as child_plan, relevance
from .detectors.common import Context
from .detectors.not_danger import poverty_only
from .lexicon import default_lexicons
from .matching import lexical_hits, matchers_for, passive_hits, regex_hits, regex_text, tail_hits
from .metrics import compute, sentence_words
from .people import GraderInputError, Person, Roster, as_roster
from .pipeline import disabled_pipes, load_pipeline
from .questions import about_worker, find_questions
from .report import Component, Evidence, Finding, Question, Report
from .ruleset import Rule, RuleSet, default_ruleset
from .text_guard import HEAD_CHARS, QUESTION_HEAD_CHARS, Prepared, prepare
from .vocabulary import KINDS, reports_category

QUESTION_KINDS = ("sf_question", "child_questions")

GRADER_VERSION = "2.5.0"  # bump when the same text can grade differently
# The grader's own hard limit on one text; the app keeps its own, smaller setting.
MAX_CHARS = 20000
MAX_CHILD_AGE = 21
DEFAULT_BATCH_SIZE = 64
MAX_FINDINGS = 100  # a report lists at most this many findings; the rest are counted in a note


class _Blank(dict):
    """format_map helper: unknown placeholders stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class GradeError:
    """A batch item that could not be graded, with the reason."""

    index: int
    message: str


@dataclass(frozen=True)
class Job:
    """One text to grade with everything the caller gave about it."""

    kind: str
    text: str
    roster: Roster
    danger: tuple[str, ...] = ()
    child_age: int | None = None
    child: Person | None = None  # the child the text is for: hints name this child and no other


def check_input(kind: Any, text: Any) -> None:
    """Raise GraderInputError for a bad kind, empty or over-long text."""
    if kind not in KINDS:
        raise GraderInputError(f"Unknown kind {kind!r}: use one of {', '.join(KINDS)}.")
    if not isinstance(text, str):
        raise GraderInputError("The text must be a string: pass the learner's words as text.")
    if not text.strip():
        raise GraderInputError("The text is empty: write your statement first.")
    if len(text) > MAX_CHARS:
        raise GraderInputError(
            f"The text is {len(text):,} characters long; the limit is {MAX_CHARS:,}. "
            "Shorten it: a statement is usually a few sentences."
        )


def check_danger(danger: Any) -> tuple[str, ...]:
    """The learner's own danger statement(s) as a tuple of strings (empty when none)."""
    if danger is None:
        return ()
    items = (danger,) if isinstance(danger, str) else danger
    if not isinstance(items, (list, tuple)) or not all(isinstance(d, str) for d in items):
        raise GraderInputError("danger= takes the learner's danger statement as a string, or a list of them.")
    if any(len(d) > MAX_CHARS for d in items):
        raise GraderInputError(
            f"A danger statement is longer than {MAX_CHARS:,} characters; pass the statement itself."
        )
    return tuple(d for d in items if d.strip())


def check_child_age(child_age: Any) -> int | None:
    """The child's age in whole years (None when not given)."""
    if child_age is None:
        return None
    if isinstance(child_age, bool) or not isinstance(child_age, (int, float)) or not 0 <= child_age <= MAX_CHILD_AGE:
        raise GraderInputError(f"child_age= takes the child's age in years, a number from 0 to {MAX_CHILD_AGE}.")
    return int(child_age)


def check_child(child: Any, roster: Roster) -> Person | None:
    """The child a text is for, by name: a child on the roster when there is one, else the name as given."""
    if child is None:
        return None
    if not isinstance(child, str) or not child.strip() or len(child) > 200:
        raise GraderInputError("child= takes the name of the child the text is for, such as \"Jayden Hill\".")
    wanted = " ".join(child.split()).lower()
    if not roster.explicit:
        return Person(name=" ".join(child.split()), role="child")
    children = roster.with_role("child")
    for person in children:
        if wanted in (person.name.lower(), person.short.lower(), person.name.split()[0].lower()):
            return person
    known = ", ".join(p.name for p in children) or "no children"
    raise GraderInputError(f"child= names {child[:60]!r}, who is not a child of this family ({known}); "
                           "pass one of them, or leave child= out.")


def _names(a: Analysis, roster: Roster, child: Person | None = None) -> dict[str, str]:
    """People to name in hints and messages: first mentioned, else from the roster (the given child, if any)."""
    job_text = a.text
    seen: dict[str, str] = {}
    for s, e, role, person in a.mentions:
        if role in seen or role not in ("child", "caregiver", "network"):
            continue
        if person is not None:
            seen[role] = person.display
        elif role in ("caregiver", "child") and e - s == 1 and not (roster.explicit and roster.with_role(role)):
            tok = a.tokens[s]
            word = job_text[tok.idx : tok.idx + len(tok.text)]  # the learner's characters, not the parser's copy
            generic = word.lower() in ("mom", "dad", "mommy", "daddy")
            if word.lower() in ("minor", "minors", "victim", "perpetrator", "perp"):
                continue  # never repeat jargon back in a hint
            if s in a.name_tokens:
                seen[role] = word[:1].upper() + word[1:]  # a name, as the learner wrote it ("jayden" -> "Jayden")
            else:
                seen[role] = word if generic else f"the {word.lower()}"
    if child is not None:
        seen["child"] = child.display  # the text is for this child: never another one it mentions
    out = {}
    for role, key, fallback in (
        ("child", "child", "the child"),
        ("caregiver", "caregiver", "the caregiver"),
        ("network", "network", "the people who help the family"),
    ):
        if role in seen:
            out[key] = seen[role]
        elif roster.explicit and roster.with_role(role):
            people = [p.display for p in roster.with_role(role)]
            out[key] = people[0] if role != "caregiver" else " or ".join(people[:2])
        else:
            out[key] = fallback
    out["caregivers"] = (
        " and ".join(p.display for p in roster.with_role("caregiver")[:2]) if roster.explicit else "the caregivers"
    )
    out["worker"] = "the social worker"
    return out


def _fill(template: str, names: dict[str, str], **extra: Any) -> str:
    """Fill a message template and capitalise its first letter."""
    text = template.format_map(_Blank({**names, **extra}))
    return text[:1].upper() + text[1:] if text else text


def _finding(rule: Rule, text: str, start: int, end: int, names: dict, **extra: Any) -> Finding:
    """Build a Finding, filling message placeholders."""
    match = text[start:end]
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        start=start,
        end=end,
        text=match,
        message=_fill(rule.message, names, match=match, **extra),
        suggestion=_fill(rule.suggestion, names, match=match, **extra),
    )


def _dedupe(hits: list[tuple[Rule, int, int]]) -> list[tuple[Rule, int, int]]:
    """Within a category, drop a hit that lies inside a longer one (one pass: hits sorted by start, longest first)."""
    hits = sorted(set(hits), key=lambda h: (h[1], -(h[2] - h[1]), h[0].id))
    kept: list[tuple[Rule, int, int]] = []
    reach: dict[str, int] = {}  # category -> furthest end of a kept hit (every kept hit starts at or before s)
    for rule, s, e in hits:
        if e <= reach.get(rule.category, -1):
            continue
        kept.append((rule, s, e))
        reach[rule.category] = max(reach.get(rule.category, -1), e)
    return kept


def analyze(doc: Doc, job: Job, ruleset: RuleSet, nlp: Language, tail_start: int | None = None) -> Report:
    """Grade one parsed doc of a job (tail_start: where the unparsed rest of a long text begins)."""
    kind, text, roster = job.kind, job.text, job.roster
    a = Analysis(doc, roster, default_lexicons(), text)
    names = _names(a, roster, job.child)
    hits = lexical_hits(a, matchers_for(nlp, ruleset), kind)
    extra_findings: list[Finding] = []
    sentences = sentence_words(a.tokens)
    metrics = compute(a.tokens, sentences)
    scan = regex_text(text)
    for rule in ruleset.rules:
        if kind not in rule.kinds:
            continue
        if rule.type == "regex":
            hits.extend(regex_hits(rule, scan))
        elif rule.type == "passive":
            hits.extend(passive_hits(rule, a))
        elif rule.type == "readability" and "max_sentence_words" in rule.options:
            for s, e, words in sentences:
                if words > rule.opt("max_sentence_words"):
                    s, e = _strip(text, s, e)
                    extra_findings.append(_finding(rule, text, s, e, names, words=words))
        elif rule.type == "readability" and metrics["grade_level"] > rule.opt("max_grade") and metrics["words"] >= 12:
            s, e = _strip(text, 0, len(text))
            extra_findings.append(_finding(rule, text, s, e, names, grade=metrics["grade_level"]))
    if tail_start is not None:
        hits.extend(tail_hits(text, tail_start, ruleset, kind))
        extra_findings.append(_too_long(text, metrics_words(text), metrics_words(text[:tail_start]), names))
    hits = _dedupe(hits)
    questions: list[Question] = []
    if kind in QUESTION_KINDS:
        # questions are looked for in the parsed head only, so their work is bounded like the parse
        found = find_questions(text if tail_start is None else text[:tail_start], ruleset, doc, kind)
        polite = _rule_or_none(ruleset, "question.polite")
        for q in found:
            questions.append(Question(start=q.start, end=q.end, text=q.text, type=q.type, open=q.open))
            if q.rule is not None:
                extra_findings.append(_finding(q.rule, text, q.flag_start, q.flag_end, names))
            elif q.invitation is not None and polite is not None:
                extra_findings.append(_finding(polite, text, *q.invitation, names))
        if kind == "child_questions":
            own_names = frozenset(w.lower() for w in names.values() for w in w.split())
            child_hits = child_plan.check(text, found, ruleset, job.child_age, own_names)
            extra_findings.extend(_finding(h.rule, text, h.start, h.end, names, **dict(h.values)) for h in child_hits)
        # no question at all, or every question about the worker's own work
        check = "no_question" if not found else "worker_only" if all(about_worker(q.text) for q in found) else None
        for rule in ruleset.rules:
            if check and rule.type == "structure" and rule.opt("check") == check:
                s, e = _strip(text, 0, len(text))
                extra_findings.append(_finding(rule, text, s, e, names))
    overflow = max(0, len(hits) - MAX_FINDINGS)
    hits = sorted(hits, key=lambda h: (h[1], h[2]))[:MAX_FINDINGS]  # a pathological text stops here, not later
    findings = [_finding(r, text, s, e, names, expansion=_expansion(r, text[s:e])) for r, s, e in hits] + extra_findings
    findings = [f for f in findings if reports_category(kind, f.category)]
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    if len(findings) > MAX_FINDINGS or overflow:
        findings = _capped(findings, text, overflow)
    components, extra = _components(job, a, ruleset, hits, names)
    findings = sorted(findings + extra, key=lambda f: (f.start, f.end, f.rule))
    blocked = any(f.severity == "error" for f in findings)
    if kind == "child_questions":
        ready = (
            bool(questions) and all(q.open for q in questions) and not blocked and all(c.present for c in components)
        )
    elif kind in QUESTION_KINDS:
        ready = bool(questions) and all(q.open for q in questions) and not blocked
    else:
        ready = all(c.present for c in components) and not blocked
    return Report(
        kind=kind,
        verdict="ready" if ready else "revise",
        components=tuple(components),
        findings=tuple(findings),
        questions=tuple(questions),
        metrics=metrics,
        grader_version=GRADER_VERSION,
    )


def _expansion(rule: Rule, match: str) -> str:
    """The spelled-out form of an acronym, for messages."""
    if not rule.opt("acronym"):
        return ""
    options = rule.opt("expansions", {}).get(match) or rule.opt("expansions", {}).get(match.rstrip("s"))
    return options[0] if options else "the full name"


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    """Trim whitespace from a character range."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _rule_or_none(ruleset: RuleSet, rule_id: str) -> Rule | None:
    """A rule of the set by id, or None when the set leaves it out."""
    try:
        return ruleset.by_id(rule_id)
    except KeyError:
        return None


def _capped(findings: list[Finding], text: str, overflow: int = 0) -> list[Finding]:
    """The first MAX_FINDINGS findings (errors first), and a note counting the rest."""
    keep = sorted(
        sorted(findings, key=lambda f: f.severity != "error")[:MAX_FINDINGS], key=lambda f: (f.start, f.end, f.rule)
    )
    s, e = _strip(text, 0, len(text))
    more = len(findings) - len(keep) + overflow
    note = Finding(
        rule="style.too_many_findings",
        category="readability",
        severity="info",
        start=s,
        end=e,
        text=text[s:e],
        message=f"{more:,} more findings are not listed.",
        suggestion="Fix the words marked here first, then check again.",
    )
    return keep + [note]


WORDS = re.compile(r"\w+")


def metrics_words(text: str) -> int:
    """About how many words a text has (for the note on very long texts)."""
    return sum(1 for _ in WORDS.finditer(text))


def _too_long(text: str, words: int, parsed_tokens: int, names: dict) -> Finding:
    """A note that only the start of a very long text was checked for the parts of a statement."""
    s, e = _strip(text, 0, len(text))
    return Finding(
        rule="style.too_long",
        category="readability",
        severity="warning",
        start=s,
        end=e,
        text=text[s:e],
        message=f"This text is about {words:,} words long; only its first {parsed_tokens:,} words were "
        "checked for the parts of a statement. Labels and jargon were checked throughout.",
        suggestion="A statement is a few sentences: keep the one that says who did what, to which child, "
        "when, and with what effect.",
    )


FUNCTION_POS = ("DET", "ADP", "PRON", "AUX", "CCONJ", "SCONJ", "PART")
WORD_LIST_MIN_WORDS = 8
WORD_LIST_MAX_SHARE = 0.15  # English sentences run at 30-50% function words; a keyword list at almost none
WORD_LIST_MIN_RUN = 6  # content words in a row with no function word or punctuation between them
STATEMENT_KINDS = ("harm", "danger", "safety_goal")


FRAGMENT_MIN_PIECES = 6  # a list of names before "need to see" has a long piece that holds most of the words
FRAGMENT_MAX_WORDS = 3
FRAGMENT_MIN_SHARE = 0.5


def _fragments(text: str) -> bool:
    """True when most words sit in comma-separated scraps of 1-3 words ("need to see, social worker, every night")."""
    pieces = [p.split() for p in re.split(r"[,;:\n]", text) if p.strip()]
    words = sum(len(p) for p in pieces)
    if len(pieces) < FRAGMENT_MIN_PIECES or not words:
        return False
    short = sum(len(p) for p in pieces if len(p) <= FRAGMENT_MAX_WORDS)
    return short / words >= FRAGMENT_MIN_SHARE


def _word_list(a: Analysis, text: str) -> Finding | None:
    """A finding when a statement is key words strung together rather than sentences (keyword salad)."""
    words = [t for t in a.tokens if t.is_alpha]
    if len(words) < WORD_LIST_MIN_WORDS:
        return None
    share = sum(1 for t in words if t.pos_ in FUNCTION_POS) / len(words)
    run = longest = 0
    for t in a.tokens:
        run = 0 if (t.pos_ in FUNCTION_POS or t.is_punct or t.is_space) else run + 1
        longest = max(longest, run)
    if (share >= WORD_LIST_MAX_SHARE or longest < WORD_LIST_MIN_RUN) and not _fragments(text):
        return None  # a terse sentence ("CPS received allegations that Dad hit Emre") is not a list
    s, e = _strip(text, 0, len(a.doc.text))
    return Finding(
        rule="structure.word_list",
        category="word_list",
        severity="error",
        start=s,
        end=e,
        text=text[s:e],
        message="This reads as a list of key words, not sentences, so it does not say who did what to whom.",
        suggestion="Write it as one or two full sentences, in words the family could read aloud.",
    )


NOT_DANGER = {
    "rule": "danger.resources_only",
    "message": (
        "“{match}” is about money or resources. Poverty or a lack of resources alone is a need the family "
        "can be helped with, not a danger: it says nothing {caregiver} may do that could hurt {child}."
    ),
    "suggestion": (
        "Put the family's needs under complicating factors, and write the danger about a behaviour: what "
        "{caregiver} may do, when, and how {child} could be hurt."
    ),
}


def _components(
    job: Job, a: Analysis, ruleset: RuleSet, hits: list, names: dict
) -> tuple[list[Component], list[Finding]]:
    """Run the detectors of the job's kind, attach hints, and add the findings detectors make."""
    doc, kind = a.doc, job.kind
    label_tokens: set[int] = set()
    negative_tokens: set[int] = set()
    for rule, s, e in hits:
        if rule.category in ("vague_label", "judgmental", "service_compliance", "negative_framing"):
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is not None:
                target = negative_tokens if rule.category == "negative_framing" else label_tokens
                target.update(range(span.start, span.end))
    danger_types = job.roster.danger_types or (relevance.classify(job.danger) if job.danger else ())
    goal = kind == "safety_goal"
    danger_words = frozenset(w for t in job.danger or () for w in relevance.words(t)) if goal else frozenset()
    ctx = Context(a, label_tokens, negative_tokens, danger_types if goal else (), danger_words)
    found = detectors.detect(kind, ctx)
    out = []
    for spec in ruleset.components[kind]:
        result = found.get(spec["id"])
        spans = result.spans if result else []
        evidence = []
        for s, e in sorted(set(spans))[:5]:
            span = doc[s:e]  # the parser saw a truecased copy: quote the learner's own characters
            evidence.append(Evidence(span.start_char, span.end_char, job.text[span.start_char : span.end_char]))
        hint = result.hint if result is not None and result.hint and not evidence else spec["hint"]
        out.append(
            Component(
                id=spec["id"],
                label=spec["label"],
                present=bool(evidence),
                evidence=tuple(evidence),
                hint=_fill(hint, names),
            )
        )
    extra: list[Finding] = []
    if kind in STATEMENT_KINDS:
        salad = _word_list(a, job.text)
        if salad is not None:
            extra.append(salad)
    if kind == "danger":
        where = poverty_only(ctx, found["caregiver_behavior"].spans)
        if where is not None:
            span = doc[where[0] : where[1]]
            match = job.text[span.start_char : span.end_char]
            extra.append(
                Finding(
                    rule=NOT_DANGER["rule"],
                    category="not_danger",
                    severity="error",
                    start=span.start_char,
                    end=span.end_char,
                    text=match,
                    message=_fill(NOT_DANGER["message"], names, match=match),
                    suggestion=_fill(NOT_DANGER["suggestion"], names, match=match),
                )
            )
    return out, extra


def _prepare(nlp: Language, kind: str, text: str) -> Prepared:
    """The bounded head of a text to parse (a shorter one for question kinds)."""
    return prepare(nlp, text, head_chars=QUESTION_HEAD_CHARS if kind in QUESTION_KINDS else HEAD_CHARS)


def _parse(nlp: Language, text: str, kind: str = "harm") -> tuple[Doc, int | None]:
    """Tokenize safely and parse (within the budget) with the pipes the grader uses; also where a cut tail starts."""
    prepared = _prepare(nlp, kind, text)
    return nlp(prepared.head, disable=disabled_pipes(nlp)), prepared.tail_start


def grade(
    kind: str,
    text: str,
    *,
    roster: Any = None,
    danger: Any = None,
    child_age: Any = None,
    child: Any = None,
    vignette: Any = None,
) -> Report:
    """Grade one text of a kind.

    roster: the family's Roster (or a vignette-like mapping) when the text is tied to one;
    without it, people and roles come from the text alone. danger: the learner's own danger
    statement(s) for that family, which a safety goal must answer. child_age: the age of the
    child a child_questions text is for; child: that child's name (a child of the roster), so
    hints name this child and never a brother or sister. vignette= is the older name of roster=.
    """
    check_input(kind, text)
    family = as_roster(roster, vignette)
    job = Job(kind, text, family, check_danger(danger), check_child_age(child_age), check_child(child, family))
    nlp = load_pipeline()
    doc, tail_start = _parse(nlp, text, kind)
    return analyze(doc, job, default_ruleset(), nlp, tail_start)


def _item(item: Any) -> Job:
    """Accept (kind, text[, roster]) tuples or mappings with kind, text, roster/vignette, danger, child_age, child."""
    if isinstance(item, dict):
        kind, text = item.get("kind"), item.get("text")
        check_input(kind, text)
        family = as_roster(item.get("roster"), item.get("vignette"))
        return Job(
            kind,
            text,
            family,
            check_danger(item.get("danger")),
            check_child_age(item.get("child_age")),
            check_child(item.get("child"), family),
        )
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        check_input(item[0], item[1])
        return Job(item[0], item[1], as_roster(item[2] if len(item) == 3 else None))
    raise GraderInputError("Each item needs a kind and a text: (kind, text[, roster]) or a mapping.")


def grade_many(
    items: Iterable[Any], batch_size: int = DEFAULT_BATCH_SIZE, n_process: int = 1, errors: str = "raise"
) -> list[Report | GradeError]:
    """Grade many texts with one nlp.pipe pass; bad items raise or become GradeError."""
    prepared: list[tuple[int, Job]] = []
    results: list[Report | GradeError | None] = []
    for index, item in enumerate(items):
        try:
            prepared.append((index, _item(item)))
            results.append(None)
        except GraderInputError as exc:
            if errors == "raise":
                raise
            results.append(GradeError(index, str(exc)))
    if prepared:
        graded = _grade_prepared([job for _, job in prepared], batch_size, n_process)
        for (index, _job), report in zip(prepared, graded, strict=True):
            results[index] = report
    return results  # type: ignore[return-value]


def _grade_chunk(chunk: list[Job], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Report]:
    """Parse a chunk with nlp.pipe (longest texts batched together) and grade each doc."""
    nlp = load_pipeline()
    ruleset = default_ruleset()
    order = sorted(range(len(chunk)), key=lambda i: len(chunk[i].text))
    prepared = {i: _prepare(nlp, chunk[i].kind, chunk[i].text) for i in order}
    docs = nlp.pipe((prepared[i].head for i in order), batch_size=batch_size, disable=disabled_pipes(nlp))
    out: list[Report | None] = [None] * len(chunk)
    for i, doc in zip(order, docs, strict=True):
        out[i] = analyze(doc, chunk[i], ruleset, nlp, prepared[i].tail_start)
    return out  # type: ignore[return-value]


def _grade_prepared(items: list[Job], batch_size: int, n_process: int) -> list[Report]:
    """Grade in this process, or share the work with forked worker processes (each parses and grades)."""
    if n_process <= 1 or len(items) < 2 * batch_size:
        return _grade_chunk(items, batch_size)
    import multiprocessing as mp

    matchers_for(load_pipeline(), default_ruleset())  # load and build before forking so workers inherit them
    # Deal items round-robin so every process gets a similar mix of short and long texts.
    chunks = [items[i::n_process] for i in range(n_process)]
    gc.freeze()  # keep the workers' garbage collector from touching, and so copying, inherited pages
    try:
        pool = mp.get_context("fork").Pool(n_process - 1)
    finally:
        gc.unfreeze()
    with pool:
        pending = [pool.apply_async(_grade_chunk, (chunk, batch_size)) for chunk in chunks[1:]]
        parts = [_grade_chunk(chunks[0], batch_size)]  # this process works too instead of waiting
        parts.extend(job.get() for job in pending)
    out: list[Report | None] = [None] * len(items)
    for offset, part in enumerate(parts):
        out[offset::n_process] = part
    return out  # type: ignore[return-value]
