"""A learner's writing habits from their own checked drafts, drills aimed at them, and how their drafts grew.

A habit is a finding category, or a missing component of a kind, that the first check of a draft
found: what the learner writes before any feedback. It is counted per draft (one statement,
however often it was checked), over the learner's most recent drafts. "Fixed" means the draft's
latest check no longer showed it. Everything here reads the short summaries kept on every
checked version (course.exercises.versions), so nothing is graded again on a page view. Growth
compares a draft's first and latest checks under the current grader only (course.drills.regrade):
drafts that `flask regrade-growth` has not reached yet are counted as waiting, not mixed in.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grader.vocabulary import VOCABULARY, category_severity, component_label, components, kind_label, reports_category

from ..extensions import db
from ..models import Work
from ..models.work import DrillAttempt
from .loader import Drill, target_key, target_label
from .regrade import Waiting, regraded, summary_now

RECENT_DRAFTS = 6  # habits are counted over this many of the learner's latest drafts
RECURS = 2  # a problem in at least this many of them is a habit
HABITS_TO_PRACTISE = 3
DRILLS_PER_HABIT = 2
MASTERY_STREAK = 2  # consecutive ready rewrites of a drill retire it from practice


@dataclass(frozen=True)
class Draft:
    """One statement's checked versions, reduced to what habits and growth need."""

    work_id: int
    kind: str
    first: dict  # the first checked version's summary
    latest: dict  # the latest checked version's summary
    checks: int
    started_at: datetime
    last_checked_at: datetime

    def problems(self, summary: dict) -> set[str]:
        """Return the habit keys a summary shows: its categories (not info) and the kind's missing components."""
        shown = {c for c in summary.get("categories") or {} if c in VOCABULARY.categories
                 and category_severity(c) != "info"}
        known = {c.id for c in components(self.kind)}
        missing = (summary.get("components") or {}).get("missing") or []
        return shown | {target_key(self.kind, c) for c in missing if c in known}


def drafts_of(user_id: int) -> list[Draft]:
    """Return the learner's drafts that were checked at least once, latest check first."""
    works = db.session.scalars(
        select(Work).where(Work.user_id == user_id).options(selectinload(Work.versions))).all()
    drafts = []
    for work in works:
        checked = [v for v in work.versions if v.summary and not v.no_harm and work.kind in VOCABULARY.kinds]
        if checked:
            drafts.append(Draft(work.id, work.kind, checked[0].summary, checked[-1].summary, len(checked),
                                checked[0].created_at, checked[-1].created_at))
    return sorted(drafts, key=lambda d: (d.last_checked_at, d.work_id), reverse=True)


@dataclass
class Habit:
    """One problem that recurs in the learner's recent drafts, with their own words and how it changed."""

    key: str
    drafts: int  # recent drafts whose first check showed it
    of: int  # recent drafts that could show it (those of a kind that reports it)
    fixed: int  # of those, drafts whose latest check no longer showed it
    examples: list[str] = field(default_factory=list)  # the learner's own flagged words, newest first

    @property
    def label(self) -> str:
        """Return the problem in plain words."""
        return target_label(self.key)

    @property
    def is_component(self) -> bool:
        """Return whether the habit is a missing part rather than a finding category."""
        return ":" in self.key

    @property
    def explanation(self) -> str:
        """Return what the problem is, from the one vocabulary."""
        if self.is_component:
            kind, part = self.key.split(":", 1)
            return (f"A {kind_label(kind)} needs this part: {component_label(kind, part).lower()}. "
                    "Your first check of the draft did not find it.")
        return VOCABULARY.categories[self.key].explanation

    @property
    def reason(self) -> str:
        """Return why drills for this habit are offered, in the learner's own figures."""
        return self.because("your")

    def because(self, whose: str) -> str:
        """Return the reason with a possessive: "your" for the learner, "their" for a trainer."""
        if self.is_component:
            kind, part = self.key.split(":", 1)
            return (f"{self.drafts} of {whose} last {self.of} {kind_label(kind, plural=True)} had no "
                    f"“{component_label(kind, part).lower()}” at the first check")
        return f"{self.drafts} of {whose} last {self.of} drafts had “{self.label.lower()}” at the first check"


def _could_show(draft: Draft, key: str) -> bool:
    """Return whether a draft's kind can show this problem at all."""
    if ":" in key:
        return draft.kind == key.split(":", 1)[0]
    return reports_category(draft.kind, key)


def habits_from(drafts: list[Draft], recent: int = RECENT_DRAFTS, recurs: int = RECURS) -> list[Habit]:
    """Return the problems found at the first check of at least `recurs` of the latest `recent` drafts, most first."""
    window = drafts[:recent]
    found: dict[str, Habit] = {}
    for draft in window:
        still = draft.problems(draft.latest)
        for key in sorted(draft.problems(draft.first)):
            habit = found.setdefault(key, Habit(key, 0, sum(1 for d in window if _could_show(d, key)), 0))
            habit.drafts += 1
            habit.fixed += key not in still
            words = (draft.first.get("examples") or {}).get(key) or []
            habit.examples.extend(w for w in words if w not in habit.examples)
    habits = [h for h in found.values() if h.drafts >= recurs]
    return sorted(habits, key=lambda h: (-h.drafts, -h.drafts / max(h.of, 1), h.key))


def mastered(attempts: list[DrillAttempt], streak: int = MASTERY_STREAK) -> bool:
    """Return whether the newest `streak` graded rewrites of a drill (attempts newest first) were all ready."""
    graded = [a for a in attempts if a.verdict is not None][:streak]
    return len(graded) == streak and all(a.verdict == "ready" for a in graded)


@dataclass(frozen=True)
class Pick:
    """A drill offered for a habit, and why."""

    drill: Drill
    habit: Habit


def practice_picks(habits: list[Habit], drills: Iterable[Drill], attempts: dict[str, list[DrillAttempt]],
                   per_habit: int = DRILLS_PER_HABIT, top: int = HABITS_TO_PRACTISE) -> list[Pick]:
    """Pick drills for the learner's most frequent habits: drills built around the habit first, untried before
    tried, never a drill already picked or mastered (two ready rewrites in a row)."""
    drills = list(drills)
    picks: list[Pick] = []
    taken: set[str] = set()
    for habit in habits:
        if len({p.habit.key for p in picks}) >= top:
            break
        fits = [d for d in drills if habit.key in d.targets and d.id not in taken
                and not mastered(attempts.get(d.id, []))]
        fits.sort(key=lambda d: (target_key(d.kind, d.focus) != habit.key, bool(attempts.get(d.id))))
        for drill in fits[:per_habit]:
            picks.append(Pick(drill, habit))
            taken.add(drill.id)
    return picks


@dataclass
class Growth:
    """How one kind of statement changed from each draft's first check to its latest check."""

    kind: str
    drafts: int = 0
    checks: int = 0
    parts_first: int = 0  # components present, summed over drafts
    parts_latest: int = 0
    parts_total: int = 0  # components the kind asks for, summed over drafts
    blocking_first: int = 0
    blocking_latest: int = 0
    ready_first: int = 0
    ready_latest: int = 0

    @property
    def label(self) -> str:
        """Return the kind in plain words."""
        return kind_label(self.kind, plural=True)

    def per_draft(self, total: int) -> float:
        """Return a sum as a mean per draft, to one decimal."""
        return round(total / self.drafts, 1) if self.drafts else 0.0


def present_parts(summary: dict) -> int:
    """Return how many components a summary found present."""
    return len((summary.get("components") or {}).get("present") or [])


def growth_from(drafts: list[Draft]) -> list[Growth]:
    """Return first-check against latest-check figures per kind, in the vocabulary's order of kinds."""
    rows: dict[str, Growth] = {}
    for draft in drafts:
        row = rows.setdefault(draft.kind, Growth(draft.kind))
        row.drafts += 1
        row.checks += draft.checks
        row.parts_first += present_parts(draft.first)
        row.parts_latest += present_parts(draft.latest)
        row.parts_total += len(components(draft.kind))
        row.blocking_first += int(draft.first.get("blocking") or 0)
        row.blocking_latest += int(draft.latest.get("blocking") or 0)
        row.ready_first += draft.first.get("verdict") == "ready"
        row.ready_latest += draft.latest.get("verdict") == "ready"
    return [rows[kind] for kind in VOCABULARY.kinds if kind in rows]



def growth_now(user_id: int) -> tuple[list[Growth], Waiting]:
    """Return the learner's growth per kind under the current grader, and how many drafts wait for it."""
    works = db.session.scalars(
        select(Work).where(Work.user_id == user_id).options(selectinload(Work.versions))).all()
    pairs = []
    for work in works:
        checked = [v for v in work.versions if v.summary and not v.no_harm and work.kind in VOCABULARY.kinds]
        if checked:
            pairs.append((work, checked))
    rows = regraded(v.id for _, checked in pairs for v in (checked[0], checked[-1]))
    waiting, drafts = Waiting(), []
    for work, checked in pairs:
        if waiting.add([checked[0], checked[-1]], rows):
            drafts.append(Draft(work.id, work.kind, summary_now(checked[0], rows), summary_now(checked[-1], rows),
                                len(checked), checked[0].created_at, checked[-1].created_at))
    return growth_from(drafts), waiting
