"""Practice plans a learner drafts for a family beyond the statements: the safety network and child interviews."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime


class PracticeWork(db.Model):
    """One learner's plan for a family: a network exercise, or a child interview for one child (the subject)."""

    __tablename__ = "practice_works"
    __table_args__ = (UniqueConstraint("user_id", "vignette_id", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # network | child_interview
    subject: Mapped[str] = mapped_column(String(80), default="")  # the child's key for an interview, else ""
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the learner's answers (course.exercises.practice)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every save; optimistic check
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_revision: Mapped[int | None] = mapped_column(Integer)  # the revision the latest check graded
    verdict: Mapped[str | None] = mapped_column(String(16))  # that check's verdict: ready | revise
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[PracticeVersion]] = relationship(
        back_populates="work", order_by="PracticeVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> PracticeVersion | None:
        """Return the newest kept version, if any."""
        return self.versions[-1] if self.versions else None


class PracticeVersion(db.Model):
    """A checked version of a practice plan: the answers, the text the grader read, and its report."""

    __tablename__ = "practice_versions"
    __table_args__ = (UniqueConstraint("work_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("practice_works.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    report: Mapped[dict | None] = mapped_column(JSON)  # full, capped; only the latest version keeps it
    summary: Mapped[dict | None] = mapped_column(JSON)  # categories, components, verdict (course.exercises.versions)
    verdict: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    work: Mapped[PracticeWork] = relationship(back_populates="versions")
