"""Spaced retrieval: knowledge-check items a learner missed come back after 1, 3 and then 7 days.

A module check's item answered less than fully right is scheduled for review a day later. In a
review, a right answer moves the item one interval further (1 -> 3 -> 7 days); a right answer at the
last interval retires it as learned; a wrong one starts it again at one day. Missing it again in a
module check does the same. Everything lives in review_items, so any worker can show the set, and
the set is at most REVIEW_SIZE items, the ones due longest. `now` is a parameter for the tests' clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..models.quizzes import ReviewItem
from .loader import Item, Quiz, get_quiz

INTERVALS = (1, 3, 7)  # days before each review of a missed item
REVIEW_SIZE = 3  # items in one "review what you missed" set


def _entry(now: datetime, points: float, source: str) -> dict:
    """Return one history entry."""
    return {"at": now.isoformat(timespec="seconds"), "points": round(float(points), 2), "source": source}


def _row(user_id: int, quiz_id: str, item_id: str) -> ReviewItem | None:
    """Return the learner's review row for an item, if any."""
    return db.session.scalar(select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.quiz_id == quiz_id,
                                                      ReviewItem.item_id == item_id))


def schedule_missed(user_id: int, quiz_id: str, item_scores: dict[str, float], now: datetime | None = None) -> int:
    """Schedule every item answered less than fully right for review in INTERVALS[0] days; return how many.

    An item already scheduled starts again at the first interval. The caller commits.
    """
    now = now or utcnow()
    missed = 0
    for item_id, points in item_scores.items():
        if points >= 1:
            continue
        row = _row(user_id, quiz_id, item_id)
        if row is None:
            row = ReviewItem(user_id=user_id, quiz_id=quiz_id, item_id=item_id, history=[])
            db.session.add(row)
        row.step, row.due_at = 0, now + timedelta(days=INTERVALS[0])
        row.history = [*row.history, _entry(now, points, "check")]
        missed += 1
    db.session.flush()
    return missed


@dataclass(frozen=True)
class Due:
    """A review row with its item as the content files have it now."""

    row: ReviewItem
    quiz: Quiz
    item: Item


def due_items(user_id: int, now: datetime | None = None, limit: int = REVIEW_SIZE) -> list[Due]:
    """Return up to `limit` items due for review, due longest first (items no longer in the content are skipped)."""
    now = now or utcnow()
    rows = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.due_at <= now)
                              .order_by(ReviewItem.due_at, ReviewItem.id))
    out = []
    for row in rows:
        quiz = get_quiz(row.quiz_id)
        item = quiz.items_by_id.get(row.item_id) if quiz else None
        if item is not None:
            out.append(Due(row, quiz, item))
        if len(out) >= limit:
            break
    return out


def record_review(row: ReviewItem, points: float, now: datetime | None = None) -> None:
    """Move an item along the intervals after a review answer: on when right, back to the start when not."""
    now = now or utcnow()
    row.history = [*row.history, _entry(now, points, "review")]
    if points < 1:
        row.step, row.due_at = 0, now + timedelta(days=INTERVALS[0])
    elif row.step + 1 < len(INTERVALS):
        row.step += 1
        row.due_at = now + timedelta(days=INTERVALS[row.step])
    else:
        row.due_at = None  # right at the last interval: learned
    db.session.flush()


@dataclass(frozen=True)
class Overview:
    """What the learner's review queue holds: due now, waiting, learned, and when the next one is due."""

    due: int
    waiting: int
    learned: int
    next_due: datetime | None

    @property
    def empty(self) -> bool:
        """Return whether the learner has never missed an item."""
        return not (self.due or self.waiting or self.learned)


def overview(user_id: int, now: datetime | None = None) -> Overview:
    """Return the counts for the checks page and the course home."""
    now = now or utcnow()
    mine = ReviewItem.user_id == user_id
    due = db.session.scalar(select(func.count(ReviewItem.id)).where(mine, ReviewItem.due_at <= now)) or 0
    waiting = db.session.scalar(select(func.count(ReviewItem.id)).where(mine, ReviewItem.due_at > now)) or 0
    learned = db.session.scalar(select(func.count(ReviewItem.id)).where(mine, ReviewItem.due_at.is_(None))) or 0
    next_due = db.session.scalar(select(func.min(ReviewItem.due_at)).where(mine, ReviewItem.due_at > now))
    return Overview(due, waiting, learned, next_due)


def history(user_id: int) -> list[tuple[ReviewItem, Item | None]]:
    """Return every review row of the learner with its item (None if removed from the content), newest first."""
    rows = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user_id)
                              .order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc()))
    out = []
    for row in rows:
        quiz = get_quiz(row.quiz_id)
        out.append((row, quiz.items_by_id.get(row.item_id) if quiz else None))
    return out
