"""Accounts, cohorts, enrollments and login throttling."""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime


class Role(enum.StrEnum):
    """What a user may do: learners study, trainers run cohorts, admins run the site."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


cohort_trainers = Table(
    "cohort_trainers",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    """Return a fresh random session token."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person who signs in: learner, trainer or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember cookie; a new value signs the user out everywhere at once.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="user", cascade="all, delete-orphan")
    trainer_cohorts: Mapped[list[Cohort]] = relationship(secondary=cohort_trainers, back_populates="trainers")

    sign_in_token = None  # str: this request's sign-in (not stored here: see SignIn), set by the user loader

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Return whether the account may sign in."""
        return self.active

    def get_id(self) -> str:
        """Return what the session and remember cookies carry: id, session token and this sign-in's token."""
        return f"{self.id}:{self.session_token}:{self.sign_in_token or ''}"

    def rotate_session_token(self) -> None:
        """Sign the user out everywhere: every cookie that carries the old token stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, with the app's PASSWORD_HASH_METHOD."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        """Return whether the user holds one of the roles (admins hold every role)."""
        return self.role == Role.ADMIN.value or self.role in roles

    @property
    def is_trainer(self) -> bool:
        """Return whether the user can see trainer notes and run cohorts."""
        return self.role in (Role.TRAINER.value, Role.ADMIN.value)

    @property
    def is_admin(self) -> bool:
        """Return whether the user administers the site."""
        return self.role == Role.ADMIN.value

    @property
    def cohort(self) -> Cohort | None:
        """Return the learner's current cohort (the latest enrollment)."""
        if not self.enrollments:
            return None
        return max(self.enrollments, key=lambda e: e.joined_at).cohort


class Cohort(db.Model):
    """A group of learners taking the course together, with their trainers."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    day1_date: Mapped[date | None] = mapped_column(Date)
    day2_date: Mapped[date | None] = mapped_column(Date)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    join_code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    anonymous_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # IANA zone for every time shown about this cohort (course/timezones.py); the course is Californian.
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles",
                                           server_default="America/Los_Angeles")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who created the cohort: a co-trainer cannot remove them (None for cohorts made before this was kept).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    trainers: Mapped[list[User]] = relationship(secondary=cohort_trainers, back_populates="trainer_cohorts")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort", cascade="all, delete-orphan")

    @property
    def learners(self) -> list[User]:
        """Return the enrolled learners, by name."""
        return sorted((e.user for e in self.enrollments), key=lambda u: u.display_name.lower())


class Enrollment(db.Model):
    """A learner's membership of a cohort."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="enrollments")
    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")


class SignIn(db.Model):
    """One signed-in browser: its token (hashed) is in that browser's cookies, so signing out here deletes it."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AccountToken(db.Model):
    """A one-time link sent by email (password reset, email verification), stored only as a hash."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # reset | verify
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CohortInvitation(db.Model):
    """A trainer's invitation to co-lead a cohort; the invited trainer gets access only by accepting it."""

    __tablename__ = "cohort_invitations"
    __table_args__ = (UniqueConstraint("cohort_id", "invitee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    invitee: Mapped[User] = relationship(foreign_keys=[invitee_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
