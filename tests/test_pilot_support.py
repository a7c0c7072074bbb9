"""Helpers shared by the pilot and xAPI tests (this module holds no tests of its own)."""
from __future__ import annotations

from datetime import UTC, datetime

from course.curriculum.services import all_modules
from course.database import utcnow
from course.extensions import db
from course.models import ModuleProgress, Work, WorkStatus
from course.models.pilot import CourseEvaluation, ModuleFeedback
from course.pilot.services import REQUIRED_KINDS, required_modules


def complete_modules(user_id: int, module_ids=None, when: datetime | None = None) -> None:
    """Mark modules complete for a learner directly in the database (inside an app context)."""
    ids = module_ids if module_ids is not None else [m.id for m in required_modules()]
    for module_id in ids:
        db.session.add(ModuleProgress(user_id=user_id, module_id=module_id, last_position="",
                                      completed_at=when or utcnow()))
    db.session.commit()


def accept_works(
    user_id: int, vignette_id: str = "hill-family", kinds=REQUIRED_KINDS, no_harm: bool = False
) -> list[Work]:
    """Create accepted work of the given kinds for one vignette (inside an app context)."""
    works = []
    for kind in kinds:
        work = Work(user_id=user_id, vignette_id=vignette_id, kind=kind, position=1, status=WorkStatus.ACCEPTED.value,
                    draft_text=f"{kind} text", no_harm=(kind == "harm" and no_harm), submitted_at=utcnow())
        db.session.add(work)
        works.append(work)
    db.session.commit()
    return works


def add_feedback(user_id: int, cohort_id: int | None, module_id: str, usefulness: int, clarity: int,
                 comment: str = "", when: datetime | None = None) -> None:
    """Insert one module rating (inside an app context)."""
    db.session.add(ModuleFeedback(user_id=user_id, cohort_id=cohort_id, module_id=module_id, usefulness=usefulness,
                                  clarity=clarity, comment=comment, created_at=when or utcnow()))
    db.session.commit()


def add_evaluation(user_id: int, cohort_id: int | None, before: int, after: int, usefulness: int = 4,
                   recommend: str = "yes", keep: str = "", change: str = "", when: datetime | None = None) -> None:
    """Insert an evaluation rating every objective with the same before/after pair (inside an app context)."""
    confidence = {str(n): {"before": before, "after": after} for n in range(1, 11)}
    db.session.add(CourseEvaluation(user_id=user_id, cohort_id=cohort_id, confidence=confidence, usefulness=usefulness,
                                    recommend=recommend, keep=keep, change=change, created_at=when or utcnow()))
    db.session.commit()


def first_module_id() -> str:
    """Return the id of the first classroom module (inside an app context)."""
    return required_modules()[0].id


def utc(year: int, month: int, day: int) -> datetime:
    """Return midday UTC on a date."""
    return datetime(year, month, day, 12, tzinfo=UTC)


__all__ = ["complete_modules", "accept_works", "add_feedback", "add_evaluation", "first_module_id", "utc",
           "all_modules"]
