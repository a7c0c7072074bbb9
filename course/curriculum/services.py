"""Course services the views call: the module library and each learner's progress."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..content_files import Problem
from ..database import utcnow
from ..events import module_completed
from ..extensions import db
from ..models import ModuleProgress, User
from ..module_files import Module, ModuleLibrary, library_for
from .agenda import Agenda, FollowUp, clock_label, load_agenda
from .kit import Kit, kit

DAY_NAMES = {1: "Day 1", 2: "Day 2"}


def library() -> ModuleLibrary:
    """Return the module library for the configured content folder."""
    return library_for(current_app.config["CONTENT_DIR"])


def all_modules() -> list[Module]:
    """Return every module in course order."""
    return library().all()


def required_modules() -> list[Module]:
    """Return the modules a certificate and the post-course check wait for: every module but pre-work."""
    return [m for m in all_modules() if not m.prework]


def get_module(module_id: str) -> Module | None:
    """Return a module by id, or None."""
    return library().get(module_id)


def progress_by_module(user: User) -> dict[str, ModuleProgress]:
    """Return the user's progress rows keyed by module id."""
    rows = db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user.id))
    return {row.module_id: row for row in rows}


def _progress_row(user: User, module_id: str) -> ModuleProgress:
    """Return the user's progress row for a module, creating it once even under races."""
    row = db.session.scalar(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module_id)
    )
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = ModuleProgress(user_id=user.id, module_id=module_id, last_position="")
            db.session.add(row)
    except IntegrityError:  # another tab or worker created it first
        row = db.session.scalar(
            select(ModuleProgress).where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module_id)
        )
    return row


def record_position(user: User, module_id: str, position: str) -> ModuleProgress:
    """Remember the section the user was reading (the caller commits)."""
    row = _progress_row(user, module_id)
    row.last_position = position[:120]
    row.updated_at = utcnow()
    return row


def set_complete(user: User, module_id: str, complete: bool = True) -> ModuleProgress:
    """Mark a module complete or not complete (the caller commits); sends module_completed once."""
    row = _progress_row(user, module_id)
    was_complete = row.completed_at is not None
    row.completed_at = utcnow() if complete else None
    row.updated_at = utcnow()
    if complete and not was_complete:
        module_completed.send(current_app._get_current_object(), user=user, module_id=module_id)
    return row


@dataclass
class AgendaItem:
    """A module on the agenda with the learner's status."""

    module: Module
    status: str  # not_started | in_progress | complete
    progress: ModuleProgress | None


@dataclass
class AgendaSlot:
    """A block of a classroom day: a module (with the learner's status), a break or lunch, with clock times."""

    kind: str  # module | break | lunch
    title: str
    minutes: int
    starts: str = ""  # 24-hour 'H:MM'
    ends: str = ""
    item: AgendaItem | None = None

    @property
    def times(self) -> str:
        """Return the slot's times as people read them on an agenda ('1:05–1:40'), or ''."""
        return f"{clock_label(self.starts)}–{clock_label(self.ends)}" if self.starts else ""

    @property
    def starts_label(self) -> str:
        """Return the start time as people read it ('1:05'), or ''."""
        return clock_label(self.starts) if self.starts else ""


@dataclass
class AgendaDay:
    """One course day: its pre-work, its classroom modules, and its timed slots (breaks and lunch included)."""

    day: int
    name: str
    prework: list[AgendaItem]
    sessions: list[AgendaItem]
    slots: list[AgendaSlot] = field(default_factory=list)
    start: str = ""
    end: str = ""

    @property
    def classroom_minutes(self) -> int:
        """Return the classroom minutes in the day."""
        return sum(item.module.minutes for item in self.sessions)

    @property
    def pause_minutes(self) -> int:
        """Return the minutes of breaks and lunch."""
        return sum(slot.minutes for slot in self.slots if slot.kind != "module")

    @property
    def hours(self) -> str:
        """Return the day's hours as people read them ('8:30 a.m.–3:00 p.m.'), or ''."""
        return f"{clock_label(self.start, True)}–{clock_label(self.end, True)}" if self.start else ""


@dataclass
class CoursePlan:
    """The two days as the course home shows them, plus what moved to pre-work and follow-up."""

    days: list[AgendaDay]
    note: str = ""
    followup: tuple[FollowUp, ...] = ()

    @property
    def classroom_minutes(self) -> int:
        """Return the classroom minutes across both days."""
        return sum(day.classroom_minutes for day in self.days)


def completed_ids(user: User | None) -> set[str]:
    """Return the modules the user has completed under the completion rules (worked out from their records)."""
    if user is None:
        return set()
    from ..completion.services import completed_module_ids  # imported here: completion reads this package's modules

    return completed_module_ids(user)


def statuses(user: User | None) -> dict[str, str]:
    """Return each module's status for the user under the completion rules: not_started, in_progress or complete."""
    if user is None:
        return {}
    from ..completion.services import module_states

    return {state.module.id: state.status for state in module_states(user)}


def course_agenda() -> tuple[Agenda | None, list[Problem]]:
    """Return the validated agenda file (None when it is missing or has problems) and its problems."""
    return load_agenda(current_app.config["CONTENT_DIR"], all_modules())


def trainer_kit() -> tuple[Kit, list[Problem]]:
    """Return the trainer's kit data (facilitation guides and role-play cards) and its problems."""
    return kit(current_app.config["CONTENT_DIR"], current_app.config["VIGNETTES_DIR"])


def plan(user: User | None) -> CoursePlan:
    """Return the two-day plan with the user's status on each module.

    The agenda file sets the days' times, order, breaks and lunch; while it is missing or invalid (the content
    check says why) the days are built from the modules' front matter alone, so the course home still works.
    """
    progress = progress_by_module(user) if user is not None else {}
    status = statuses(user)
    items = {m.id: AgendaItem(m, status.get(m.id, "not_started"), progress.get(m.id)) for m in all_modules()}
    schedule, _ = course_agenda()
    if schedule is None:
        return CoursePlan(_days_from_modules(items))
    days = []
    for day in schedule.days:
        slots = [AgendaSlot(s.kind, s.title, s.minutes, s.starts, s.ends, items.get(s.module_id)) for s in day.slots]
        days.append(AgendaDay(day.day, day.name, [items[i] for i in day.prework],
                              [items[i] for i in day.module_ids], slots, day.start, day.end))
    return CoursePlan(days, schedule.note, schedule.followup)


def _days_from_modules(items: dict[str, AgendaItem]) -> list[AgendaDay]:
    """Return the two days from the modules' own day, order and pre-work flag (no times or breaks)."""
    days = []
    for day in (1, 2):
        todays = [i for i in items.values() if i.module.day == day]
        sessions = [i for i in todays if not i.module.prework]
        slots = [AgendaSlot("module", i.module.title, i.module.minutes, item=i) for i in sessions]
        days.append(AgendaDay(day, DAY_NAMES[day], [i for i in todays if i.module.prework], sessions, slots))
    return days


def agenda(user: User | None) -> list[AgendaDay]:
    """Return the two-day agenda with the user's status on each module."""
    return plan(user).days


def completion(user: User) -> tuple[int, int]:
    """Return (modules complete, modules in the course) for the user."""
    modules = all_modules()
    done = completed_ids(user)
    return sum(1 for m in modules if m.id in done), len(modules)


def resume_point(user: User) -> tuple[Module, str] | None:
    """Return the module and section to resume: the last one touched, else the first not complete."""
    progress = progress_by_module(user)
    done = completed_ids(user)
    modules = {m.id: m for m in all_modules()}
    touched = sorted(
        (row for row in progress.values() if row.module_id in modules), key=lambda r: r.updated_at, reverse=True
    )
    if touched:
        last = touched[0]
        if last.module_id not in done:
            return modules[last.module_id], last.last_position
        for module in all_modules():
            row = progress.get(module.id)
            if module.id not in done:
                return module, row.last_position if row else ""
        return None
    first = next(iter(modules.values()), None)
    return (first, "") if first else None
