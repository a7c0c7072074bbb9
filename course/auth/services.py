"""Account services: registration, sign-in checks and database-backed throttling."""
from __future__ import annotations

import secrets
from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..models import Cohort, Enrollment, LoginAttempt, Role, User
from ..names import assign_alias

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud in a room


class RegistrationError(ValueError):
    """Raised when an account cannot be created; the message says what to do."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """Return the email trimmed and lower-cased, as it is stored."""
    return email.strip().lower()


def normalise_join_code(code: str) -> str:
    """Return a join code without spaces or dashes, upper-cased."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_join_code(length: int = 6) -> str:
    """Return a join code that no cohort uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))
        if db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            return code


def find_cohort_by_code(code: str) -> Cohort | None:
    """Return the cohort with this join code, if any."""
    return db.session.scalar(select(Cohort).where(Cohort.join_code == normalise_join_code(code)))


def find_user(email: str) -> User | None:
    """Return the user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, role: Role = Role.LEARNER) -> User:
    """Add a user with a hashed password (the caller commits)."""
    user = User(email=normalise_email(email), display_name=display_name.strip(), role=role.value)
    user.set_password(password)
    db.session.add(user)
    return user


def register_learner(join_code: str, display_name: str, email: str, password: str) -> User:
    """Create a learner account enrolled in the cohort with this join code."""
    cohort = find_cohort_by_code(join_code)
    if cohort is None:
        raise RegistrationError(
            "join_code",
            "No cohort has that join code. Check the code with your trainer; it has six letters and digits.",
        )
    if find_user(email) is not None:
        raise RegistrationError(
            "email", "An account with this email already exists. Sign in instead, then join with the code."
        )
    user = create_user(email, display_name, password)
    enroll(user, cohort)
    return user


def enroll(user: User, cohort: Cohort) -> Enrollment:
    """Enroll an existing user in a cohort, once, with their number for anonymous review (the caller commits)."""
    for enrollment in user.enrollments:
        if enrollment.cohort_id == cohort.id:
            return enrollment
    enrollment = Enrollment(user=user, cohort=cohort)
    db.session.add(enrollment)
    assign_alias(cohort, user)
    return enrollment


def seconds_until_unlocked(email: str, ip: str) -> int:
    """Return how long sign-in is paused for this email or address (0 when it is not)."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    since = utcnow() - window
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    waits = []
    for column, value, allowed in (
        (LoginAttempt.email, normalise_email(email), limit),
        (LoginAttempt.ip, ip, limit * 4),
    ):
        if not value:
            continue
        failures = db.session.execute(
            select(func.count(), func.max(LoginAttempt.created_at)).where(
                column == value, LoginAttempt.success.is_(False), LoginAttempt.created_at >= since
            )
        ).one()
        if failures[0] >= allowed:
            latest = failures[1]
            if latest.tzinfo is None:
                latest = latest.replace(tzinfo=UTC)
            waits.append(int((latest + window - utcnow()).total_seconds()) + 1)
    return max(waits, default=0)


def record_attempt(email: str, ip: str, success: bool) -> None:
    """Store a sign-in attempt (the caller commits)."""
    db.session.add(LoginAttempt(email=normalise_email(email)[:254], ip=ip, success=success))
