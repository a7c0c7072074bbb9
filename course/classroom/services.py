"""Classroom sessions: codes, permissions, versions, slides, timer, agenda and expiry.

All live state is in the database. Clients poll a state URL with the last ETag they saw;
the ETag is built from the session's version counters, read with one small query, so an
unchanged state costs a single indexed lookup and a 304.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from ..auth.services import JOIN_CODE_ALPHABET, normalise_join_code
from ..cohorts.services import can_manage
from ..curriculum.services import all_modules, get_module
from ..database import utcnow
from ..extensions import db
from ..models import Cohort, Enrollment, User
from ..models.classroom import (
    ClassSession,
    GameAnswer,
    GameAward,
    GameEntrant,
    GameMember,
    LiveActivity,
    LiveParticipant,
    LiveResponse,
    ReviewGame,
)
from ..module_files import Module
from .slides import clamp_index, deck

SCREEN_MODES = ("slides", "agenda", "join", "activity", "game")
DEFAULT_HOURS = 12
COUNTERS = ("version", "board_version", "queue_version")


class ClassroomError(ValueError):
    """An action the classroom refuses; the message says what to do instead."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------- codes and lookup

def _new_code(length: int = 6) -> str:
    """Return a code no session uses yet, as either its screen code or its join code."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))
        taken = db.session.scalar(
            select(ClassSession.id).where(or_(ClassSession.screen_code == code, ClassSession.join_code == code))
        )
        if taken is None:
            return code


def _live(query):
    """Limit a session query to sessions that have not ended or expired."""
    return query.where(ClassSession.ended_at.is_(None), ClassSession.expires_at > utcnow())


def session_by_screen_code(code: str) -> ClassSession | None:
    """Return the live session a projector code opens, or None."""
    return db.session.scalar(_live(select(ClassSession).where(ClassSession.screen_code == normalise_join_code(code))))


def session_by_join_code(code: str) -> ClassSession | None:
    """Return the live session a learner code joins, or None."""
    return db.session.scalar(_live(select(ClassSession).where(ClassSession.join_code == normalise_join_code(code))))


def ended_session_by_join_code(code: str) -> ClassSession | None:
    """Return a session that has ended (or expired) and is not yet purged, by its old live code, or None."""
    return db.session.scalar(select(ClassSession).where(
        ClassSession.join_code == normalise_join_code(code),
        or_(ClassSession.ended_at.is_not(None), ClassSession.expires_at <= utcnow())))


def session_counters(column, value) -> tuple | None:
    """Return (id, version, board_version, queue_version, activity_id, game_id) of a live session, or None."""
    if isinstance(value, str):
        value = normalise_join_code(value)
    row = db.session.execute(_live(
        select(ClassSession.id, ClassSession.version, ClassSession.board_version, ClassSession.queue_version,
               ClassSession.activity_id, ClassSession.game_id)
        .where(column == value)
    )).first()
    return tuple(row) if row else None


# ---------------------------------------------------------------- permissions

def can_run(user: User, cohort: Cohort) -> bool:
    """Return whether the user may run classroom sessions for the cohort (its trainers and admins)."""
    return user.is_authenticated and user.is_trainer and can_manage(user, cohort)


def may_join(user: User, session: ClassSession) -> bool:
    """Return whether a signed-in user may take part: enrolled in the cohort, or one of its trainers."""
    cohort = db.session.get(Cohort, session.cohort_id)
    if cohort is None:
        return False
    if can_manage(user, cohort):
        return True
    enrolled = db.session.scalar(
        select(Enrollment.id).where(Enrollment.user_id == user.id, Enrollment.cohort_id == cohort.id)
    )
    return enrolled is not None


def runnable_cohorts(user: User) -> list[Cohort]:
    """Return the cohorts the user may run sessions for."""
    from ..cohorts.services import visible_cohorts

    return [c for c in visible_cohorts(user) if can_run(user, c)]


# ---------------------------------------------------------------- lifecycle

def classroom_modules(day: int | None = None) -> list[Module]:
    """Return the modules taught in the room (not pre-work), optionally for one day."""
    return [m for m in all_modules() if not m.prework and (day is None or m.day == day)]


def default_day(cohort: Cohort) -> int:
    """Return 2 when today is the cohort's second day, else 1."""
    today = utcnow().date()
    return 2 if cohort.day2_date and cohort.day2_date == today else 1


def start_session(
    user: User, cohort: Cohort, day: int, module_id: str | None = None, day_start: str = "09:00"
) -> ClassSession:
    """Create a session for a cohort the user leads (the caller commits)."""
    if not can_run(user, cohort):
        raise ClassroomError("You can run classroom sessions only for cohorts you lead.", 403)
    if day not in (1, 2):
        raise ClassroomError("Choose day 1 or day 2.")
    if module_id is None:
        todays = classroom_modules(day)
        module_id = todays[0].id if todays else all_modules()[0].id
    if get_module(module_id) is None:
        raise ClassroomError("That module does not exist. Pick one from the list.")
    hours = current_app.config.get("CLASSROOM_SESSION_HOURS", DEFAULT_HOURS)
    session = ClassSession(
        cohort_id=cohort.id, trainer_id=user.id, screen_code=_new_code(), join_code=_new_code(), day=day,
        day_start=_clean_time(day_start), module_id=module_id, expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(session)
    db.session.flush()
    return session


def _clean_time(value: str) -> str:
    """Return an 'HH:MM' start time, or 09:00 when the value is not one."""
    try:
        hours, minutes = (int(part) for part in value.split(":"))
    except (ValueError, AttributeError):
        return "09:00"
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return "09:00"
    return f"{hours:02d}:{minutes:02d}"


def delete_live_data(session_id: int, keep_participants: bool = False) -> None:
    """Delete every activity, response, game and score of a session, and (unless kept) its participants."""
    activity_ids = select(LiveActivity.id).where(LiveActivity.session_id == session_id)
    game_ids = select(ReviewGame.id).where(ReviewGame.session_id == session_id)
    db.session.execute(delete(LiveResponse).where(LiveResponse.activity_id.in_(activity_ids)))
    for model in (GameAnswer, GameAward, GameMember, GameEntrant):
        db.session.execute(delete(model).where(model.game_id.in_(game_ids)))
    db.session.execute(delete(ReviewGame).where(ReviewGame.session_id == session_id))
    db.session.execute(delete(LiveActivity).where(LiveActivity.session_id == session_id))
    if not keep_participants:
        db.session.execute(delete(LiveParticipant).where(LiveParticipant.session_id == session_id))


def sessions_for(user: User) -> list[ClassSession]:
    """Return the live sessions of the cohorts the user leads, newest first."""
    cohort_ids = [c.id for c in runnable_cohorts(user)]
    if not cohort_ids:
        return []
    return list(db.session.scalars(
        _live(select(ClassSession).where(ClassSession.cohort_id.in_(cohort_ids))).order_by(ClassSession.created_at.desc())
    ))


# ---------------------------------------------------------------- versions

def bump(session: ClassSession, *counters: str) -> None:
    """Increase the named counters atomically in the database (safe across workers)."""
    counters = counters or ("version",)
    values = {name: getattr(ClassSession, name) + 1 for name in counters}
    db.session.execute(
        update(ClassSession).where(ClassSession.id == session.id).values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(session, list(counters))


def etag_for(*parts) -> str:
    """Return a weak ETag built from version numbers."""
    return 'W/"' + "-".join(str(p) for p in parts) + '"'


# ---------------------------------------------------------------- slides, timer, agenda

def current_module(session: ClassSession) -> Module:
    """Return the module on the screen (falling back to the first module if it was removed)."""
    return get_module(session.module_id) or all_modules()[0]


def set_slide(session: ClassSession, index: int) -> None:
    """Move to a slide, clamped to the deck."""
    session.slide_index = clamp_index(current_module(session), index)
    session.screen_mode = "slides"


def set_module(session: ClassSession, module_id: str) -> None:
    """Put another module's slides on the screen, from its first slide."""
    if get_module(module_id) is None:
        raise ClassroomError("That module does not exist.")
    session.module_id = module_id
    session.slide_index = 0
    session.screen_mode = "slides"


def timer_left(session: ClassSession) -> int:
    """Return the seconds left on the activity timer now (negative once it has run over)."""
    if session.timer_started_at is not None:
        elapsed = (utcnow() - session.timer_started_at).total_seconds()
        return int(round((session.timer_left or 0) - elapsed))
    return session.timer_left if session.timer_left is not None else session.timer_seconds


def timer_toggle(session: ClassSession) -> None:
    """Start the timer, or pause it when it is running."""
    if session.timer_started_at is None:
        session.timer_left = timer_left(session)
        session.timer_started_at = utcnow()
    else:
        session.timer_left = timer_left(session)
        session.timer_started_at = None


def timer_reset(session: ClassSession, minutes: float | None = None) -> None:
    """Stop the timer and set it to a length (in minutes) or back to its length."""
    if minutes is not None:
        try:
            minutes = float(minutes)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ClassroomError("Set the timer between 1 and 180 minutes.") from exc
        if not 0 < minutes <= 180:  # also refuses NaN
            raise ClassroomError("Set the timer between 1 and 180 minutes.")
        session.timer_seconds = int(minutes * 60)
    session.timer_started_at = None
    session.timer_left = None


def timer_state(session: ClassSession) -> dict:
    """Return the timer for clients: they count down locally from `left` while `running`."""
    return {
        "seconds": session.timer_seconds,
        "left": timer_left(session),
        "running": session.timer_started_at is not None,
    }


@dataclass
class AgendaSlot:
    """A module on today's schedule with its planned clock times."""

    module: Module
    starts: str
    ends: str
    status: str  # done | now | next


def agenda(session: ClassSession) -> list[AgendaSlot]:
    """Return the day's modules with planned start times and where the class is now."""
    hours, minutes = (int(p) for p in session.day_start.split(":"))
    clock = hours * 60 + minutes
    todays = classroom_modules(session.day)
    ids = [m.id for m in todays]
    now_index = ids.index(session.module_id) if session.module_id in ids else -1
    slots = []
    for index, module in enumerate(todays):
        status = "done" if index < now_index else "now" if index == now_index else "next"
        slots.append(AgendaSlot(module, _hhmm(clock), _hhmm(clock + module.minutes), status))
        clock += module.minutes
    return slots


def _hhmm(total_minutes: int) -> str:
    """Return minutes after midnight as 'H:MM'."""
    return f"{(total_minutes // 60) % 24}:{total_minutes % 60:02d}"


def agenda_payload(session: ClassSession) -> list[dict]:
    """Return the agenda as JSON-ready rows."""
    return [{"id": s.module.id, "title": s.module.title, "minutes": s.module.minutes, "starts": s.starts,
             "ends": s.ends, "status": s.status} for s in agenda(session)]


def slide_payload(session: ClassSession, with_notes: bool = False) -> dict:
    """Return the current slide (and, for the console, the next slide and the notes)."""
    module = current_module(session)
    slides = deck(module)
    index = clamp_index(module, session.slide_index)
    slide = slides[index]
    out = {"module_id": module.id, "module_title": module.title, "index": index, "count": len(slides),
           "title": slide.title, "html": slide.html}
    if with_notes:
        following = slides[index + 1] if index + 1 < len(slides) else None
        out["notes_html"] = slide.notes_html
        out["next"] = {"title": following.title, "html": following.html} if following else None
        out["titles"] = [s.title for s in slides]
    return out
