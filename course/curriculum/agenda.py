"""The two-day agenda in `content/agenda.yaml`: each day's hours, its modules in order, its breaks and lunch,
the self-paced pre-work, and the follow-up after the course. Validated against the modules, with file:line problems."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..content_files import CachedFileSet, Problem, Reporter, display_path, is_text, read_yaml
from ..module_files import Module

AGENDA_FILE = "agenda.yaml"
TOP_FIELDS = ("note", "days", "followup")
DAY_FIELDS = ("day", "name", "start", "end", "prework", "sessions")
PAUSE_KINDS = ("break", "lunch")
SESSION_KINDS = ("module",) + PAUSE_KINDS
FOLLOWUP_FIELDS = ("title", "minutes", "what", "link")
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Slot:
    """One block of a classroom day: a module, a break or lunch, with its planned clock times."""

    kind: str  # module | break | lunch
    title: str
    minutes: int
    starts: str
    ends: str
    module_id: str | None = None


@dataclass(frozen=True)
class Day:
    """One classroom day: its hours, the pre-work before it, and its slots in order."""

    day: int
    name: str
    start: str
    end: str
    prework: tuple[str, ...]
    slots: tuple[Slot, ...]

    @property
    def length(self) -> int:
        """Return the minutes between the day's start and end."""
        return clock_minutes(self.end) - clock_minutes(self.start)

    @property
    def classroom_minutes(self) -> int:
        """Return the minutes spent in modules (breaks and lunch excluded)."""
        return sum(s.minutes for s in self.slots if s.kind == "module")

    @property
    def pause_minutes(self) -> int:
        """Return the minutes of breaks and lunch."""
        return sum(s.minutes for s in self.slots if s.kind != "module")

    @property
    def module_ids(self) -> tuple[str, ...]:
        """Return the day's classroom modules, in order."""
        return tuple(s.module_id for s in self.slots if s.module_id)


@dataclass(frozen=True)
class FollowUp:
    """Self-paced work after the course: what it is, about how long, and where to do it."""

    title: str
    minutes: int
    what: str
    link: str | None = None


@dataclass(frozen=True)
class Agenda:
    """The whole plan: a note for the course home, the two days and the follow-up."""

    note: str
    days: tuple[Day, ...]
    followup: tuple[FollowUp, ...]
    path: str

    @property
    def classroom_minutes(self) -> int:
        """Return the classroom minutes across both days."""
        return sum(d.classroom_minutes for d in self.days)

    def day(self, number: int) -> Day | None:
        """Return one day by number, or None."""
        return next((d for d in self.days if d.day == number), None)


def clock_minutes(text: str) -> int:
    """Return 'H:MM' as minutes after midnight."""
    hours, minutes = CLOCK.match(text).groups()
    return int(hours) * 60 + int(minutes)


def clock_text(total: int) -> str:
    """Return minutes after midnight as 'H:MM'."""
    return f"{(total // 60) % 24}:{total % 60:02d}"


def clock_label(text: str, suffix: bool = False) -> str:
    """Return 'H:MM' (24-hour) as the 12-hour time people read on an agenda: '1:05', or '1:05 p.m.' with suffix."""
    total = clock_minutes(text)
    hours, minutes = divmod(total, 60)
    shown = f"{(hours - 1) % 12 + 1}:{minutes:02d}"
    return f"{shown} {'a.m.' if hours < 12 else 'p.m.'}" if suffix else shown


def _whole(value) -> bool:
    """Return whether the value is a whole number above zero."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# ---------------------------------------------------------------- validation

class _Check:
    """Validates one agenda file against the modules and collects its problems."""

    def __init__(self, data: dict, rep: Reporter, modules: list[Module]):
        self.data, self.rep = data, rep
        self.modules = {m.id: m for m in modules}
        self.placed: dict[str, int] = {}  # module id -> day it was placed on

    def run(self) -> Agenda | None:
        """Check everything; return the agenda when there is no problem."""
        for key in self.data:
            if key not in TOP_FIELDS:
                self.rep.add(f"unknown field '{key}' (allowed: {', '.join(TOP_FIELDS)})", key)
        if not is_text(self.data.get("note")):
            self.rep.add("missing 'note': say in a sentence or two what moved to pre-work or follow-up", "note")
        days = self._days()
        followup = self._followup()
        self._every_module_placed()
        if self.rep.problems:
            return None
        return Agenda(str(self.data["note"]).strip(), tuple(sorted(days, key=lambda d: d.day)), followup, self.rep.path)

    def _days(self) -> list[Day]:
        """Check the list of days: days 1 and 2, once each."""
        raw = self.data.get("days")
        if not isinstance(raw, list) or not raw:
            self.rep.add("'days' must be a list with Day 1 and Day 2", "days")
            return []
        days, seen = [], set()
        for index, entry in enumerate(raw):
            day = self._day(entry, index)
            if day is None:
                continue
            if day.day in seen:
                self.rep.add(f"day {day.day} is listed twice", "days", index, "day")
            seen.add(day.day)
            days.append(day)
        for missing in sorted({1, 2} - seen):
            if not any(isinstance(e, dict) and e.get("day") == missing for e in raw):
                self.rep.add(f"Day {missing} is missing: add an entry with 'day: {missing}'", "days")
        return days

    def _day(self, entry, index: int) -> Day | None:
        """Check one day's fields, sessions and fit; return it when its own fields are usable."""
        where = ("days", index)
        if not isinstance(entry, dict):
            self.rep.add(f"day entry {index + 1} must be a mapping with day, start, end and sessions", *where)
            return None
        for key in entry:
            if key not in DAY_FIELDS:
                self.rep.add(f"unknown field '{key}' for a day (allowed: {', '.join(DAY_FIELDS)})", *where, key)
        number = entry.get("day")
        if number not in (1, 2) or isinstance(number, bool):
            self.rep.add(f"'day' must be 1 or 2, not {number!r}", *where, "day")
            return None
        times = [self._clock(entry, key, where) for key in ("start", "end")]
        if None in times:
            return None
        start, end = times
        if clock_minutes(end) <= clock_minutes(start):
            self.rep.add(f"Day {number} ends at {end}, which is not after its start at {start}", *where, "end")
            return None
        prework = self._prework(entry, number, where)
        slots = self._slots(entry, number, clock_minutes(start), where)
        name = str(entry.get("name") or f"Day {number}").strip()
        day = Day(number, name, start, end, prework, tuple(slots))
        self._fits(day, where)
        return day

    def _clock(self, entry: dict, key: str, where: tuple) -> str | None:
        """Return a valid 'H:MM' time from the entry, or None after recording the problem."""
        value = entry.get(key)
        if not isinstance(value, str) or not CLOCK.match(value.strip()):
            self.rep.add(f"'{key}' must be a time like \"08:30\" (in quotes), not {value!r}", *where, key)
            return None
        return value.strip()

    def _prework(self, entry: dict, number: int, where: tuple) -> tuple[str, ...]:
        """Check the self-paced modules listed before the day."""
        raw = entry.get("prework", [])
        if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
            self.rep.add("'prework' must be a list of module ids", *where, "prework")
            return ()
        for i, module_id in enumerate(raw):
            module = self._module(module_id, number, (*where, "prework", i))
            if module is not None and not module.prework:
                self.rep.add(f"module '{module_id}' is a classroom module: list it under 'sessions', or set "
                             f"'prework: true' in its front matter", *where, "prework", i)
        return tuple(raw)

    def _module(self, module_id: str, number: int, where: tuple) -> Module | None:
        """Return the module placed here after checking it exists, belongs to this day and is placed once."""
        module = self.modules.get(module_id)
        if module is None:
            self.rep.add(f"module '{module_id}' does not exist (module ids: {', '.join(sorted(self.modules))})", *where)
            return None
        if module_id in self.placed:
            self.rep.add(f"module '{module_id}' is placed twice: keep it once", *where)
            return None
        self.placed[module_id] = number
        if module.day != number:
            self.rep.add(f"module '{module_id}' says 'day: {module.day}' in {module.path}, but the agenda puts it "
                         f"on Day {number}: make them agree", *where)
        return module

    def _slots(self, entry: dict, number: int, clock: int, where: tuple) -> list[Slot]:
        """Check the day's sessions and lay them out on the clock."""
        raw = entry.get("sessions")
        if not isinstance(raw, list) or not raw:
            self.rep.add("'sessions' must be a list of modules, breaks and lunch", *where, "sessions")
            return []
        slots, last_order = [], None
        for i, item in enumerate(raw):
            slot = self._slot(item, number, clock, (*where, "sessions", i))
            if slot is None:
                continue
            if slot.module_id:
                order = self.modules[slot.module_id].order
                if last_order is not None and order <= last_order[1]:
                    self.rep.add(f"module '{slot.module_id}' (order {order}) comes after '{last_order[0]}' (order "
                                 f"{last_order[1]}): make the agenda and the modules' 'order' agree",
                                 *where, "sessions", i)
                last_order = (slot.module_id, order)
            slots.append(slot)
            clock += slot.minutes
        if not any(s.kind == "lunch" for s in slots):
            self.rep.add(f"Day {number} has no lunch: add '- lunch: Lunch' with its 'minutes'", *where, "sessions")
        return slots

    def _slot(self, item, number: int, clock: int, where: tuple) -> Slot | None:
        """Check one session: a module (minutes from its front matter) or a break or lunch (minutes given)."""
        kinds = [k for k in SESSION_KINDS if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            self.rep.add("each session needs exactly one of 'module', 'break' or 'lunch'", *where)
            return None
        kind = kinds[0]
        for key in item:
            if key not in (kind, "minutes"):
                self.rep.add(f"unknown field '{key}' in a {kind} session (allowed: {kind}, minutes)", *where, key)
        minutes = item.get("minutes")
        if kind == "module":
            module = self._module(str(item["module"]), number, where)
            if module is None:
                return None
            if module.prework:
                self.rep.add(f"module '{module.id}' is self-paced pre-work: list it under 'prework'", *where)
            if minutes is not None and minutes != module.minutes:
                self.rep.add(f"the agenda gives '{module.id}' {minutes!r} minutes but its front matter says "
                             f"{module.minutes}: make them agree", *where, "minutes")
            return Slot("module", module.title, module.minutes, clock_text(clock), clock_text(clock + module.minutes),
                        module.id)
        if not is_text(item[kind]):
            self.rep.add(f"give the {kind} a name, like '- {kind}: {kind.title()}'", *where, kind)
            return None
        if not _whole(minutes):
            key = "minutes" if "minutes" in item else kind
            self.rep.add(f"the {kind} needs 'minutes', a whole number above 0", *where, key)
            return None
        return Slot(kind, str(item[kind]).strip(), minutes, clock_text(clock), clock_text(clock + minutes))

    def _fits(self, day: Day, where: tuple) -> None:
        """Check that the day's modules, breaks and lunch fit between its start and end."""
        used = day.classroom_minutes + day.pause_minutes
        if used > day.length:
            self.rep.add(f"Day {day.day}'s modules ({day.classroom_minutes} min) and breaks ({day.pause_minutes} min) "
                         f"take {used} minutes, but {day.start}-{day.end} holds {day.length}: shorten a module, move "
                         f"one to pre-work, or end later", *where, "end")

    def _followup(self) -> tuple[FollowUp, ...]:
        """Check the follow-up list (optional)."""
        raw = self.data.get("followup", [])
        if not isinstance(raw, list):
            self.rep.add("'followup' must be a list of {title, minutes, what}", "followup")
            return ()
        items = []
        for i, entry in enumerate(raw):
            where = ("followup", i)
            if not isinstance(entry, dict):
                self.rep.add(f"follow-up {i + 1} must be a mapping with title, minutes and what", *where)
                continue
            for key in entry:
                if key not in FOLLOWUP_FIELDS:
                    self.rep.add(f"unknown field '{key}' (allowed: {', '.join(FOLLOWUP_FIELDS)})", *where, key)
            ok = True
            for key in ("title", "what"):
                if not is_text(entry.get(key)):
                    self.rep.add(f"follow-up {i + 1} has no {key}", *where, key)
                    ok = False
            if not _whole(entry.get("minutes")):
                self.rep.add(f"follow-up {i + 1}: 'minutes' must be a whole number above 0", *where, "minutes")
                ok = False
            link = entry.get("link")
            if link is not None and not (isinstance(link, str) and link.startswith("/")):
                self.rep.add(f"follow-up {i + 1}: 'link' must be a path on this site, like /drills", *where, "link")
                ok = False
            if ok:
                items.append(FollowUp(entry["title"].strip(), entry["minutes"], entry["what"].strip(), link))
        return tuple(items)

    def _every_module_placed(self) -> None:
        """Check that every module appears on the agenda, as a session or as pre-work."""
        for module_id, module in sorted(self.modules.items(), key=lambda kv: kv[1].sort_key):
            if module_id not in self.placed:
                where = "under 'prework'" if module.prework else "in 'sessions'"
                self.rep.add(f"module '{module_id}' ({module.path}) is not on the agenda: list it {where} of Day "
                             f"{module.day}", "days")


def validate_agenda(
    root: yaml.Node | None, data, shown: str, modules: list[Module]
) -> tuple[Agenda | None, list[Problem]]:
    """Validate parsed agenda data against the modules; return the agenda (None on any problem) and the problems."""
    rep = Reporter(shown, root)
    if not isinstance(data, dict):
        rep.add("the agenda must be a mapping with 'note', 'days' and 'followup'")
        return None, rep.problems
    agenda = _Check(data, rep, modules).run()
    return agenda, rep.problems


# ---------------------------------------------------------------- the cached file

def _read(paths: list[Path]) -> tuple[yaml.Node | None, object, str, list[Problem]]:
    """Read the agenda file (root node, data, shown path, reading problems)."""
    if not paths:
        return None, None, "", []
    shown = display_path(paths[0])
    root, data, problems = read_yaml(paths[0], shown)
    return root, data, shown, problems


_files: dict[str, CachedFileSet] = {}


def _file_for(content_dir: str | os.PathLike) -> CachedFileSet:
    """Return the cached reader of a content folder's agenda file (a per-process cache of a file, not state)."""
    key = str(Path(content_dir).resolve())
    if key not in _files:
        _files[key] = CachedFileSet(key, AGENDA_FILE, _read)
    return _files[key]


def load_agenda(content_dir: str | os.PathLike, modules: list[Module]) -> tuple[Agenda | None, list[Problem]]:
    """Return the validated agenda for a content folder and its problems.

    The file is optional: without it (a trimmed or local content folder) there is no agenda and no problem, and
    the course home lays the days out from the modules' front matter. The shipped course has one (its tests say so).
    """
    root, data, shown, problems = _file_for(content_dir).get()
    if not shown:
        return None, []
    if problems:
        return None, problems
    return validate_agenda(root, data, shown, modules)
