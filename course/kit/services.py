"""The trainer's kit, assembled from the course: guides, templates, role plays, fact cards, answer keys, agenda.

The printed kit has a fixed shape, so its page count follows from the data (`expected_pages`): one page
for the cover, each facilitation guide, each template and each role play; the fact cards of each family
at FACTS_PER_PAGE to a page; each family's answer key at KEY_FACTS_PER_PAGE facts to a page, then a page of
model statements; one page per agenda day.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import current_app

from grader import default_ruleset

from ..curriculum.agenda import Day, FollowUp
from ..curriculum.kit import Card, Guide, kit
from ..curriculum.services import all_modules, course_agenda, get_module
from ..module_files import Module
from ..vignettes import Fact, Vignette, all_vignettes

FACTS_PER_PAGE = 8  # two columns of four cards on a letter page
KEY_FACTS_PER_PAGE = 8  # answer-key rows (fact, column, why) on a letter page; then one page of model statements
STATEMENT_KINDS = ("harm", "danger", "safety_goal")
KIND_TITLES = {"harm": "Harm statement", "danger": "Danger statement", "safety_goal": "Safety goal"}
TEMPLATES = {  # slug -> (title, diagram shown blank, what the trainer does with it)
    "mapping": ("Mapping template", None,
                "One per group: the three columns, the grey area and the safety scale."),
    "statements": ("Statement worksheet", None,
                   "Harm, danger and safety goal, with each part as a prompt."),
    "three-houses": ("Three Houses template", "three-houses",
                     "For practising a child interview: write the child's exact words in each house."),
    "safety-house": ("Safety House template", "safety-house",
                     "The house, its roof, visitors, outside and the path, left blank for the child."),
    "circles": ("Circles of safety and support", "circles-of-safety",
                "Place each person from the case in the circle that fits."),
}


@dataclass(frozen=True)
class ModuleGuide:
    """A facilitation guide with its module."""

    module: Module
    guide: Guide

    @property
    def planned_minutes(self) -> int:
        """Return the minutes the timing plan adds up to."""
        return sum(step.minutes for step in self.guide.timing)


def module_guides() -> list[ModuleGuide]:
    """Return each module's facilitation guide, in course order (modules without one are left out)."""
    by_module = {g.module: g for g in _kit().guides}
    return [ModuleGuide(m, by_module[m.id]) for m in all_modules() if m.id in by_module]


def module_guide(module_id: str) -> ModuleGuide | None:
    """Return one module's guide, or None."""
    return next((g for g in module_guides() if g.module.id == module_id), None)


def _kit():
    """Return the valid kit data (problems are the content check's to report)."""
    return kit(current_app.config["CONTENT_DIR"], current_app.config.get("VIGNETTES_DIR"))[0]


def role_plays() -> list[Card]:
    """Return every role-play card, grouped by family in the order the families are listed."""
    order = {v.id: i for i, v in enumerate(families())}
    return sorted(_kit().cards, key=lambda c: order.get(c.family, len(order)))


def families() -> list[Vignette]:
    """Return every practice family (for fact cards and answer keys)."""
    return all_vignettes(current_app.config.get("VIGNETTES_DIR"))


def family(vignette_id: str) -> Vignette | None:
    """Return one family, or None."""
    return next((v for v in families() if v.id == vignette_id), None)


def card_pages(vignette: Vignette, per_page: int = FACTS_PER_PAGE) -> list[list[tuple[int, Fact]]]:
    """Return a family's numbered facts, so many to a printed page."""
    numbered = list(enumerate(vignette.mapping_facts, 1))
    return [numbered[i : i + per_page] for i in range(0, len(numbered), per_page)]


def key_pages(vignette: Vignette) -> list[list[tuple[int, Fact]]]:
    """Return a family's numbered facts, KEY_FACTS_PER_PAGE to a page of its answer key."""
    return card_pages(vignette, KEY_FACTS_PER_PAGE)


@dataclass(frozen=True)
class StatementPart:
    """One part a statement needs, as a worksheet prompt."""

    label: str
    prompt: str


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PLACEHOLDERS = {"child": "the child", "caregiver": "the caregiver", "caregivers": "the caregivers",
                 "worker": "the worker", "network": "the network"}


def _generic(match: re.Match) -> str:
    """Return a general word for a name placeholder in a grader hint ('{child}' -> 'the child')."""
    return _PLACEHOLDERS.get(match.group(1), match.group(0))


def statement_parts() -> list[tuple[str, str, list[StatementPart]]]:
    """Return (kind, title, parts) for the worksheet, from the grader's own list of statement parts."""
    components = default_ruleset().components
    out = []
    for kind in STATEMENT_KINDS:
        parts = [StatementPart(c["label"], _PLACEHOLDER.sub(_generic, c["hint"])) for c in components.get(kind, ())]
        out.append((kind, KIND_TITLES[kind], parts))
    return out


@dataclass(frozen=True)
class ScheduledDay:
    """A course day from the agenda, with its pre-work modules."""

    day: Day
    prework: tuple[Module, ...]


def schedule() -> list[ScheduledDay]:
    """Return the agenda's days, with clock times, breaks and lunch (none while the agenda file is invalid)."""
    agenda, _ = course_agenda()
    if agenda is None:
        return []
    return [ScheduledDay(day, tuple(m for m in map(get_module, day.prework) if m)) for day in agenda.days]


def agenda_note() -> tuple[str, tuple[FollowUp, ...]]:
    """Return the agenda's note (what moved to pre-work or follow-up) and the follow-up after the course."""
    agenda, _ = course_agenda()
    return (agenda.note, agenda.followup) if agenda else ("", ())


def expected_pages() -> dict[str, int]:
    """Return the printed kit's pages by part, derived from the data (the PDF test checks the total)."""
    return {
        "cover": 1,
        "facilitation guides": len(module_guides()),
        "templates": len(TEMPLATES),
        "role plays": len(role_plays()),
        "fact cards": sum(math.ceil(len(v.mapping_facts) / FACTS_PER_PAGE) for v in families()),
        "answer keys": sum(math.ceil(len(v.mapping_facts) / KEY_FACTS_PER_PAGE) + 1 for v in families()),
        "agenda": len(schedule()),
    }
