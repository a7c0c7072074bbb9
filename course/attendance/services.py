"""Attendance services: the trainer's register per classroom day, and the minutes a learner attended."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..completion.classroom import attended_minutes, day_minutes, is_classroom  # noqa: F401  (the routes use them)
from ..database import utcnow
from ..extensions import db
from ..models import Cohort, User
from ..models.attendance import Attendance, AttendanceStatus

DAYS = (1, 2)


class AttendanceError(ValueError):
    """An attendance entry that cannot be saved; the message says what to change."""


def day_date(cohort: Cohort, day: int):
    """Return the cohort's date for a course day, or None."""
    return cohort.day1_date if day == 1 else cohort.day2_date


def records_for(cohort: Cohort) -> dict[tuple[int, int], Attendance]:
    """Return the cohort's attendance keyed by (user id, day)."""
    rows = db.session.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id))
    return {(row.user_id, row.day): row for row in rows}


@dataclass(frozen=True)
class Entry:
    """One learner's line on a day's register, as the trainer sent it."""

    user_id: int
    status: str
    minutes: int | None = None


def check_entry(entry: Entry, day: int) -> None:
    """Raise AttendanceError unless the entry is a known status with sensible minutes for a partial day."""
    if entry.status not in {s.value for s in AttendanceStatus}:
        raise AttendanceError("Choose present, partial or absent for every learner you record.")
    if entry.status == AttendanceStatus.PARTIAL.value:
        most = day_minutes(day)
        if entry.minutes is None or not 1 <= entry.minutes < most:
            raise AttendanceError(
                f"For a partial day, give the minutes the learner was in class: from 1 to {most - 1} "
                f"(the whole day is {most} minutes; choose present for that).")


def save_day(cohort: Cohort, day: int, entries: list[Entry], trainer: User) -> list[User]:
    """Record a day's register for the cohort's learners (the caller commits); return the learners saved.

    Every entry is checked before anything is written, so a register is saved whole or not at all. Learners
    not enrolled in the cohort are refused rather than skipped, so a stale page cannot write for someone else.
    """
    if day not in DAYS:
        raise AttendanceError("Attendance is kept for Day 1 and Day 2 only.")
    learners = {user.id: user for user in cohort.learners if user.role == "learner"}
    for entry in entries:
        if entry.user_id not in learners:
            raise AttendanceError("The register lists someone who is no longer in this cohort. "
                                  "Reload the page and save again.")
        check_entry(entry, day)
    existing = records_for(cohort)
    saved = []
    for entry in entries:
        row = existing.get((entry.user_id, day))
        if row is None:
            row = Attendance(cohort_id=cohort.id, user_id=entry.user_id, day=day)
            db.session.add(row)
        row.status = entry.status
        row.minutes = entry.minutes if entry.status == AttendanceStatus.PARTIAL.value else None
        row.recorded_by_id = trainer.id
        row.recorded_at = utcnow()
        saved.append(learners[entry.user_id])
    db.session.flush()
    return saved


@dataclass(frozen=True)
class DaySummary:
    """A day of the register: how many learners are recorded, and how."""

    day: int
    date: object
    minutes: int
    present: int
    partial: int
    absent: int
    unrecorded: int


def day_summaries(cohort: Cohort) -> list[DaySummary]:
    """Return each course day's counts for the cohort's learners."""
    learners = [u for u in cohort.learners if u.role == "learner"]
    records = records_for(cohort)
    summaries = []
    for day in DAYS:
        states = [records[(u.id, day)].state for u in learners if (u.id, day) in records]
        summaries.append(DaySummary(
            day, day_date(cohort, day), day_minutes(day), states.count(AttendanceStatus.PRESENT),
            states.count(AttendanceStatus.PARTIAL), states.count(AttendanceStatus.ABSENT),
            len(learners) - len(states)))
    return summaries
