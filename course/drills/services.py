"""Drill services: the library for this app, grading a rewrite and the learner's attempts."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.work import DrillAttempt
from ..vignettes import get_vignette
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


def grade_rewrite(user_id: int, drill: Drill, text: str) -> tuple[DrillAttempt | None, dict | None, str | None]:
    """Grade a rewrite with the drill's kind and vignette, keep it, and return (attempt, report, error)."""
    from ..exercises.grading import GraderUnavailable, run_grader

    vignette = get_vignette(drill.vignette) if drill.vignette else None
    try:
        report = run_grader(drill.kind, text, vignette)
    except GraderUnavailable as exc:
        return None, None, str(exc)
    attempt = DrillAttempt(user_id=user_id, drill_id=drill.id, text=text, verdict=report.get("verdict"), report=report)
    db.session.add(attempt)
    return attempt, report, None
