"""Pilot services: module feedback, the course evaluation, course completion and certificates."""
from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..completion.services import (  # noqa: F401  (re-exported: older callers read these here)
    REQUIRED_KINDS,
    CertificateStatus,
    certificate_status,
    hours_earned,
    required_modules,
    rules_problems,
)
from ..database import utcnow
from ..events import course_completed
from ..extensions import db
from ..models import Cohort, User
from ..models.pilot import Certificate, CourseEvaluation, EvaluationDecline, ModuleFeedback

# ---------------------------------------------------------------- module feedback


def cohort_id_of(user: User) -> int | None:
    """Return the learner's current cohort id (stored with their responses)."""
    cohort = user.cohort
    return cohort.id if cohort is not None else None


def feedback_for(user: User, module_id: str) -> ModuleFeedback | None:
    """Return the learner's feedback row for a module, if any."""
    return db.session.scalar(
        select(ModuleFeedback).where(ModuleFeedback.user_id == user.id, ModuleFeedback.module_id == module_id)
    )


def _feedback_row(user: User, module_id: str) -> ModuleFeedback:
    """Return the learner's feedback row for a module, creating it once even if two tabs race."""
    row = feedback_for(user, module_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = ModuleFeedback(user_id=user.id, module_id=module_id, cohort_id=cohort_id_of(user))
            db.session.add(row)
    except IntegrityError:
        row = feedback_for(user, module_id)
    return row


def save_feedback(user: User, module_id: str, usefulness: int, clarity: int, comment: str) -> ModuleFeedback:
    """Store the learner's ratings and comment for a module (the caller commits)."""
    row = _feedback_row(user, module_id)
    row.usefulness, row.clarity = usefulness, clarity
    row.comment = (comment or "").strip()[:2000]
    row.skipped = False
    row.cohort_id = cohort_id_of(user)
    return row


def skip_feedback(user: User, module_id: str) -> ModuleFeedback:
    """Remember that the learner chose not to rate a module, so the form is not offered again."""
    row = _feedback_row(user, module_id)
    if row.usefulness is None and row.clarity is None:
        row.skipped = True
    return row


# ---------------------------------------------------------------- course evaluation


def evaluation_for(user: User) -> CourseEvaluation | None:
    """Return the learner's course evaluation, if they gave one."""
    return db.session.scalar(select(CourseEvaluation).where(CourseEvaluation.user_id == user.id))


def save_evaluation(user: User, confidence: dict[int, tuple[int, int]], usefulness: int, recommend: str,
                    keep: str, change: str) -> CourseEvaluation:
    """Create or update the learner's evaluation (the caller commits)."""
    row = evaluation_for(user)
    cohort_id = cohort_id_of(user)
    if row is None:
        row = CourseEvaluation(user_id=user.id)
    row.cohort_id = cohort_id
    row.confidence = {str(n): {"before": before, "after": after} for n, (before, after) in sorted(confidence.items())}
    row.usefulness = usefulness
    row.recommend = recommend
    row.keep = (keep or "").strip()[:3000]
    row.change = (change or "").strip()[:3000]
    db.session.add(row)
    return row


# ---------------------------------------------------------------- declining the evaluation


def declined_evaluation(user: User) -> EvaluationDecline | None:
    """Return the learner's explicit choice not to give the evaluation, if they made it."""
    return db.session.scalar(select(EvaluationDecline).where(EvaluationDecline.user_id == user.id))


def decline_evaluation(user: User) -> EvaluationDecline:
    """Record that the learner chose not to give the evaluation (the caller commits); asking again renews it."""
    row = declined_evaluation(user)
    if row is None:
        try:
            with db.session.begin_nested():
                row = EvaluationDecline(user_id=user.id)
                db.session.add(row)
        except IntegrityError:  # a second tab declined at the same moment
            row = declined_evaluation(user)
    row.declined_at = utcnow()
    return row


# ---------------------------------------------------------------- certificates

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O or U to misread
CODE_LENGTH = 12  # 60 random bits
REVOKE_REASON_MAX = 1000


class CertificateError(ValueError):
    """A change to a certificate that cannot be made; the message says why and what to do."""


def new_code() -> str:
    """Return a random verification code no certificate uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    """Return a code as stored: upper case without spaces or dashes, with O read as 0 and I/L as 1."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def format_code(code: str) -> str:
    """Return a code in groups of four for reading aloud: ABCD-EFGH-JKMN."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def certificate_for(user: User) -> Certificate | None:
    """Return the learner's certificate in force (not revoked), if any."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                       Certificate.revoked_at.is_(None)))


def latest_revoked(user: User) -> Certificate | None:
    """Return the learner's most recently revoked certificate, if any."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                       Certificate.revoked_at.is_not(None))
                             .order_by(Certificate.revoked_at.desc(), Certificate.id.desc()).limit(1))


def requirements_since(user: User):
    """Return the time after which records count toward a new certificate: the latest revocation, or None.

    A revoked certificate is re-issued only when the learner completes again, so after a revocation only checks,
    reviews, records and answers made after it count toward the requirements.
    """
    revoked = latest_revoked(user)
    return revoked.revoked_at if revoked is not None else None


def standing(user: User) -> CertificateStatus:
    """Return the learner's standing against the certificate's requirements (counting from any revocation)."""
    return certificate_status(user, requirements_since(user))


def find_certificate(code: str) -> Certificate | None:
    """Return the certificate with this verification code, or None."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def trainer_names(cohort) -> str:
    """Return the cohort's trainers' names for the certificate, in the order they joined the cohort."""
    if cohort is None:
        return ""
    names = [t.display_name for t in cohort.trainers]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def issue_if_complete(user: User) -> Certificate | None:
    """Issue the learner's certificate once they meet every requirement; return it (or None if not yet).

    Nothing is issued while the completion rules have a problem: a certificate must follow the published rules.
    """
    existing = certificate_for(user)
    if existing is not None:
        return existing
    if user.role != "learner" or rules_problems() or not standing(user).complete:
        return None
    cohort = user.cohort
    try:
        with db.session.begin_nested():
            certificate = Certificate(
                user_id=user.id, cohort_id=cohort.id if cohort else None, code=new_code(), name=user.display_name,
                course=current_app.config.get("SITE_NAME", "SOP Foundations"), hours=hours_earned(user).hours,
                trainer=trainer_names(cohort), issued_at=utcnow(),
            )
            db.session.add(certificate)
    except IntegrityError:  # another request issued it at the same moment
        return certificate_for(user)
    course_completed.send(current_app._get_current_object(), user=user, certificate=certificate)
    return certificate


def can_revoke(user: User, certificate: Certificate) -> bool:
    """Return whether the user may revoke the certificate: an admin, or a trainer of the cohort it was issued in."""
    if not user.is_authenticated or not user.is_trainer:
        return False
    if user.is_admin:
        return True
    cohort = db.session.get(Cohort, certificate.cohort_id) if certificate.cohort_id else None
    return cohort is not None and any(t.id == user.id for t in cohort.trainers)


def revoke(certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate with a reason, recording who and when (the caller commits)."""
    reason = " ".join((reason or "").split())
    if certificate.revoked:
        raise CertificateError("This certificate was already revoked; its first revocation is kept.")
    if len(reason) < 10:
        raise CertificateError("Give the reason for revoking in a sentence (at least 10 characters); "
                               "it is shown on the verification page.")
    if len(reason) > REVOKE_REASON_MAX:
        raise CertificateError(f"Keep the reason under {REVOKE_REASON_MAX} characters.")
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = by.id
    certificate.revoked_by_name = by.display_name
    certificate.revoke_reason = reason
    db.session.flush()
    return certificate


def on_milestone(sender, user, **extra) -> None:
    """Check for course completion whenever something the requirements count happens."""
    issue_if_complete(user)
