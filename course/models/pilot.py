"""Pilot evaluation: module feedback, the end-of-course evaluation and completion certificates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime
from .users import User


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


class Certificate(db.Model):
    """Proof that a learner completed the course, checkable by anyone holding its code."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Snapshots: the certificate says what was true when it was issued.
    name: Mapped[str] = mapped_column(String(120))
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Numeric(4, 1, asdecimal=False))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
