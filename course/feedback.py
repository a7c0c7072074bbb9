"""What a learner sees of a grader report: the one-line summary, the marked text and the labels.

The labels come from the grader's vocabulary (grader/rules/vocabulary.yaml); reports kept from an
older grader may name a category or question type it no longer has, which shows in plain words.
"""
from __future__ import annotations

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
