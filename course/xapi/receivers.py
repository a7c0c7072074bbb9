"""Signal receivers: each course milestone becomes one statement in the outbox (nothing is sent here)."""
from __future__ import annotations

from flask import current_app

from .. import events
from . import statements
from .outbox import enqueue


def _cohort_id(user) -> int | None:
    """Return the learner's current cohort id, for per-cohort export."""
    cohort = getattr(user, "cohort", None)
    return cohort.id if cohort is not None else None


def _include_text() -> bool:
    """Return whether learner text may travel in statements (off unless XAPI_INCLUDE_LEARNER_TEXT)."""
    return bool(current_app.config.get("XAPI_INCLUDE_LEARNER_TEXT"))


def on_module_completed(sender, user, module_id, **extra) -> None:
    """Queue 'completed module'."""
    from ..curriculum.services import get_module

    cohort_id = _cohort_id(user)
    statement = statements.module_completed(user, get_module(module_id) or module_id, cohort_id)
    enqueue(statement, user, "completed", cohort_id)


def on_quiz_scored(sender, user, quiz_id, score, max_score, **extra) -> None:
    """Queue 'scored knowledge check'."""
    cohort_id = _cohort_id(user)
    enqueue(statements.quiz_scored(user, quiz_id, score, max_score, cohort_id), user, "scored", cohort_id)


def on_work_submitted(sender, user, work, version=None, **extra) -> None:
    """Queue 'submitted exercise'."""
    cohort_id = _cohort_id(user)
    statement = statements.work_submitted(user, work, version, _include_text(), cohort_id)
    enqueue(statement, user, "submitted", cohort_id)


def on_work_accepted(sender, user, work, version=None, score=None, **extra) -> None:
    """Queue 'passed exercise', with the trainer's rubric score when there is one."""
    cohort_id = _cohort_id(user)
    statement = statements.work_accepted(user, work, version, score, _include_text(), cohort_id)
    enqueue(statement, user, "passed", cohort_id)


def on_course_completed(sender, user, certificate=None, **extra) -> None:
    """Queue 'completed course'."""
    cohort_id = _cohort_id(user)
    enqueue(statements.course_completed(user, certificate, cohort_id), user, "completed", cohort_id)


def on_drill_graded(sender, user, drill_id, ready, practice=False, **extra) -> None:
    """Queue 'attempted drill' (habit practice when the drill was picked for the learner's habits)."""
    cohort_id = _cohort_id(user)
    enqueue(statements.drill_attempted(user, drill_id, ready, practice, cohort_id), user, "attempted", cohort_id)


def on_follow_up_answered(sender, user, **extra) -> None:
    """Queue 'answered 30-day follow-up'."""
    cohort_id = _cohort_id(user)
    enqueue(statements.follow_up_answered(user, cohort_id), user, "answered", cohort_id)


RECEIVERS = (
    (events.module_completed, on_module_completed),
    (events.quiz_scored, on_quiz_scored),
    (events.work_submitted, on_work_submitted),
    (events.work_accepted, on_work_accepted),
    (events.course_completed, on_course_completed),
    (events.drill_graded, on_drill_graded),
    (events.follow_up_answered, on_follow_up_answered),
)


def connect() -> None:
    """Connect every receiver (connecting twice is harmless: blinker keeps one entry per function)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, weak=False)
