"""What a learner sees of a grader report: the one-line summary, the marked text and the labels.

The labels come from the grader's vocabulary (grader/rules/vocabulary.yaml); reports kept from an
older grader may name a category or question type it no longer has, which shows in plain words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from grader import vocabulary

from .marks import Mark, Segment, merged_segments


def category_label(category: str) -> str:
    """A finding category's label ('Label instead of behaviour')."""
    try:
        return vocabulary.category_label(category)
    except KeyError:  # a report kept from an older grader
        return category.replace("_", " ").capitalize()


def question_type_label(question_type: str) -> str:
    """A question type's label ('Preferred future')."""
    try:
        return vocabulary.question_type_label(question_type)
    except KeyError:
        return question_type.replace("_", " ").capitalize()


def numbered_label(kind: str, position: int) -> str:
    """The kind's label, with its position for the kinds written 1..n (danger statements, safety goals)."""
    label = vocabulary.kind_label(kind)
    return f"{label} {position}" if vocabulary.is_numbered(kind) else label


def privacy_findings(report: dict | None) -> list[dict]:
    """The findings that mean the text holds real-looking identifying details."""
    return [f for f in (report or {}).get("findings", []) if f.get("category") == "privacy"]


def summary(report: dict | None) -> str:
    """The one-line result announced to screen readers, like '2 parts missing, 1 wording issue'."""
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
