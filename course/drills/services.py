"""Drill services: the library for this app, saving and grading a rewrite, and the learner's attempts."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..exercises.services import grade_draft
from ..extensions import db
from ..grading import GradingUnavailable
from ..models.work import DrillAttempt
from .loader import Drill, DrillLibrary, library_for


def library() -> DrillLibrary:
    """Return the drills of the app's DRILLS_DIR, checked against its vignettes."""
    return library_for(current_app.config["DRILLS_DIR"], current_app.config["VIGNETTES_DIR"])


def attempts_by_drill(user_id: int) -> dict[str, list[DrillAttempt]]:
    """Return the learner's attempts grouped by drill id, newest first."""
    rows = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == user_id)
                              .order_by(DrillAttempt.created_at.desc(), DrillAttempt.id.desc()))
    grouped: dict[str, list[DrillAttempt]] = {}
    for row in rows:
        grouped.setdefault(row.drill_id, []).append(row)
    return grouped


def save_attempt(user_id: int, drill: Drill, text: str) -> DrillAttempt:
    """Keep a rewrite before it is graded (the caller commits), so a grading failure never loses it."""
    attempt = DrillAttempt(user_id=user_id, drill_id=drill.id, text=text)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def grade_attempt(attempt: DrillAttempt, drill: Drill) -> tuple[dict | None, str | None]:
    """Grade a kept rewrite with the drill's kind and vignette and store the report; return (report, error)."""
    try:
        report = grade_draft(attempt.user_id, drill.kind, attempt.text, drill.vignette, child_age=drill.child_age)
    except GradingUnavailable as exc:
        return None, str(exc) if exc.status == 503 else f"{exc} Your rewrite is saved."
    attempt.report, attempt.verdict = report, report.get("verdict")
    return report, None


def unchecked_text(attempts: list[DrillAttempt]) -> str:
    """The newest rewrite when it was saved but never graded (to put back in the form), else ''."""
    return attempts[0].text if attempts and attempts[0].report is None else ""
