"""How trainers see learners' names: real names, or "Learner 7" in anonymous cohorts until revealed."""
from __future__ import annotations

from flask import session
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Cohort, Enrollment, User
from ..models.review import LearnerAlias

REVEAL_KEY = "review_revealed_cohorts"


def ensure_aliases(cohort: Cohort) -> dict[int, int]:
    """Give every enrolled learner a stable number in enrollment order; return user id -> number."""
    for _attempt in range(3):
        known = {
            a.user_id: a.number
            for a in db.session.scalars(select(LearnerAlias).where(LearnerAlias.cohort_id == cohort.id))
        }
        enrollments = db.session.scalars(
            select(Enrollment).where(Enrollment.cohort_id == cohort.id).order_by(Enrollment.joined_at, Enrollment.id)
        )
        missing = [e.user_id for e in enrollments if e.user_id not in known]
        if not missing:
            return known
        top = db.session.scalar(select(func.max(LearnerAlias.number)).where(LearnerAlias.cohort_id == cohort.id)) or 0
        try:
            with db.session.begin_nested():
                for offset, user_id in enumerate(missing, start=1):
                    db.session.add(LearnerAlias(cohort_id=cohort.id, user_id=user_id, number=top + offset))
        except IntegrityError:  # another request numbered them at the same moment: read again
            continue
        db.session.commit()
    return {
        a.user_id: a.number for a in db.session.scalars(select(LearnerAlias).where(LearnerAlias.cohort_id == cohort.id))
    }


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
            self._aliases[cohort.id] = ensure_aliases(cohort)
        return self._aliases[cohort.id].get(user.id, 0)

    def alias(self, cohort: Cohort, user: User) -> str:
        """Return "Learner N" for the user in the cohort."""
        number = self.alias_number(cohort, user)
        return f"Learner {number}" if number else "A former learner"

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
