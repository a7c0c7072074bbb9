"""Classroom time as the completion rules count it: which cohorts meet in a classroom, how long each day's
teaching is, and the minutes an attendance record gives. (The register itself is the attendance feature's.)"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Cohort, User
from ..models.attendance import Attendance, AttendanceStatus


def is_classroom(cohort: Cohort | None) -> bool:
    """Return whether a cohort meets in a classroom: it has a date for at least one course day."""
    return cohort is not None and (cohort.day1_date is not None or cohort.day2_date is not None)


def day_minutes(day: int) -> int:
    """Return a classroom day's teaching minutes: the minutes of that day's classroom (not pre-work) modules."""
    # Imported here: the curriculum package imports its routes, which read completion.
    from ..module_files import library_for

    modules = library_for(current_app.config["CONTENT_DIR"]).all()
    return sum(m.minutes for m in modules if m.day == day and not m.prework)


def learner_records(user: User, cohort: Cohort | None) -> dict[int, Attendance]:
    """Return the learner's attendance in a cohort keyed by day ({} without a cohort)."""
    if cohort is None:
        return {}
    rows = db.session.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id,
                                                       Attendance.user_id == user.id))
    return {row.day: row for row in rows}


def attended_minutes(record: Attendance | None, day: int) -> int:
    """Return the classroom minutes a record gives: the whole day, a partial day's minutes (at most the day), or 0."""
    if record is None:
        return 0
    if record.state is AttendanceStatus.PRESENT:
        return day_minutes(day)
    if record.state is AttendanceStatus.PARTIAL:
        return min(record.minutes or 0, day_minutes(day))
    return 0
