"""Cohort services: creating cohorts and deciding who may see them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from ..auth.services import enroll, find_user, new_join_code
from ..curriculum.services import completion
from ..extensions import db
from ..mail import queue_mail
from ..models import Cohort, CohortInvitation, Enrollment, MappingAttempt, User, Work
from ..timezones import DEFAULT_ZONE
from ..vignettes import get_vignette


def create_cohort(trainer: User, name: str, day1=None, day2=None, anonymous_review: bool = False,
                  time_zone: str = DEFAULT_ZONE) -> Cohort:
    """Create a cohort led by the trainer, with a fresh join code (the caller commits)."""
    cohort = Cohort(name=name.strip(), day1_date=day1, day2_date=day2, join_code=new_join_code(),
                    anonymous_review=anonymous_review, created_by_id=trainer.id, time_zone=time_zone)
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


def invite_trainer(cohort: Cohort, email: str, inviter: User, site: str) -> CohortInvitation:
    """Invite a trainer to co-lead the cohort; they get access only once they accept (the caller commits)."""
    user = find_user(email)
    if user is None or not user.is_trainer or not user.active:
        raise CohortError("No trainer account has that email. Ask an admin to create it or give it the trainer role.")
    if user in cohort.trainers:
        raise CohortError(f"{user.display_name} already leads this cohort.")
    if pending_invitation(cohort, user.id) is not None:
        raise CohortError(f"{user.display_name} is already invited. They accept under Cohorts, Invitations.")
    invitation = CohortInvitation(cohort=cohort, invitee=user, invited_by=inviter)
    db.session.add(invitation)
    queue_mail(user.email, f"{inviter.display_name} invites you to co-lead {cohort.name}",
               f"Hello {user.display_name},\n\n{inviter.display_name} invites you to co-lead the cohort "
               f"\"{cohort.name}\" in SOP Foundations.\n"
               f"To accept or decline, sign in and open {site}/cohorts/invitations\n\n"
               "You get no access to the cohort until you accept.\n", category="invitation")
    return invitation


def pending_invitation(cohort: Cohort, user_id: int) -> CohortInvitation | None:
    """Return the cohort's open invitation for this trainer, if any."""
    return db.session.scalar(select(CohortInvitation).where(CohortInvitation.cohort_id == cohort.id,
                                                            CohortInvitation.invitee_id == user_id))


def cohort_invitations(cohort: Cohort) -> list[CohortInvitation]:
    """Return the cohort's open invitations, oldest first."""
    return list(db.session.scalars(select(CohortInvitation).where(CohortInvitation.cohort_id == cohort.id)
                                   .order_by(CohortInvitation.created_at, CohortInvitation.id)))


def invitations_for(user: User) -> list[CohortInvitation]:
    """Return the invitations waiting for this trainer's answer, oldest first."""
    return list(db.session.scalars(select(CohortInvitation).where(CohortInvitation.invitee_id == user.id)
                                   .order_by(CohortInvitation.created_at, CohortInvitation.id)))


def answer_invitation(invitation_id: int, user: User, accept: bool) -> Cohort:
    """Accept (joining the cohort's trainers) or decline an invitation addressed to this user (the caller commits)."""
    invitation = db.session.get(CohortInvitation, invitation_id)
    if invitation is None or invitation.invitee_id != user.id:
        abort(404)  # someone else's invitation is not revealed
    cohort = invitation.cohort
    if accept and user not in cohort.trainers:
        cohort.trainers.append(user)
    db.session.delete(invitation)
    return cohort


def withdraw_invitation(cohort: Cohort, invitation_id: int) -> CohortInvitation:
    """Withdraw an open invitation to this cohort (the caller commits)."""
    invitation = db.session.get(CohortInvitation, invitation_id)
    if invitation is None or invitation.cohort_id != cohort.id:
        raise CohortError("That invitation was already answered or withdrawn.")
    db.session.delete(invitation)
    return invitation


def remove_trainer(cohort: Cohort, user_id: int, actor: User) -> User:
    """Remove a trainer, keeping at least one; only the creator or an admin removes the creator (caller commits)."""
    user = next((t for t in cohort.trainers if t.id == user_id), None)
    if user is None:
        raise CohortError("That person does not lead this cohort.")
    if len(cohort.trainers) == 1:
        raise CohortError("A cohort needs at least one trainer. Add another trainer before removing this one.")
    if cohort.created_by_id == user.id and actor.id != user.id and not actor.is_admin:
        raise CohortError(f"{user.display_name} created this cohort, so only they or an admin can remove them.")
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
