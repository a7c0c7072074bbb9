"""Trainer review: reviews of submitted versions, inline comments, comment banks,
feedback on the grader, and the stable "Learner 7" aliases used in anonymous cohorts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime
from .users import User
from .work import Work, WorkVersion


class Review(db.Model):
    """A trainer's review of one submitted version: rubric, overall comment and decision."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("work_versions.id", ondelete="CASCADE"), unique=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    rubric: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion id -> {"score": ..., "comment": ...}
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(16))  # accept | return; None while in progress
    score: Mapped[float | None] = mapped_column(Float)  # fraction of rubric criteria scored Meets
    grader_verdict: Mapped[str | None] = mapped_column(String(16))  # the grader's verdict when decided
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    work: Mapped[Work] = relationship()
    version: Mapped[WorkVersion] = relationship()
    trainer: Mapped[User | None] = relationship()
    comments: Mapped[list[InlineComment]] = relationship(
        back_populates="review", order_by="InlineComment.start", cascade="all, delete-orphan"
    )


class InlineComment(db.Model):
    """A comment anchored to a span [start, end) of the reviewed version's text."""

    __tablename__ = "inline_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)  # the text at [start, end) when the comment was made
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="comments")


class CommentBankEntry(db.Model):
    """A comment a trainer saved to insert again in later reviews."""

    __tablename__ = "comment_bank_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GraderFeedback(db.Model):
    """A trainer's correction of the grader: a finding that is not an issue, or a missed problem."""

    __tablename__ = "grader_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("work_versions.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), index=True)  # the work's kind, kept for reports
    feedback: Mapped[str] = mapped_column(String(16))  # not_an_issue | missed
    rule: Mapped[str] = mapped_column(String(80), default="")  # the finding's rule (not_an_issue)
    category: Mapped[str] = mapped_column(String(40), default="")
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LearnerAlias(db.Model):
    """A learner's stable number within a cohort ("Learner 7"), kept when others leave."""

    __tablename__ = "learner_aliases"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"), UniqueConstraint("number", "cohort_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)


class ReviewSet(db.Model):
    """A learner's statements for one family, reviewed together: the row one trainer's claim is written to.

    The statements keep their own status; the claim lives here so that one conditional UPDATE of one row
    decides who reviews the whole set (the works mirror it for the pages that show one statement).
    """

    __tablename__ = "review_sets"
    __table_args__ = (UniqueConstraint("user_id", "vignette_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(80))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
