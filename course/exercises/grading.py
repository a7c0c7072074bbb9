"""The grader as the exercises use it: reports, a "no harm statement" judgement, summaries and marked text."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..marks import Mark, Segment, merged_segments
from ..vignettes import Vignette


class GraderUnavailable(RuntimeError):
    """The grader could not run (still loading, or not installed); drafts are still saved."""


def grader_vignette(vignette: Vignette | None) -> dict | None:
    """Return the vignette in the form the grader reads: its id and a list of roster dicts."""
    if vignette is None:
        return None
    roster = [{"name": p.name, "short": p.short, "role": p.role, "age": p.age, "pronouns": p.pronouns}
              for p in vignette.roster]
    return {"id": vignette.id, "roster": roster}


def run_grader(kind: str, text: str, vignette: Vignette | None) -> dict:
    """Grade a text with the shared grader and return its report as a dict."""
    try:
        from grader import grade
    except ImportError as exc:
        raise GraderUnavailable("Feedback is not available right now. Your draft is saved.") from exc
    try:
        return grade(kind, text, vignette=grader_vignette(vignette)).to_dict()
    except (OSError, RuntimeError) as exc:  # the spaCy pipeline failed to load
        raise GraderUnavailable("Feedback is not available right now. Your draft is saved.") from exc


def grade_statement(kind: str, text: str, vignette: Vignette, no_harm: bool = False) -> dict:
    """Return the report for a statement; a "no harm statement" reason is judged against the vignette."""
    if kind == "harm" and no_harm:
        return no_harm_report(text, vignette)
    return run_grader(kind, text, vignette)


def no_harm_report(reason: str, vignette: Vignette) -> dict:
    """Judge a "no harm statement" answer: right only for danger-only vignettes; privacy still applies."""
    base = run_grader("harm", reason, vignette) if reason.strip() else {"findings": [], "grader_version": ""}
    child = ", ".join(p.short or p.name for p in vignette.children) or "the child"
    fits = vignette.danger_only
    hint = (
        f"Right: nothing has happened to {child} yet, so the worries belong in the danger statements."
        if fits else
        f"Something has already happened to {child} in this case. Look again at the harm column of your map "
        "and write a harm statement about it."
    )
    components = [
        {"id": "no_harm_fits", "label": "No harm has happened in this case", "present": fits, "evidence": [],
         "hint": hint},
        {"id": "reason", "label": "A reason in your own words", "present": bool(reason.strip()), "evidence": [],
         "hint": "Say in a sentence what has and has not happened to the child so far."},
    ]
    findings = [f for f in base.get("findings", []) if f.get("category") == "privacy"]
    ready = fits and bool(reason.strip()) and not findings
    return {"kind": "harm", "verdict": "ready" if ready else "revise", "components": components,
            "findings": findings, "questions": [], "metrics": {"no_harm": True},
            "grader_version": base.get("grader_version", "")}


def privacy_findings(report: dict | None) -> list[dict]:
    """Return the findings that mean the text holds real-looking identifying details."""
    return [f for f in (report or {}).get("findings", []) if f.get("category") == "privacy"]


def summary(report: dict | None) -> str:
    """Return the one-line result announced to screen readers, like '2 parts missing, 1 wording issue'."""
    if not report:
        return ""
    missing = sum(1 for c in report.get("components", []) if not c.get("present"))
    issues = len(report.get("findings", []))
    closed = sum(1 for q in report.get("questions", []) if not q.get("open"))
    parts = []
    if missing:
        parts.append(f"{missing} part{'s' if missing != 1 else ''} missing")
    if issues:
        parts.append(f"{issues} wording issue{'s' if issues != 1 else ''}")
    if closed and not issues:
        parts.append(f"{closed} closed question{'s' if closed != 1 else ''}")
    if not parts:
        return "Ready: every part is there and no wording issues were found."
    return ", ".join(parts) + "."


# ---------------------------------------------------------------- marked text

def mark_segments(text: str, findings: list[dict]) -> list[Segment]:
    """Cut the text into plain and flagged runs from finding offsets (Python code-point offsets).

    Overlapping findings merge into one flagged run whose refs list every finding number it holds.
    """
    marks = []
    for number, f in enumerate(findings, start=1):
        start, end = int(f.get("start", 0)), int(f.get("end", 0))
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if end > start:
            marks.append(Mark(start, end, "finding", number, f"finding-{number}", f.get("category", "")))
    return merged_segments(text, marks)


FLAG_OPEN = ('<mark class="flag"><span class="visually-hidden">[flagged: </span>'
             '<span class="flag__icon" aria-hidden="true">\u2691</span>')
FLAG_CLOSE = '<span class="visually-hidden">]</span>'
FLAG_REF = '<sup class="flag__ref"><a href="#finding-{0}" aria-label="finding {0}">{0}</a></sup>'


def marked_html(text: str, findings: list[dict]) -> Markup:
    """Return the draft as HTML with every flagged run in a <mark> followed by its finding numbers.

    Built in one pass of plain strings (every piece of the draft escaped) rather than a template
    loop, so thousands of findings cost milliseconds.
    """
    parts = []
    for seg in mark_segments(text, findings):
        if seg.marks:
            refs = "".join(FLAG_REF.format(int(n)) for n in seg.refs)
            parts.append(f"{FLAG_OPEN}{escape(seg.text)}{FLAG_CLOSE}{refs}</mark>")
        else:
            parts.append(str(escape(seg.text)))
    return Markup("".join(parts))


@dataclass
class FindingNote:
    """One entry of the findings list: a finding and the numbers of the identical ones folded into it."""

    number: int
    finding: dict
    others: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Return how many findings the note stands for."""
        return 1 + len(self.others)

    @property
    def anchors(self) -> Markup:
        """Return empty anchors for the folded findings, so every mark's link still lands on this note."""
        return Markup("".join(f'<span id="finding-{int(n)}"></span>' for n in self.others))


def finding_notes(findings: list[dict]) -> list[FindingNote]:
    """Fold findings with the same words, category and advice into one note each, in first-seen order."""
    notes: dict[tuple, FindingNote] = {}
    for number, f in enumerate(findings, start=1):
        key = (f.get("category"), f.get("severity"), str(f.get("text", "")).lower(), f.get("message"),
               f.get("suggestion"))
        if key in notes:
            notes[key].others.append(number)
        else:
            notes[key] = FindingNote(number, f)
    return list(notes.values())


FINDING_LABELS = {
    "vague_label": "Vague label", "jargon": "Jargon", "judgmental": "Judgmental word",
    "passive_voice": "Hidden actor", "negative_framing": "Says what will not happen",
    "service_compliance": "A service, not a behavior", "closed_question": "Closed question",
    "why_question": "“Why” question", "leading_question": "Leading question", "privacy": "Private detail",
    "readability": "Hard to read", "no_question": "Not a question",
}
QUESTION_LABELS = {
    "exception": "Exception", "scaling": "Scaling", "coping": "Coping", "preferred_future": "Preferred future",
    "relationship": "Relationship", "network": "Network", "next_step": "Next step", "other": "Other",
}


def finding_label(category: str) -> str:
    """Return a finding category in plain words."""
    return FINDING_LABELS.get(category, category.replace("_", " ").capitalize())


def question_label(qtype: str) -> str:
    """Return a question type in plain words."""
    return QUESTION_LABELS.get(qtype, qtype.replace("_", " ").capitalize())
