"""How trainers see learners' names: real names, or "Learner 7" in anonymous cohorts until revealed.

Shared by every feature that shows learners to trainers (cohorts, review, exports). A learner's
number is given when they join a cohort (a POST), so no page that only shows names ever writes.
"""
from __future__ import annotations

from flask import session
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import Cohort, User
from .models.review import LearnerAlias

REVEAL_KEY = "review_revealed_cohorts"


def assign_alias(cohort: Cohort, user: User) -> None:
    """Give a learner joining a cohort the next number in it, once (the caller commits); kept when they leave."""
    db.session.flush()  # the user and enrollment exist before the savepoint below
    for _attempt in range(5):
        known = select(LearnerAlias.id).where(LearnerAlias.cohort_id == cohort.id, LearnerAlias.user_id == user.id)
        if db.session.scalar(known) is not None:
            return
        top = db.session.scalar(select(func.max(LearnerAlias.number)).where(LearnerAlias.cohort_id == cohort.id))
        try:
            with db.session.begin_nested():
                db.session.add(LearnerAlias(cohort_id=cohort.id, user_id=user.id, number=(top or 0) + 1))
        except IntegrityError:  # another learner joined at the same moment and took that number: read again
            continue
        return
    raise RuntimeError(f"could not number a learner in cohort {cohort.id}: too many joined at once; try again")


def aliases(cohort: Cohort) -> dict[int, int]:
    """Return user id -> number for everyone ever numbered in the cohort."""
    rows = db.session.execute(select(LearnerAlias.user_id, LearnerAlias.number)
                              .where(LearnerAlias.cohort_id == cohort.id))
    return {user_id: number for user_id, number in rows}


def is_revealed(cohort: Cohort) -> bool:
    """Return whether the trainer chose to see names in this anonymous cohort (this session)."""
    return cohort.id in session.get(REVEAL_KEY, [])


def set_revealed(cohort: Cohort, revealed: bool) -> None:
    """Remember, for this session, whether names are shown for the cohort."""
    ids = set(session.get(REVEAL_KEY, []))
    ids.add(cohort.id) if revealed else ids.discard(cohort.id)
    session[REVEAL_KEY] = sorted(ids)


def hides_names(cohort: Cohort | None) -> bool:
    """Return whether names must be hidden for the cohort right now."""
    return cohort is not None and cohort.anonymous_review and not is_revealed(cohort)


class Namer:
    """Names learners for one trainer view, hiding them wherever their cohort asks for it."""

    def __init__(self):
        self._aliases: dict[int, dict[int, int]] = {}

    def alias_number(self, cohort: Cohort, user: User) -> int:
        """Return the learner's number in the cohort (0 when they have left it)."""
        if cohort.id not in self._aliases:
            self._aliases[cohort.id] = aliases(cohort)
        return self._aliases[cohort.id].get(user.id, 0)

    def alias(self, cohort: Cohort, user: User) -> str:
        """Return "Learner N" for the user in the cohort ("A learner" for one never numbered in it)."""
        number = self.alias_number(cohort, user)
        return f"Learner {number}" if number else "A learner"

    def name(self, user: User, cohort: Cohort | None) -> str:
        """Return what the trainer should see for this learner in this cohort."""
        return self.alias(cohort, user) if hides_names(cohort) else user.display_name

    def sort_key(self, user: User, cohort: Cohort | None) -> tuple:
        """Return a key that orders learners by alias number, or by name when names show."""
        if hides_names(cohort):
            return (self.alias_number(cohort, user), "")
        return (0, user.display_name.lower())

    def email(self, user: User, cohort: Cohort | None) -> str:
        """Return the learner's email, or an empty string while names are hidden."""
        return "" if hides_names(cohort) else user.email
