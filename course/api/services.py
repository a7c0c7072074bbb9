"""Validate a grade request, then grade it through course/grading.py."""
from __future__ import annotations

from typing import Any

from grader.vocabulary import KINDS

from ..exercises.services import grade_draft
from ..grading import GradingUnavailable, max_chars, too_long


class GradeRequestError(ValueError):
    """A grade request the API refuses; the message says what to fix."""

    def __init__(self, message: str, field: str, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


def validate_grade_payload(payload: Any) -> tuple[str, str, str | None, Any, str | None]:
    """Return (kind, text, vignette id, child age, child's name) from a request body, or raise GradeRequestError."""
    if not isinstance(payload, dict):
        raise GradeRequestError("The body must be a JSON object with 'kind' and 'text'.", "body")
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise GradeRequestError(f"'kind' must be one of: {', '.join(KINDS)}.", "kind")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GradeRequestError("'text' is empty. Write your statement first, then check it.", "text")
    if len(text) > max_chars():
        raise GradeRequestError(f"'text': {too_long(len(text))}", "text")
    vignette = payload.get("vignette")
    if vignette is not None and (not isinstance(vignette, str) or len(vignette) > 80):
        raise GradeRequestError("'vignette' must be a vignette id such as 'hill-family'.", "vignette")
    child_age = payload.get("child_age")
    if child_age is not None and (isinstance(child_age, bool) or not isinstance(child_age, (int, float))):
        raise GradeRequestError("'child_age' must be the child's age in years, a number such as 7.", "child_age")
    child = payload.get("child")
    if child is not None and (not isinstance(child, str) or not child.strip() or len(child) > 200):
        raise GradeRequestError("'child' must be the name of the child the text is for, such as 'Jayden Hill'.",
                                "child")
    return kind, text, vignette, child_age, child


def grade_request(payload: Any, user_id: int) -> dict:
    """Validate the request and return the report; raise GradeRequestError or GradingUnavailable (503)."""
    kind, text, vignette, child_age, child = validate_grade_payload(payload)
    try:
        return grade_draft(user_id, kind, text, vignette, child_age=child_age, child=child)
    except GradingUnavailable as exc:
        if exc.status == 503:
            raise
        raise GradeRequestError(str(exc), exc.field, exc.status) from exc
