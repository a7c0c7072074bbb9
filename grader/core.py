"""grade() and grade_many(): parse, run the rules and detectors, build the report."""
from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any, Iterable

from spacy.language import Language
from spacy.tokens import Doc

from . import components as comp
from .analysis import Analysis
from .matching import lexical_hits, matchers_for, passive_hits, regex_hits
from .metrics import compute, sentence_words
from .people import Roster, resolve_roster
from .pipeline import disabled_pipes, load_pipeline
from .questions import find_questions
from .report import Component, Evidence, Finding, Question, Report
from .ruleset import KINDS, Rule, RuleSet, default_ruleset

GRADER_VERSION = "1.1.0"  # bump when the same text can grade differently
MAX_CHARS = 5000
DEFAULT_BATCH_SIZE = 64


class _Blank(dict):
    """format_map helper: unknown placeholders stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class GradeError:
    """A batch item that could not be graded, with the reason."""

    index: int
    message: str


def check_input(kind: Any, text: Any) -> None:
    """Raise ValueError for a bad kind, empty or over-long text."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind {kind!r}: use one of {', '.join(KINDS)}.")
    if not isinstance(text, str):
        raise ValueError("The text must be a string.")
    if not text.strip():
        raise ValueError("The text is empty: write your statement first.")
    if len(text) > MAX_CHARS:
        raise ValueError(f"The text is {len(text)} characters long; the limit is {MAX_CHARS}.")


def _names(a: Analysis, roster: Roster) -> dict[str, str]:
    """People to name in hints and messages: first mentioned, else from the roster."""
    seen: dict[str, str] = {}
    for s, e, role, person in a.mentions:
        if role in seen or role not in ("child", "caregiver", "network"):
            continue
        if person is not None:
            seen[role] = person.display
        elif role in ("caregiver", "child") and e - s == 1 and not (roster.explicit and roster.with_role(role)):
            word = a.tokens[s].text
            generic = word.lower() in ("mom", "dad", "mommy", "daddy")
            if word.lower() in ("minor", "minors", "victim", "perpetrator", "perp"):
                continue  # never repeat jargon back in a hint
            named = s in a.name_tokens or a.tokens[s].pos_ == "PROPN" or not a.tokens[s].is_sent_start
            seen[role] = word if generic or (word[:1].isupper() and named) else f"the {word.lower()}"
    out = {}
    for role, key, fallback in (("child", "child", "the child"), ("caregiver", "caregiver", "the caregiver"),
                                ("network", "network", "the people who help the family")):
        if role in seen:
            out[key] = seen[role]
        elif roster.explicit and roster.with_role(role):
            people = [p.display for p in roster.with_role(role)]
            out[key] = people[0] if role != "caregiver" else " or ".join(people[:2])
        else:
            out[key] = fallback
    out["caregivers"] = " and ".join(p.display for p in roster.with_role("caregiver")[:2]) if roster.explicit else "the caregivers"
    out["worker"] = "the social worker"
    return out


def _fill(template: str, names: dict[str, str], **extra: Any) -> str:
    """Fill a message template and capitalise its first letter."""
    text = template.format_map(_Blank({**names, **extra}))
    return text[:1].upper() + text[1:] if text else text


def _finding(rule: Rule, text: str, start: int, end: int, names: dict, **extra: Any) -> Finding:
    """Build a Finding, filling message placeholders."""
    match = text[start:end]
    return Finding(rule=rule.id, category=rule.category, severity=rule.severity, start=start, end=end,
                   text=match, message=_fill(rule.message, names, match=match, **extra),
                   suggestion=_fill(rule.suggestion, names, match=match, **extra))


def _dedupe(hits: list[tuple[Rule, int, int]]) -> list[tuple[Rule, int, int]]:
    """Within a category, drop a hit that lies inside a longer one."""
    hits = sorted(set(hits), key=lambda h: (h[1], -(h[2] - h[1]), h[0].id))
    kept: list[tuple[Rule, int, int]] = []
    for rule, s, e in hits:
        if any(k.category == rule.category and ks <= s and e <= ke for k, ks, ke in kept):
            continue
        kept.append((rule, s, e))
    return kept


def analyze(doc: Doc, kind: str, roster: Roster, ruleset: RuleSet, nlp: Language, text: str | None = None) -> Report:
    """Grade one parsed doc (text: the string it was parsed from, when the caller has it)."""
    text = doc.text if text is None else text  # Doc.text rebuilds the string token by token
    a = Analysis(doc, roster, ruleset.lexicons, text)
    names = _names(a, roster)
    hits = lexical_hits(a, matchers_for(nlp, ruleset), kind)
    extra_findings: list[Finding] = []
    sentences = sentence_words(a.tokens)
    metrics = compute(a.tokens, sentences)
    for rule in ruleset.rules:
        if kind not in rule.kinds:
            continue
        if rule.type == "regex":
            hits.extend(regex_hits(rule, text))
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
    hits = _dedupe(hits)
    questions: list[Question] = []
    if kind == "sf_question":
        found = find_questions(text, ruleset, doc)
        for q in found:
            questions.append(Question(start=q.start, end=q.end, text=q.text, type=q.type, open=q.open))
            if q.rule is not None:
                extra_findings.append(_finding(q.rule, text, q.flag_start, q.flag_end, names))
        if not found:
            for rule in ruleset.rules:
                if rule.type == "structure" and rule.opt("check") == "no_question":
                    s, e = _strip(text, 0, len(text))
                    extra_findings.append(_finding(rule, text, s, e, names))
    findings = [_finding(r, text, s, e, names, expansion=_expansion(r, text[s:e])) for r, s, e in hits] + extra_findings
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    components = _components(kind, a, ruleset, hits, names)
    blocked = any(f.severity == "error" for f in findings)
    if kind == "sf_question":
        ready = bool(questions) and all(q.open for q in questions) and not blocked
    else:
        ready = all(c.present for c in components) and not blocked
    return Report(kind=kind, verdict="ready" if ready else "revise", components=tuple(components),
                  findings=tuple(findings), questions=tuple(questions), metrics=metrics,
                  grader_version=GRADER_VERSION)


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


def _components(kind: str, a: Analysis, ruleset: RuleSet, hits: list, names: dict) -> list[Component]:
    """Run the detectors and attach hints."""
    doc = a.doc
    label_tokens: set[int] = set()
    negative_tokens: set[int] = set()
    for rule, s, e in hits:
        if rule.category in ("vague_label", "judgmental", "service_compliance", "negative_framing"):
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is not None:
                target = negative_tokens if rule.category == "negative_framing" else label_tokens
                target.update(range(span.start, span.end))
    found = comp.detect(kind, a, label_tokens, negative_tokens)
    out = []
    for spec in ruleset.components[kind]:
        spans = found.get(spec["id"], [])
        evidence = []
        for s, e in sorted(set(spans))[:5]:
            span = doc[s:e]
            evidence.append(Evidence(span.start_char, span.end_char, span.text))
        out.append(Component(id=spec["id"], label=spec["label"], present=bool(evidence),
                             evidence=tuple(evidence), hint=_fill(spec["hint"], names)))
    return out


def _parse(nlp: Language, text: str) -> Doc:
    """Parse with the pipes the grader uses."""
    return nlp(text, disable=disabled_pipes(nlp))


def grade(kind: str, text: str, vignette: Any = None) -> Report:
    """Grade one statement of a kind; vignette is an id, a mapping with a roster, or None."""
    check_input(kind, text)
    roster = resolve_roster(vignette)
    nlp = load_pipeline()
    return analyze(_parse(nlp, text), kind, roster, default_ruleset(), nlp, text)


def _item(item: Any) -> tuple[Any, Any, Any]:
    """Accept (kind, text[, vignette]) tuples or mappings."""
    if isinstance(item, dict):
        return item.get("kind"), item.get("text"), item.get("vignette")
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    raise ValueError("Each item needs a kind and a text.")


def grade_many(items: Iterable[Any], batch_size: int = DEFAULT_BATCH_SIZE, n_process: int = 1,
               errors: str = "raise") -> list[Report | GradeError]:
    """Grade many statements with one nlp.pipe pass; bad items raise or become GradeError."""
    prepared: list[tuple[int, str, str, Roster]] = []
    results: list[Report | GradeError | None] = []
    for index, item in enumerate(items):
        try:
            kind, text, vignette = _item(item)
            check_input(kind, text)
            prepared.append((index, kind, text, resolve_roster(vignette)))
            results.append(None)
        except ValueError as exc:
            if errors == "raise":
                raise
            results.append(GradeError(index, str(exc)))
    if prepared:
        graded = _grade_prepared([(kind, text, roster) for _, kind, text, roster in prepared], batch_size, n_process)
        for (index, *_rest), report in zip(prepared, graded):
            results[index] = report
    return results  # type: ignore[return-value]


def _grade_chunk(chunk: list[tuple[str, str, Roster]], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Report]:
    """Parse a chunk with nlp.pipe (longest texts batched together) and grade each doc."""
    nlp = load_pipeline()
    ruleset = default_ruleset()
    order = sorted(range(len(chunk)), key=lambda i: len(chunk[i][1]))
    docs = nlp.pipe((chunk[i][1] for i in order), batch_size=batch_size, disable=disabled_pipes(nlp))
    out: list[Report | None] = [None] * len(chunk)
    for i, doc in zip(order, docs):
        kind, text, roster = chunk[i]
        out[i] = analyze(doc, kind, roster, ruleset, nlp, text)
    return out  # type: ignore[return-value]


def _grade_prepared(items: list[tuple[str, str, Roster]], batch_size: int, n_process: int) -> list[Report]:
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
