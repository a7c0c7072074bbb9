"""The trainer's kit data files in `content/kit/`, validated with file:line problems.

- `facilitation.yaml`: a list, one guide per module:
  `{module, setup, materials: [..], timing: [{minutes, activity}], debrief: [..], misconceptions: [{belief, response}]}`
- `role-plays.yaml`: a list: `{id, title, family, module?, minutes, situation, roles: [{role, brief}], observe: [..]}`
- `content/agenda.yaml`: `{days: [{day, start: "09:00", end: "15:30", items: [{module: id} | {break: minutes} |
  {lunch: minutes}]}]}`

Module and family ids are checked against the course in `course.kit.checks`, which sees the libraries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..content_files import CachedFileSet, Problem, Reporter, display_path, is_text, read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class TimingStep:
    """One step of a session plan."""

    minutes: int
    activity: str


@dataclass(frozen=True)
class Misconception:
    """A belief learners often bring, and how to answer it."""

    belief: str
    response: str


@dataclass(frozen=True)
class Guide:
    """A module's facilitation guide."""

    module: str
    setup: str
    materials: tuple[str, ...]
    timing: tuple[TimingStep, ...]
    debrief: tuple[str, ...]
    misconceptions: tuple[Misconception, ...]
    line: int = 0

    @property
    def id(self) -> str:
        """Return the module id (guides are looked up by module)."""
        return self.module


@dataclass(frozen=True)
class Role:
    """One part in a role play, with the brief its player reads."""

    role: str
    brief: str


@dataclass(frozen=True)
class RolePlay:
    """A role play: the situation, each part's card and what observers watch for."""

    id: str
    title: str
    family: str
    minutes: int
    situation: str
    roles: tuple[Role, ...]
    observe: tuple[str, ...] = ()
    module: str | None = None
    line: int = 0


@dataclass(frozen=True)
class AgendaItem:
    """A module, a break or lunch on a course day."""

    kind: str  # module | break | lunch
    minutes: int
    module: str | None = None
    line: int = 0


@dataclass(frozen=True)
class AgendaDay:
    """One classroom day."""

    day: int
    start: str
    end: str | None
    items: tuple[AgendaItem, ...] = field(default_factory=tuple)
    line: int = 0


@dataclass(frozen=True)
class Loaded:
    """The entries a file holds, and its problems."""

    entries: tuple
    problems: tuple[Problem, ...]


def _text_list(rep: Reporter, value, *keys) -> tuple[str, ...]:
    """Return a list of non-empty strings, or report where it is not one."""
    if not isinstance(value, list) or not value or not all(is_text(v) for v in value):
        rep.add(f"'{keys[-1]}' must be a non-empty list of text items", *keys)
        return ()
    return tuple(v.strip() for v in value)


def _minutes(rep: Reporter, value, *keys) -> int:
    """Return a positive whole number of minutes, or report it."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        rep.add(f"'{keys[-1]}' must be a whole number of minutes above 0, not {value!r}", *keys)
        return 0
    return value


def _require_text(rep: Reporter, entry: dict, key: str, *where) -> str:
    """Return a required text field, or report it missing."""
    if not is_text(entry.get(key)):
        rep.add(f"missing text field '{key}'", *where, *([key] if key in entry else []))
        return ""
    return str(entry[key]).strip()


def _open_list(path: Path, what: str) -> tuple[list | None, Reporter, list[Problem]]:
    """Read a YAML file that must hold a list."""
    shown = display_path(path)
    root, data, problems = read_yaml(path, shown)
    rep = Reporter(shown, root)
    if problems:
        return None, rep, problems
    if not isinstance(data, list):
        rep.add(f"{what} must be a list of entries, each starting with '- '")
        return None, rep, rep.problems
    return data, rep, []


def _guide(rep: Reporter, entry: dict, i: int) -> Guide | None:
    """Validate one facilitation guide."""
    before = len(rep.problems)
    module = entry.get("module")
    if not isinstance(module, str) or not ID_PATTERN.match(module):
        rep.add("'module' must be the id of a module, like 'harm-statements'", i, "module")
    timing = []
    steps = entry.get("timing")
    if not isinstance(steps, list) or not steps:
        rep.add("'timing' must be a list of steps, each with 'minutes' and 'activity'", i, "timing")
    else:
        for j, step in enumerate(steps):
            if not isinstance(step, dict):
                rep.add("each timing step needs 'minutes' and 'activity'", i, "timing", j)
                continue
            timing.append(TimingStep(_minutes(rep, step.get("minutes"), i, "timing", j, "minutes"),
                                     _require_text(rep, step, "activity", i, "timing", j)))
    misconceptions = []
    items = entry.get("misconceptions")
    if not isinstance(items, list) or not items:
        rep.add("'misconceptions' must be a list, each with 'belief' and 'response'", i, "misconceptions")
    else:
        for j, item in enumerate(items):
            if not isinstance(item, dict):
                rep.add("each misconception needs 'belief' and 'response'", i, "misconceptions", j)
                continue
            misconceptions.append(Misconception(_require_text(rep, item, "belief", i, "misconceptions", j),
                                                _require_text(rep, item, "response", i, "misconceptions", j)))
    guide = Guide(str(module), _require_text(rep, entry, "setup", i), _text_list(rep, entry.get("materials"), i, "materials"),
                  tuple(timing), _text_list(rep, entry.get("debrief"), i, "debrief"), tuple(misconceptions), rep.line(i))
    return guide if len(rep.problems) == before else None


def load_guides(path: Path) -> Loaded:
    """Load and validate the facilitation guides."""
    data, rep, problems = _open_list(path, "facilitation.yaml")
    if data is None:
        return Loaded((), tuple(problems))
    guides, seen = [], set()
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            rep.add("each guide is a mapping with 'module', 'setup', 'materials', 'timing', 'debrief', 'misconceptions'", i)
            continue
        guide = _guide(rep, entry, i)
        if guide and guide.module in seen:
            rep.add(f"module '{guide.module}' already has a guide above: keep one guide per module", i, "module")
        elif guide:
            seen.add(guide.module)
            guides.append(guide)
    return Loaded(tuple(guides), tuple(rep.problems))


def _role_play(rep: Reporter, entry: dict, i: int) -> RolePlay | None:
    """Validate one role play."""
    before = len(rep.problems)
    for key in ("id", "family"):
        if not isinstance(entry.get(key), str) or not ID_PATTERN.match(entry[key]):
            rep.add(f"'{key}' must be lower-case words joined by hyphens", i, key)
    roles = []
    parts = entry.get("roles")
    if not isinstance(parts, list) or len(parts) < 2:
        rep.add("'roles' must list at least two parts, each with 'role' and 'brief'", i, "roles")
    else:
        for j, part in enumerate(parts):
            if not isinstance(part, dict):
                rep.add("each part needs 'role' and 'brief'", i, "roles", j)
                continue
            roles.append(Role(_require_text(rep, part, "role", i, "roles", j), _require_text(rep, part, "brief", i, "roles", j)))
    observe = _text_list(rep, entry["observe"], i, "observe") if "observe" in entry else ()
    module = entry.get("module")
    if module is not None and (not isinstance(module, str) or not ID_PATTERN.match(module)):
        rep.add("'module' must be the id of a module", i, "module")
    play = RolePlay(str(entry.get("id")), _require_text(rep, entry, "title", i), str(entry.get("family")),
                    _minutes(rep, entry.get("minutes"), i, "minutes"), _require_text(rep, entry, "situation", i),
                    tuple(roles), observe, module, rep.line(i))
    return play if len(rep.problems) == before else None


def load_role_plays(path: Path) -> Loaded:
    """Load and validate the role plays."""
    data, rep, problems = _open_list(path, "role-plays.yaml")
    if data is None:
        return Loaded((), tuple(problems))
    plays, seen = [], set()
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            rep.add("each role play is a mapping with 'id', 'title', 'family', 'minutes', 'situation', 'roles'", i)
            continue
        play = _role_play(rep, entry, i)
        if play and play.id in seen:
            rep.add(f"id '{play.id}' is already used above", i, "id")
        elif play:
            seen.add(play.id)
            plays.append(play)
    return Loaded(tuple(plays), tuple(rep.problems))


def _agenda_item(rep: Reporter, item, i: int, j: int) -> AgendaItem | None:
    """Validate one agenda item: exactly one of module, break or lunch."""
    keys = ("days", i, "items", j)
    if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in ("module", "break", "lunch"):
        rep.add("each agenda item is one of 'module: <id>', 'break: <minutes>' or 'lunch: <minutes>'", *keys)
        return None
    kind, value = next(iter(item.items()))
    if kind == "module":
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            rep.add("'module' must be a module id", *keys, "module")
            return None
        return AgendaItem("module", 0, value, rep.line(*keys))
    minutes = _minutes(rep, value, *keys, kind)
    return AgendaItem(kind, minutes, None, rep.line(*keys)) if minutes else None


def load_agenda(path: Path) -> Loaded:
    """Load and validate the two-day agenda (module minutes are filled in from the modules later)."""
    shown = display_path(path)
    root, data, problems = read_yaml(path, shown)
    rep = Reporter(shown, root)
    if problems:
        return Loaded((), tuple(problems))
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        rep.add("agenda.yaml must hold 'days:', a list of days with 'day', 'start' and 'items'")
        return Loaded((), tuple(rep.problems))
    days = []
    for i, day in enumerate(data["days"]):
        if not isinstance(day, dict):
            rep.add("each day needs 'day', 'start' and 'items'", "days", i)
            continue
        if day.get("day") not in (1, 2):
            rep.add(f"'day' must be 1 or 2, not {day.get('day')!r}", "days", i, "day")
        bad_times = [key for key in ("start", "end") if (key == "start" or key in day)
                     and not (isinstance(day.get(key), str) and TIME_PATTERN.match(day[key]))]
        for key in bad_times:
            rep.add(f"'{key}' must be a 24-hour time in quotes, like \"09:00\"", "days", i, key)
        items = day.get("items")
        if not isinstance(items, list) or not items:
            rep.add("'items' must list the day's modules, breaks and lunch", "days", i, "items")
            continue
        parsed = [_agenda_item(rep, item, i, j) for j, item in enumerate(items)]
        if bad_times:
            continue
        days.append(AgendaDay(day.get("day"), str(day.get("start")), day.get("end"),
                              tuple(p for p in parsed if p), rep.line("days", i)))
    return Loaded(tuple(days), tuple(rep.problems))


# ---------------------------------------------------------------- cached access

_files: dict[tuple[str, str], CachedFileSet[Loaded]] = {}


def _cached(directory: Path, name: str, loader) -> Loaded:
    """Return a file's entries, reparsed only when it changes (an empty result when it does not exist)."""
    key = (str(directory), name)
    if key not in _files:
        _files[key] = CachedFileSet(directory, name, lambda paths: loader(paths[0]) if paths else Loaded((), ()))
    return _files[key].get()


def guides(content_dir: str | Path) -> Loaded:
    """Return the facilitation guides of a content folder."""
    return _cached(Path(content_dir) / "kit", "facilitation.yaml", load_guides)


def role_plays(content_dir: str | Path) -> Loaded:
    """Return the role plays of a content folder."""
    return _cached(Path(content_dir) / "kit", "role-plays.yaml", load_role_plays)


def agenda(content_dir: str | Path) -> Loaded:
    """Return the agenda of a content folder."""
    return _cached(Path(content_dir), "agenda.yaml", load_agenda)
