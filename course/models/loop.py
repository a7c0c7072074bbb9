"""The learning loop: the follow-up a learner answers 30 days after their certificate, and re-graded summaries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime


class FollowUp(db.Model):
    """A learner's answers to the follow-up 30 days after their certificate (fictionalised before it is stored)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # The cohort when answered, so the report stays stable if the learner moves cohort.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    tool_use: Mapped[dict] = mapped_column(JSON, default=dict)  # tool id -> frequency id
    obstacles: Mapped[list] = mapped_column(JSON, default=list)  # obstacle ids
    obstacle_note: Mapped[str] = mapped_column(Text, default="")  # redacted
    statement_kind: Mapped[str] = mapped_column(String(20))
    statement: Mapped[str] = mapped_column(Text)  # redacted: names replaced with [Parent], [Child] ...
    summary: Mapped[dict | None] = mapped_column(JSON)  # the grader's short summary of the statement
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RegradedSummary(db.Model):
    """A kept version's text graded again by a later grader version, so growth compares like with like.

    Filled by `flask regrade-growth` (never in a page request); one row per version and grader version.
    A row with an error and no summary is a text the grader refused (the error says why).
    """

    __tablename__ = "regraded_summaries"
    __table_args__ = (UniqueConstraint("version_id", "grader_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("work_versions.id", ondelete="CASCADE"), index=True)
    grader_version: Mapped[str] = mapped_column(String(60), index=True)
    summary: Mapped[dict | None] = mapped_column(JSON)  # course.exercises.versions.summarise of the new report
    error: Mapped[str | None] = mapped_column(Text)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
