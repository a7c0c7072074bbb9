"""Cohort services: creating cohorts and deciding who may see them."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.services import new_join_code
from ..extensions import db
from ..models import Cohort, User


def create_cohort(trainer: User, name: str, day1=None, day2=None, anonymous_review: bool = False) -> Cohort:
    """Create a cohort led by the trainer, with a fresh join code (the caller commits)."""
    cohort = Cohort(name=name.strip(), day1_date=day1, day2_date=day2, join_code=new_join_code(), anonymous_review=anonymous_review)
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
