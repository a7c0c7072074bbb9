"""Knowledge-check attempts: every try is kept, so best and latest scores can both be shown."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime

ATTEMPT_KINDS = ("module", "pre", "post")


class QuizAttempt(db.Model):
    """One submitted knowledge check: the answers given, the score, and what kind of check it was."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_user_quiz", "user_id", "quiz_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10), default="module")  # module | pre | post
    answers: Mapped[dict] = mapped_column(JSON)  # item id -> the answer as submitted (option indexes, pairs, columns)
    item_scores: Mapped[dict] = mapped_column(JSON)  # item id -> points earned (0-1), kept even if the quiz changes
    item_order: Mapped[list] = mapped_column(JSON)  # item ids in the order shown
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def percent(self) -> int:
        """Return the score as a whole percentage."""
        return round(100 * self.score / self.max_score) if self.max_score else 0


class ReviewItem(db.Model):
    """A knowledge-check item a learner missed, brought back after growing intervals until they get it right.

    `step` indexes course.quizzes.spacing.INTERVALS; `history` keeps every answer to it, oldest first,
    as {"at": ISO time, "points": 0-1, "source": "check" | "review"}.
    """

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "item_id"),
                      Index("ix_review_items_user_due", "user_id", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[str] = mapped_column(String(80))
    step: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None once learned (retired)
    history: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WeeklyPlan(db.Model):
    """A learner's opt-in to the weekly check after the course: whether it is on and when the next one is due.

    One row per learner, kept when they opt out (`active` false) so opting in again keeps their history.
    `notified_for` is the due time a notice was last sent for, so the notice job sends one per week.
    """

    __tablename__ = "weekly_plans"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    notified_for: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WeeklyCheck(db.Model):
    """One weekly check a learner took: which missed items came back and how they answered each.

    `items` is a list of {"quiz": quiz id, "item": item id, "points": 0-1}, in the order shown.
    """

    __tablename__ = "weekly_checks"
    __table_args__ = (UniqueConstraint("user_id", "due_at"),  # one check per week, even from two tabs
                      Index("ix_weekly_checks_user_taken", "user_id", "taken_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the week it answered
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer)
