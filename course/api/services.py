"""Validate a grade request and run the grader."""
from __future__ import annotations

from typing import Any

KIND_NAMES = {
    "harm": "Harm Statement",
    "danger": "Danger Statement",
    "safety_goal": "Safety Goal",
    "sf_question": "Solution-Focused Questions",
}


class GradeRequestError(ValueError):
    """A grade request the API refuses; the message says what to fix."""

    def __init__(self, message: str, field: str, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


def validate_grade_payload(payload: Any, max_chars: int) -> tuple[str, str, str | None]:
    """Return (kind, text, vignette) from a request body, or raise GradeRequestError."""
    if not isinstance(payload, dict):
        raise GradeRequestError("The body must be a JSON object with 'kind' and 'text'.", "body")
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in KIND_NAMES:
        raise GradeRequestError(f"'kind' must be one of: {', '.join(KIND_NAMES)}.", "kind")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GradeRequestError("'text' is empty. Write your statement first, then check it.", "text")
    if len(text) > max_chars:
        raise GradeRequestError(f"'text' is {len(text):,} characters; the limit is {max_chars:,}. "
                                "Shorten it: a statement is usually a few sentences.", "text")
    vignette = payload.get("vignette")
    if vignette is not None and (not isinstance(vignette, str) or len(vignette) > 80):
        raise GradeRequestError("'vignette' must be a vignette id such as 'hill-family'.", "vignette")
    return kind, text, vignette


def grade_request(payload: Any, max_chars: int) -> dict:
    """Validate the request and return the grader's report as a dict."""
    from grader import grade

    kind, text, vignette = validate_grade_payload(payload, max_chars)
    try:
        return grade(kind, text, vignette=vignette).to_dict()
    except (LookupError, ValueError) as exc:  # e.g. an unknown vignette id
        field = "vignette" if vignette and "vignette" in str(exc).lower() else "text"
        raise GradeRequestError(str(exc), field) from exc
