"""Pilot evaluation: module feedback, the end-of-course evaluation and completion certificates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime
from .users import Cohort, User


class ModuleFeedback(db.Model):
    """A learner's 1-5 ratings of one module (or their choice to skip), with an optional comment."""

    __tablename__ = "module_feedback"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The cohort when the feedback was given, so reports stay stable if the learner moves cohort.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    module_id: Mapped[str] = mapped_column(String(80), index=True)
    usefulness: Mapped[int | None] = mapped_column(Integer)
    clarity: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CourseEvaluation(db.Model):
    """A learner's end-of-course evaluation: retrospective confidence per objective and overall views."""

    __tablename__ = "course_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    # Objective number (as a string key) -> {"before": 1-5, "after": 1-5}.
    confidence: Mapped[dict] = mapped_column(JSON, default=dict)
    usefulness: Mapped[int] = mapped_column(Integer)
    recommend: Mapped[str] = mapped_column(String(8))  # yes | maybe | no
    keep: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EvaluationDecline(db.Model):
    """A learner's explicit choice not to give the course evaluation (the certificate accepts either)."""

    __tablename__ = "evaluation_declines"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# A learner holds at most one certificate that is not revoked; revoked ones stay, so their codes still verify
# (as revoked).
ACTIVE_ONLY = text("revoked_at IS NULL")


class Certificate(db.Model):
    """Proof that a learner completed the course, checkable by anyone holding its code."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("uq_certificates_active_user", "user_id", unique=True, sqlite_where=ACTIVE_ONLY,
              postgresql_where=ACTIVE_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Snapshots: the certificate says what was true when it was issued.
    name: Mapped[str] = mapped_column(String(120))
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Numeric(4, 1, asdecimal=False))
    trainer: Mapped[str] = mapped_column(String(255), default="")  # the cohort's trainers' names, or ""
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Revocation, kept as its own audit record: who, when and why.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_by_name: Mapped[str] = mapped_column(String(120), default="")  # kept if the account goes
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    cohort: Mapped[Cohort | None] = relationship(foreign_keys=[cohort_id])

    @property
    def time_zone(self) -> str | None:
        """Return the zone the certificate's dates are in: its cohort's, so every viewer sees the printed date."""
        return self.cohort.time_zone if self.cohort is not None else None

    @property
    def revoked(self) -> bool:
        """Return whether the certificate was revoked."""
        return self.revoked_at is not None
