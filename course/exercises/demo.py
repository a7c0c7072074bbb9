"""Demo data: learner@example.org has drafted, checked and submitted a Hill family harm statement."""
from __future__ import annotations

from flask import current_app

from ..auth.services import find_user
from ..database import utcnow
from ..events import work_submitted
from ..grading import GradingUnavailable
from ..models import Cohort, WorkStatus
from ..vignettes import get_vignette
from .services import add_version, get_work, grade_draft, save_draft

DEMO_LEARNER = "learner@example.org"
VIGNETTE = "hill-family"
FIRST_DRAFT = "Marcus abused Jayden on Saturday when he was drunk."
SUBMITTED = (
    "On Saturday evening, after drinking most of the afternoon, Marcus Hill grabbed his son Jayden (7) hard "
    "by the arm and Jayden's head hit the hallway wall. Jayden had four bruises on his arm and a swelling "
    "behind his ear, and he cried himself to sleep at his aunt's house that night."
)


def seed(cohort: Cohort) -> list[str]:
    """Give the demo learner a submitted harm statement for the trainer queue (once)."""
    user = find_user(DEMO_LEARNER)
    vignette = get_vignette(VIGNETTE)
    if user is None or vignette is None or get_work(user.id, VIGNETTE, "harm", 1) is not None:
        return []
    work = save_draft(user.id, VIGNETTE, "harm", 1, FIRST_DRAFT, 0).work
    for text in (FIRST_DRAFT, SUBMITTED):
        work = save_draft(user.id, VIGNETTE, "harm", 1, text, work.revision).work
        try:
            report = grade_draft(user.id, "harm", text, vignette)
        except GradingUnavailable:
            report = None
        add_version(work, "check", report)
    work.transition(WorkStatus.SUBMITTED)
    work.submitted_at = utcnow()
    work.revision += 1
    version, _ = add_version(work, "submit", report)
    work_submitted.send(current_app._get_current_object(), user=user, work=work, version=version)
    return [f"  Practice: {DEMO_LEARNER} submitted a Hill family harm statement for review."]
