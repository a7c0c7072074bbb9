"""Classroom attendance: the trainer's record of each learner on each course day."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime
from .users import User


class AttendanceStatus(enum.StrEnum):
    """How much of a classroom day the learner was there for."""

    PRESENT = "present"
    PARTIAL = "partial"
    ABSENT = "absent"


ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.PARTIAL: "Partial",
    AttendanceStatus.ABSENT: "Absent",
}


class Attendance(db.Model):
    """One learner's attendance on one day of a cohort, as the trainer recorded it (the latest save wins)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id", "day"),
        CheckConstraint("day IN (1, 2)", name="day"),
        CheckConstraint("status IN ('present', 'partial', 'absent')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int | None] = mapped_column(Integer)  # classroom minutes attended, for a partial day
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set on every save, even an unchanged one: saving the day's register confirms each learner's record.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def state(self) -> AttendanceStatus:
        """Return the status as an enum."""
        return AttendanceStatus(self.status)

    @property
    def label(self) -> str:
        """Return the status in plain words, with the minutes for a partial day."""
        if self.state is AttendanceStatus.PARTIAL:
            return f"Partial ({self.minutes or 0} min)"
        return ATTENDANCE_LABELS[self.state]
