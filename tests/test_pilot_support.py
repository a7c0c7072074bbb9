"""Helpers shared by the pilot and xAPI tests (this module holds no tests of its own)."""
from __future__ import annotations

from datetime import UTC, datetime

from course.completion.services import REQUIRED_KINDS, required_modules, rules
from course.curriculum.services import all_modules, get_module
from course.database import utcnow
from course.demo_progress import answers_for
from course.extensions import db
from course.models import ModuleProgress, Work, WorkStatus
from course.models.pilot import CourseEvaluation, ModuleFeedback
from course.models.quizzes import QuizAttempt
from course.quizzes.services import POOL_ID


def pass_check(user_id: int, quiz_id: str, percent: int = 100, kind: str = "module",
               when: datetime | None = None) -> None:
    """Store a scored attempt at a check, as taking it would (inside an app context; the caller commits)."""
    db.session.add(QuizAttempt(user_id=user_id, quiz_id=quiz_id, kind=kind, answers={}, item_scores={},
                               item_order=[], score=percent / 10, max_score=10, created_at=when or utcnow()))


def complete_modules(user_id: int, module_ids=None, when: datetime | None = None) -> None:
    """Complete modules the way the completion rules count them (inside an app context): a passing attempt at a
    module's check, the pre-course check for a module whose activity it is, the learner's mark otherwise."""
    ids = module_ids if module_ids is not None else [m.id for m in required_modules()]
    found = rules()
    for module_id in ids:
        module = get_module(module_id)
        rule = found.rule_for(module)
        if rule.counts == "check":
            pass_check(user_id, module.quiz, when=when)
        elif rule.counts == "activity" and rule.activity.type == "pre_check":
            pass_check(user_id, POOL_ID, kind="pre", when=when)
        elif rule.counts == "mark":
            row = db.session.scalar(db.select(ModuleProgress).filter_by(user_id=user_id, module_id=module_id))
            if row is None:
                row = ModuleProgress(user_id=user_id, module_id=module_id, last_position="")
                db.session.add(row)
            row.completed_at = when or utcnow()
        else:
            raise AssertionError(f"no test helper completes a {rule.activity.type} activity yet")
    db.session.commit()


def take_post_check(user_id: int, percent: int = 80) -> None:
    """Store the learner's post-course check (inside an app context)."""
    pass_check(user_id, POOL_ID, percent, kind="post")
    db.session.commit()


def finish_everything_but_modules(user_id: int, vignette_id: str = "hill-family") -> None:
    """Meet every requirement except the modules: post check, evaluation declined, an accepted set (app context)."""
    from course.models.pilot import EvaluationDecline

    take_post_check(user_id)
    decline = db.session.scalar(db.select(EvaluationDecline).filter_by(user_id=user_id))
    if decline is None:
        db.session.add(EvaluationDecline(user_id=user_id))
    else:
        decline.declined_at = utcnow()
    accept_works(user_id, vignette_id)


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
           "all_modules", "pass_check", "take_post_check", "finish_everything_but_modules"]


def take_check(user_id: int, quiz_id: str, right: int | None = None, kind: str = "module"):
    """Take a check through the quiz service (scored and announced as a real attempt); return the attempt."""
    from course.models import User
    from course.quizzes.loader import get_quiz
    from course.quizzes.services import record_attempt

    quiz = get_quiz(quiz_id)
    attempt, _ = record_attempt(db.session.get(User, user_id), quiz, kind, answers_for(quiz, right))
    db.session.commit()
    return attempt
