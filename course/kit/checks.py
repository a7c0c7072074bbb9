"""`content check` for the kit: the data files, and that they name real modules and families and fit the days."""
from __future__ import annotations

from pathlib import Path

from ..content_check import register_checker
from ..content_files import Problem
from ..curriculum.loader import library_for
from ..vignettes import all_vignettes
from . import data


def _minutes_of(clock: str) -> int:
    """Return HH:MM as minutes after midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _file(settings: dict, *parts: str) -> str:
    """Return a content file's path as problems show it."""
    return str(Path(settings["CONTENT_DIR"], *parts))


@register_checker("kit")
def check_kit(settings: dict) -> list[Problem]:
    """Validate the facilitation guides, role plays and agenda against the modules and families."""
    content = settings["CONTENT_DIR"]
    modules = {m.id: m for m in library_for(content).all()}
    family_ids = {v.id for v in all_vignettes(settings.get("VIGNETTES_DIR"))}
    guides, plays, days = data.guides(content), data.role_plays(content), data.agenda(content)
    problems = list(guides.problems) + list(plays.problems) + list(days.problems)
    where = _file(settings, "kit", "facilitation.yaml")
    for guide in guides.entries:
        module = modules.get(guide.module)
        if module is None:
            problems.append(Problem(where, guide.line, f"no module has the id '{guide.module}': use an id from content/modules"))
        elif sum(s.minutes for s in guide.timing) > module.minutes:
            problems.append(Problem(where, guide.line, f"the timing adds up to {sum(s.minutes for s in guide.timing)} "
                                                       f"minutes, but '{module.id}' has {module.minutes}: shorten a step "
                                                       "or change the module's minutes"))
    where = _file(settings, "kit", "role-plays.yaml")
    for play in plays.entries:
        if play.family not in family_ids:
            problems.append(Problem(where, play.line, f"no family has the id '{play.family}': use a file name from vignettes/"))
        if play.module and play.module not in modules:
            problems.append(Problem(where, play.line, f"no module has the id '{play.module}'"))
    problems += _agenda_problems(days.entries, modules, _file(settings, "agenda.yaml"))
    return problems


def _agenda_problems(days, modules: dict, where: str) -> list[Problem]:
    """Return problems with agenda items that name no module, modules listed twice, and days that run late."""
    problems, seen = [], set()
    for day in days:
        at = _minutes_of(day.start)
        for item in day.items:
            module = modules.get(item.module) if item.kind == "module" else None
            if item.kind == "module" and module is None:
                problems.append(Problem(where, item.line, f"no module has the id '{item.module}'"))
                continue
            if module is not None and module.id in seen:
                problems.append(Problem(where, item.line, f"'{module.id}' is already on the agenda: list each module once"))
            if module is not None:
                seen.add(module.id)
            at += module.minutes if module else item.minutes
        if day.end and at > _minutes_of(day.end):
            problems.append(Problem(where, day.line, f"day {day.day} runs to {at // 60:02d}:{at % 60:02d}, past its end at "
                                                     f"{day.end}: move a module to pre-work, or shorten one"))
    return problems
