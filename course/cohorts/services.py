"""Cohort services: creating cohorts and deciding who may see them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from ..auth.services import enroll, find_user, new_join_code
from ..curriculum.services import completion
from ..extensions import db
from ..models import Cohort, Enrollment, MappingAttempt, User, Work
from ..vignettes import get_vignette


def create_cohort(trainer: User, name: str, day1=None, day2=None, anonymous_review: bool = False) -> Cohort:
    """Create a cohort led by the trainer, with a fresh join code (the caller commits)."""
    cohort = Cohort(
        name=name.strip(), day1_date=day1, day2_date=day2, join_code=new_join_code(), anonymous_review=anonymous_review
    )
    cohort.trainers.append(trainer)
    db.session.add(cohort)
    return cohort


def visible_cohorts(user: User) -> list[Cohort]:
    """Return the cohorts a trainer leads, or every cohort for an admin."""
    query = select(Cohort).order_by(Cohort.created_at.desc())
    if not user.is_admin:
        query = query.where(Cohort.trainers.any(User.id == user.id))
    return list(db.session.scalars(query))


def can_manage(user: User, cohort: Cohort) -> bool:
    """Return whether the user leads the cohort or is an admin."""
    return user.is_admin or any(t.id == user.id for t in cohort.trainers)


def managed_cohort(cohort_id: int, user: User) -> Cohort:
    """Return a cohort the user manages; anyone else gets 404 so ids are not revealed."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_manage(user, cohort):
        abort(404)
    return cohort


# ---------------------------------------------------------------- managing a cohort's people

class CohortError(ValueError):
    """A change to a cohort that cannot be made; the message says why."""


def add_trainer(cohort: Cohort, email: str) -> User:
    """Add a co-trainer by email; they need a trainer or admin account (the caller commits)."""
    user = find_user(email)
    if user is None or not user.is_trainer:
        raise CohortError("No trainer account has that email. Ask an admin to create it or give it the trainer role.")
    if user in cohort.trainers:
        raise CohortError(f"{user.display_name} already leads this cohort.")
    cohort.trainers.append(user)
    return user


def remove_trainer(cohort: Cohort, user_id: int) -> User:
    """Remove a co-trainer, keeping at least one (the caller commits)."""
    user = next((t for t in cohort.trainers if t.id == user_id), None)
    if user is None:
        raise CohortError("That person does not lead this cohort.")
    if len(cohort.trainers) == 1:
        raise CohortError("A cohort needs at least one trainer. Add another trainer before removing this one.")
    cohort.trainers.remove(user)
    return user


def enrollment_or_none(cohort: Cohort, user_id: int) -> Enrollment | None:
    """Return the learner's enrollment in the cohort, if any."""
    return next((e for e in cohort.enrollments if e.user_id == user_id), None)


def remove_learner(cohort: Cohort, user_id: int) -> None:
    """Take a learner out of the cohort; their account and work stay (the caller commits)."""
    enrollment = enrollment_or_none(cohort, user_id)
    if enrollment is None:
        raise CohortError("That learner is not in this cohort.")
    cohort.enrollments.remove(enrollment)


def move_learner(cohort: Cohort, user_id: int, target: Cohort) -> None:
    """Move a learner from this cohort to another one (the caller commits)."""
    if target.id == cohort.id:
        raise CohortError("Choose a different cohort to move the learner to.")
    enrollment = enrollment_or_none(cohort, user_id)
    if enrollment is None:
        raise CohortError("That learner is not in this cohort.")
    user = enrollment.user
    cohort.enrollments.remove(enrollment)
    db.session.flush()
    enroll(user, target)


# ---------------------------------------------------------------- progress on the roster

@dataclass
class LearnerProgress:
    """One learner's progress for the roster and the progress export."""

    user: User
    done: int
    total: int
    mapping: list[tuple[str, int, int]]  # (vignette title, correct, total) from the latest attempt
    works: list[Work]

    @property
    def percent(self) -> int:
        """Return modules done as a whole percent."""
        return round(100 * self.done / self.total) if self.total else 0


def learner_progress(user: User) -> LearnerProgress:
    """Return the learner's modules done, latest mapping scores and statements."""
    done, total = completion(user)
    attempts = db.session.scalars(
        select(MappingAttempt)
        .where(MappingAttempt.user_id == user.id)
        .order_by(MappingAttempt.created_at, MappingAttempt.id)
    )
    latest = {a.vignette_id: a for a in attempts}
    mapping = []
    for vignette_id, attempt in sorted(latest.items()):
        vignette = get_vignette(vignette_id)
        mapping.append((vignette.title if vignette else vignette_id, attempt.correct, attempt.total))
    works = list(db.session.scalars(
        select(Work).where(Work.user_id == user.id).order_by(Work.vignette_id, Work.kind, Work.position)
    ))
    return LearnerProgress(user, done, total, mapping, works)
