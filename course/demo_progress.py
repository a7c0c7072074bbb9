"""Demo data: learner@example.org is part way through a classroom cohort, so every part of the completion rules
shows: checks passed and one not yet, the pre-course check, a marked module, Day 1 attendance and what is
still missing for the certificate."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .auth.services import find_user
from .database import utcnow
from .extensions import db
from .models import Cohort
from .models.attendance import Attendance
from .models.quizzes import QuizAttempt

DEMO_LEARNER = "learner@example.org"
# Module checks the demo learner has taken, with how many items they got right (None: all of them).
CHECKS_TAKEN = (("what-is-sop", None), ("trauma-informed", None), ("icpm", None), ("key-terms-check", 3))
MARKED = ("welcome",)


def answers_for(quiz, right: int | None = None) -> dict:
    """Return answers to a check in the scoring format: the first `right` items right, the rest wrong."""
    answers = {}
    for index, item in enumerate(quiz.items):
        good = right is None or index < right
        if item.type == "single":
            correct = next(i for i, o in enumerate(item.options) if o.correct)
            answers[item.id] = correct if good else (correct + 1) % len(item.options)
        elif item.type == "multiple":
            answers[item.id] = [i for i, o in enumerate(item.options) if o.correct == good]
        elif item.type == "match":
            order = list(range(len(item.pairs)))
            answers[item.id] = order if good else order[1:] + order[:1]
        else:
            columns = [e.column for e in item.entries]
            answers[item.id] = columns if good else [next(c for c in item.columns if c != col) for col in columns]
    return answers


def _classroom_dates(cohort: Cohort) -> None:
    """Give the demo cohort classroom days (Day 1 yesterday, Day 2 next week) if it has none yet."""
    if cohort.day1_date is None and cohort.day2_date is None:
        today = utcnow().date()
        cohort.day1_date, cohort.day2_date = today - timedelta(days=1), today + timedelta(days=6)


def seed(cohort: Cohort) -> list[str]:
    """Give the demo learner some honest progress, once: checks, the pre-check, a mark and Day 1 attendance."""
    from .attendance.services import Entry, save_day
    from .curriculum.services import set_complete
    from .quizzes.loader import get_quiz
    from .quizzes.services import POOL_ID, record_attempt

    user = find_user(DEMO_LEARNER)
    if user is None or db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.user_id == user.id).limit(1)):
        return []
    _classroom_dates(cohort)
    pool = get_quiz(POOL_ID)
    if pool is not None:
        record_attempt(user, pool, "pre", answers_for(pool, right=len(pool.items) // 3))
    for quiz_id, right in CHECKS_TAKEN:
        quiz = get_quiz(quiz_id)
        if quiz is not None:
            record_attempt(user, quiz, "module", answers_for(quiz, right))
    for module_id in MARKED:
        set_complete(user, module_id)
    trainer = cohort.trainers[0] if cohort.trainers else None
    already = db.session.scalar(select(Attendance.id).where(Attendance.cohort_id == cohort.id,
                                                            Attendance.user_id == user.id))
    if trainer is not None and already is None:
        save_day(cohort, 1, [Entry(user.id, "present")], trainer)
    return [f"  Progress: {DEMO_LEARNER} passed three Day 1 checks (one more is below the mark), took the "
            "pre-course check and was present on Day 1; the certificate page lists what is left."]
