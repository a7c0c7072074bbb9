"""Account services: registration, join codes, password checks with equal work, deactivation."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db
from ..models import Cohort, Enrollment, Role, User
from ..names import assign_alias
from .sessions import end_every_sign_in

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud in a room


class RegistrationError(ValueError):
    """Raised when an account cannot be created; the message says what to do."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class EmailTaken(RegistrationError):
    """Raised when the email already has an account (the view decides how much to say, and to whom)."""

    def __init__(self):
        super().__init__("email", "We could not create an account with this email. If it is yours, sign in, or reset "
                                  "your password if you have forgotten it. To join another cohort with your account, "
                                  "ask your trainer.")


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
    """Return the cohort with this join code, if any (expired or not)."""
    return db.session.scalar(select(Cohort).where(Cohort.join_code == normalise_join_code(code)))


def join_code_expires_on(cohort: Cohort) -> date:
    """Return the last day the cohort's join code works: COHORT_CODE_EXPIRY_DAYS after Day 2 (or Day 1, or the
    day the code was made), or after the day the trainer last rotated it, whichever is later."""
    days = timedelta(days=int(current_app.config["COHORT_CODE_EXPIRY_DAYS"]))
    issued = (cohort.join_code_issued_at or cohort.created_at or utcnow()).date()
    anchor = max(cohort.day2_date or cohort.day1_date or issued, issued)
    return anchor + days


def join_code_expired(cohort: Cohort) -> bool:
    """Return whether the cohort's join code no longer admits new learners."""
    return utcnow().date() > join_code_expires_on(cohort)


def rotate_join_code(cohort: Cohort) -> str:
    """Give the cohort a new join code at once; the old one stops working (the caller commits)."""
    cohort.join_code = new_join_code()
    cohort.join_code_issued_at = utcnow()
    return cohort.join_code


def find_user(email: str) -> User | None:
    """Return the user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, role: Role = Role.LEARNER, verified: bool = True) -> User:
    """Add a user with a hashed password (the caller commits); `verified` marks the email as confirmed."""
    user = User(email=normalise_email(email), display_name=display_name.strip(), role=role.value,
                email_verified_at=utcnow() if verified else None)
    user.set_password(password)
    db.session.add(user)
    return user


def cohort_for_registration(join_code: str) -> Cohort:
    """Return the cohort a join code admits, or raise with what to do."""
    cohort = find_cohort_by_code(join_code)
    if cohort is None:
        raise RegistrationError(
            "join_code",
            "No cohort has that join code. Check the code with your trainer; it has six letters and digits.",
        )
    if join_code_expired(cohort):
        raise RegistrationError("join_code", "That join code has expired. Ask your trainer for the cohort's new code.")
    return cohort


def register_learner(cohort: Cohort, display_name: str, email: str, password: str, verified: bool = True) -> User:
    """Create a learner account enrolled in the cohort; raise EmailTaken (after equal work) if the email has one."""
    if find_user(email) is not None:
        spend_hash_time(password)  # the same hashing cost as creating the account, so timing does not tell
        raise EmailTaken()
    user = create_user(email, display_name, password, verified=verified)
    enroll(user, cohort)
    return user


_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """Return a hash of a random secret made with the app's method (once per process), to check against."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _dummy_hashes[method]


def spend_hash_time(password: str) -> None:
    """Hash the password and throw the result away: the cost of creating an account, without creating one."""
    generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def check_credentials(email: str, password: str) -> User | None:
    """Return the user whose email and password match, doing the same hashing work when the email is unknown."""
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None


def set_active(user: User, active: bool) -> None:
    """Deactivate (signing out everywhere at once) or reactivate an account (the caller commits)."""
    user.active = active
    if not active:
        end_every_sign_in(user)


def change_password(user: User, new_password: str) -> None:
    """Store a new password and end every sign-in (the caller commits, then may sign this browser in again)."""
    user.set_password(new_password)
    end_every_sign_in(user)


def enroll(user: User, cohort: Cohort) -> Enrollment:
    """Enroll an existing user in a cohort, once, with their number for anonymous review (the caller commits)."""
    for enrollment in user.enrollments:
        if enrollment.cohort_id == cohort.id:
            return enrollment
    enrollment = Enrollment(user=user, cohort=cohort)
    db.session.add(enrollment)
    assign_alias(cohort, user)
    return enrollment
