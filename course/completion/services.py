"""Completion, worked out from the rules and the learner's records on every read.

A module is complete when its rule is met now (best check score at the threshold, the activity done, or, for a
module with neither, the learner's own mark). The certificate's requirements and the hours earned are derived
the same way. Nothing here trusts a stored "complete" flag for a module that has a check or an activity.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select, true

from grader.vocabulary import kind_label

from ..content_files import Problem
from ..extensions import db
from ..models import MappingAttempt, ModuleProgress, User, Work, WorkStatus
from ..models.attendance import AttendanceStatus
from ..models.pilot import CourseEvaluation, EvaluationDecline
from ..models.quizzes import QuizAttempt
from ..models.work import DrillAttempt
from ..vignettes import KINDS
from .classroom import attended_minutes, day_minutes, is_classroom, learner_records
from .rules import POOL_ID, Rules, rules_file

if TYPE_CHECKING:
    from ..module_files import Module

# The statement set a trainer must accept, all for one family. "harm" is met by an accepted harm statement or
# by an accepted judgement that no harm statement is due (danger-only cases).
REQUIRED_KINDS = KINDS  # every kind a practice case asks for, all accepted for one family
REQUIREMENT_TITLES = {
    "required_modules": "Every required module complete",
    "post_check": "The post-course check taken",
    "evaluation": "The course evaluation given, or declined",
    "accepted_set": "One family's statements accepted by your trainer",
    "attendance": "Your trainer's attendance record for both classroom days",
}


# ---------------------------------------------------------------- rules and modules

def modules() -> list[Module]:
    """Return every module in course order."""
    # Imported here: the curriculum package imports its routes, which read completion.
    from ..module_files import library_for

    return library_for(current_app.config["CONTENT_DIR"]).all()


def load_rules() -> tuple[Rules | None, list[Problem]]:
    """Return the rules file's rules (the defaults when it is missing), or None with its problems."""
    return rules_file(current_app.config["CONTENT_DIR"]).load()


def rules() -> Rules:
    """Return the rules to apply: the file's, or the built-in defaults while the file has problems."""
    found, _ = load_rules()
    return found or Rules()


def module_problems(found: Rules, course: list[Module]) -> list[Problem]:
    """Return where the rules and the modules disagree: a module not listed, an unknown module, or a rule that
    does not fit the module (counts by a check it does not have, or marked although it has a check)."""
    path = found.path
    problems = []
    by_id = {m.id: m for m in course}
    if found.modules:
        for module in course:
            if module.id not in found.modules:
                problems.append(Problem(module.path, 2, f"module '{module.id}' is not in {path}; add "
                                        f"'{module.id}: {{required: true, counts: ...}}' under modules"))
    for module_id, rule in found.modules.items():
        module = by_id.get(module_id)
        if module is None:
            problems.append(Problem(path, rule.line, f"module '{module_id}' does not exist (no module file has "
                                                     f"'id: {module_id}')"))
        elif rule.counts == "check" and not module.quiz:
            problems.append(Problem(path, rule.line, f"module '{module_id}' has no knowledge check (no 'quiz:' in "
                                                     f"{module.path}); use counts: activity or counts: mark"))
        elif rule.counts != "check" and module.quiz:
            problems.append(Problem(path, rule.line, f"module '{module_id}' has a knowledge check "
                                                     f"('{module.quiz}'); it must count by it (counts: check)"))
    return problems


def rules_problems() -> list[Problem]:
    """Return every problem that stops certificates being issued: the file's own, and its fit with the modules."""
    found, problems = load_rules()
    if found is None:
        return problems
    return module_problems(found, modules())


def pass_percent(module: Module) -> int:
    """Return the percentage the module's knowledge check must reach."""
    return rules().threshold(module)


def module_for_quiz(quiz_id: str) -> Module | None:
    """Return the module whose knowledge check a quiz is, or None."""
    return next((m for m in modules() if m.quiz == quiz_id), None)


def required_modules() -> list[Module]:
    """Return the modules the certificate needs, in course order."""
    found = rules()
    return [m for m in modules() if found.rule_for(m).required]


def passes(score: float, max_score: float, threshold: int) -> bool:
    """Return whether a score reaches the threshold, on the exact ratio (79.6% does not pass an 80% mark)."""
    return max_score > 0 and 100 * score >= threshold * max_score


# ---------------------------------------------------------------- the learner's evidence

@dataclass
class Evidence:
    """What the learner has done, read once per request: checks, the pool, marks, drills and maps."""

    best: dict[str, tuple[float, float]] = field(default_factory=dict)  # quiz id -> best (score, max)
    tries: dict[str, int] = field(default_factory=dict)
    pre_taken: bool = False
    post_taken: bool = False
    marked: set[str] = field(default_factory=set)
    started: set[str] = field(default_factory=set)
    drills_ready: set[str] = field(default_factory=set)
    families_mapped: set[str] = field(default_factory=set)


def _after(column, since: datetime | None):
    """Return a filter keeping rows made after a cutoff (or every row without one)."""
    return column > since if since is not None else true()


def gather(user: User, found: Rules, since: datetime | None = None) -> Evidence:
    """Read the learner's records that the rules look at (only those made after `since`, when given)."""
    evidence = Evidence()
    for quiz_id, kind, score, max_score in db.session.execute(
            select(QuizAttempt.quiz_id, QuizAttempt.kind, QuizAttempt.score, QuizAttempt.max_score)
            .where(QuizAttempt.user_id == user.id, _after(QuizAttempt.created_at, since))):
        if kind == "pre":
            evidence.pre_taken = True
        elif kind == "post":
            evidence.post_taken = True
        else:
            evidence.tries[quiz_id] = evidence.tries.get(quiz_id, 0) + 1
            best = evidence.best.get(quiz_id)
            if max_score and (best is None or score / max_score > best[0] / best[1]):
                evidence.best[quiz_id] = (score, max_score)
    for module_id, completed_at in db.session.execute(
            select(ModuleProgress.module_id, ModuleProgress.completed_at).where(ModuleProgress.user_id == user.id)):
        evidence.started.add(module_id)
        if completed_at is not None and (since is None or completed_at > since):
            evidence.marked.add(module_id)
    types = {rule.activity.type for rule in found.modules.values() if rule.activity}
    if "drill" in types:
        evidence.drills_ready = set(db.session.scalars(
            select(DrillAttempt.drill_id).where(DrillAttempt.user_id == user.id, DrillAttempt.verdict == "ready",
                                                _after(DrillAttempt.created_at, since))))
    if "mapping" in types:
        evidence.families_mapped = set(db.session.scalars(
            select(MappingAttempt.vignette_id).where(MappingAttempt.user_id == user.id,
                                                     _after(MappingAttempt.created_at, since))))
    return evidence


# ---------------------------------------------------------------- module states

@dataclass(frozen=True)
class Todo:
    """One thing the learner still has to do, with where to do it (an endpoint and its arguments)."""

    text: str
    endpoint: str | None = None
    values: dict = field(default_factory=dict)
    href: str | None = None  # an address outside the app's endpoints (mailto:)


@dataclass(frozen=True)
class ModuleState:
    """A module and where the learner stands on it under its rule."""

    module: Module
    counts: str
    required: bool
    complete: bool
    started: bool
    threshold: int | None = None
    best_percent: int | None = None
    tries: int = 0
    activity: object = None

    @property
    def status(self) -> str:
        """Return not_started, in_progress or complete, as the agenda shows it."""
        if self.complete:
            return "complete"
        return "in_progress" if self.started or self.tries else "not_started"

    @property
    def todo(self) -> Todo:
        """Return what completes the module, with a link to do it."""
        if self.counts == "check":
            best = f" Your best so far is {self.best_percent}%." if self.best_percent is not None else ""
            return Todo(f"Pass the knowledge check at {self.threshold}% or better.{best}", "quizzes.take",
                        {"quiz_id": self.module.quiz})
        if self.counts == "activity":
            return activity_todo(self.activity)
        return Todo("Read it, then mark it complete at the end of the page.", "curriculum.module",
                    {"module_id": self.module.id})

    @property
    def how(self) -> str:
        """Return how the module counts, in a sentence for the module page."""
        if self.counts == "check":
            return f"This module is complete when you pass its knowledge check at {self.threshold}% or better."
        if self.counts == "activity":
            return f"This module is complete when you have done its activity: {activity_todo(self.activity).text}"
        return "This module has no knowledge check; mark it complete when you have worked through it."


def pool_id() -> str:
    """Return the id of the pre/post key-terms check."""
    return POOL_ID


def activity_todo(activity) -> Todo:
    """Return what an activity asks of the learner, with its link."""
    if activity.type == "pre_check":
        return Todo("Take the pre-course key-terms check.", "quizzes.take_pool", {"quiz_id": pool_id(), "kind": "pre"})
    if activity.type == "drill":
        return Todo("Rewrite the drill sentence until the grader marks it ready.", "drills.drill",
                    {"drill_id": activity.target})
    return Todo("Map the family's facts and check your map.", "exercises.mapping", {"vignette_id": activity.target})


def _activity_done(activity, evidence: Evidence) -> bool:
    """Return whether the learner has done an activity."""
    if activity is None:
        return False
    if activity.type == "pre_check":
        return evidence.pre_taken
    if activity.type == "drill":
        return activity.target in evidence.drills_ready
    return activity.target in evidence.families_mapped


def _state(module: Module, found: Rules, evidence: Evidence) -> ModuleState:
    """Return one module's state from the evidence."""
    rule = found.rule_for(module)
    started = module.id in evidence.started
    if rule.counts == "check":
        threshold = found.threshold(module)
        best = evidence.best.get(module.quiz or "")
        complete = best is not None and passes(best[0], best[1], threshold)
        percent = round(100 * best[0] / best[1]) if best else None
        return ModuleState(module, "check", rule.required, complete, started, threshold, percent,
                           evidence.tries.get(module.quiz or "", 0))
    if rule.counts == "activity":
        return ModuleState(module, "activity", rule.required, _activity_done(rule.activity, evidence), started,
                           activity=rule.activity)
    return ModuleState(module, "mark", rule.required, module.id in evidence.marked, started)


def module_states(user: User, since: datetime | None = None) -> list[ModuleState]:
    """Return every module's state for the learner, in course order (counting only records after `since`)."""
    found = rules()
    evidence = gather(user, found, since)
    return [_state(module, found, evidence) for module in modules()]


def module_state(user: User, module: Module) -> ModuleState:
    """Return one module's state for the learner."""
    found = rules()
    return _state(module, found, gather(user, found))


def completed_module_ids(user: User, since: datetime | None = None) -> set[str]:
    """Return the ids of the modules the learner has completed under the rules."""
    return {state.module.id for state in module_states(user, since) if state.complete}


def can_mark(module: Module) -> bool:
    """Return whether the learner may mark this module complete themself (only a module with no check or
    activity)."""
    return rules().rule_for(module).counts == "mark"


# ---------------------------------------------------------------- the certificate's requirements

@dataclass(frozen=True)
class Requirement:
    """One of the certificate's requirements, met or not, with what is still to do."""

    key: str
    title: str
    done: bool
    detail: str = ""
    todos: tuple[Todo, ...] = ()


@dataclass(frozen=True)
class CertificateStatus:
    """Where a learner stands against every requirement of the certificate."""

    requirements: tuple[Requirement, ...]
    best_vignette: str | None = None
    kinds_done: frozenset = frozenset()

    @property
    def complete(self) -> bool:
        """Return whether every requirement is met."""
        return all(r.done for r in self.requirements)

    @property
    def missing(self) -> list[Requirement]:
        """Return the requirements not yet met."""
        return [r for r in self.requirements if not r.done]


def accepted_kinds_by_vignette(user: User, since: datetime | None = None) -> dict[str, set[str]]:
    """Return, per family, which kinds of the set the learner has had accepted (after `since`, when given)."""
    rows = db.session.execute(
        select(Work.vignette_id, Work.kind).where(Work.user_id == user.id, Work.status == WorkStatus.ACCEPTED.value,
                                                  _after(Work.updated_at, since)))
    found: dict[str, set[str]] = {}
    for vignette_id, kind in rows:
        if kind in REQUIRED_KINDS:
            found.setdefault(vignette_id, set()).add(kind)
    return found


def closest_set(user: User, since: datetime | None = None) -> tuple[str | None, set[str]]:
    """Return the family with a complete accepted set (else the one with the most kinds accepted) and its kinds."""
    by_vignette = accepted_kinds_by_vignette(user, since)
    if not by_vignette:
        return None, set()
    full = sorted(v for v, kinds in by_vignette.items() if set(REQUIRED_KINDS) <= kinds)
    if full:
        return full[0], set(REQUIRED_KINDS)
    best = max(sorted(by_vignette), key=lambda v: len(by_vignette[v]))
    return best, by_vignette[best]


def _modules_requirement(states: list[ModuleState]) -> Requirement:
    """Return the required-modules requirement, listing each missing module with what completes it."""
    required = [s for s in states if s.required]
    missing = [s for s in required if not s.complete]
    todos = tuple(Todo(f"{s.module.title}: {s.todo.text}", s.todo.endpoint, s.todo.values) for s in missing)
    detail = f"{len(required) - len(missing)} of {len(required)} done."
    return Requirement("required_modules", REQUIREMENT_TITLES["required_modules"], not missing, detail, todos)


def _post_requirement(evidence: Evidence, states: list[ModuleState]) -> Requirement:
    """Return the post-course check requirement (the check opens once the required modules are complete)."""
    if evidence.post_taken:
        return Requirement("post_check", REQUIREMENT_TITLES["post_check"], True, "Taken.")
    waiting = any(s.required and not s.complete for s in states)
    text = ("Take the post-course check. It opens once every required module is complete." if waiting
            else "Take the post-course check (about 10 minutes). Any score counts.")
    return Requirement("post_check", REQUIREMENT_TITLES["post_check"], False, "Not taken yet.",
                       (Todo(text, "quizzes.take_pool", {"quiz_id": pool_id(), "kind": "post"}),))


def _evaluation_requirement(user: User, since: datetime | None) -> Requirement:
    """Return the evaluation requirement: submitted, or explicitly declined."""
    given = db.session.scalar(select(CourseEvaluation.id).where(
        CourseEvaluation.user_id == user.id, _after(CourseEvaluation.updated_at, since)))
    declined = db.session.scalar(select(EvaluationDecline.id).where(
        EvaluationDecline.user_id == user.id, _after(EvaluationDecline.declined_at, since)))
    title = REQUIREMENT_TITLES["evaluation"]
    if given is not None:
        return Requirement("evaluation", title, True, "Submitted. Thank you.")
    if declined is not None:
        return Requirement("evaluation", title, True, "You chose not to give it.")
    return Requirement("evaluation", title, False, "Not given yet.", (
        Todo("Give the course evaluation (about 5 minutes), or say you would rather not.", "pilot.evaluation"),))


def _required_kind_label(kind: str) -> str:
    """Return a required kind's label; harm is also met by an accepted judgement that none is due."""
    label = kind_label(kind)
    return f"{label} (or an accepted \u201cno harm statement is due\u201d)" if kind == "harm" else label


def _set_requirement(user: User, since: datetime | None) -> tuple[Requirement, str | None, set[str]]:
    """Return the accepted-set requirement, with the closest family and its accepted kinds."""
    vignette, kinds = closest_set(user, since)
    title = REQUIREMENT_TITLES["accepted_set"]
    done = set(REQUIRED_KINDS) <= kinds
    if done:
        return Requirement("accepted_set", title, True, "Accepted."), vignette, kinds
    missing = [_required_kind_label(k) for k in REQUIRED_KINDS if k not in kinds]
    if vignette:
        todo = Todo(f"For the same family, have these accepted: {'; '.join(missing)}.", "exercises.case",
                    {"vignette_id": vignette})
    else:
        todo = Todo("Write a family's statements and submit them for review; your trainer accepts or returns "
                    "each one.", "exercises.index")
    detail = f"{len(kinds)} of {len(REQUIRED_KINDS)} accepted for your closest family." if vignette else \
        "None accepted yet."
    return Requirement("accepted_set", title, False, detail, (todo,)), vignette, kinds


def _trainer_todo(user: User, text: str) -> Todo:
    """Return a to-do that only the trainer can do, with a mail link to the cohort's first trainer."""
    cohort = user.cohort
    trainer = cohort.trainers[0] if cohort is not None and cohort.trainers else None
    if trainer is None:
        return Todo(text)
    return Todo(f"{text} Ask {trainer.display_name}.", href=f"mailto:{trainer.email}")


def _attendance_requirement(user: User, found: Rules, since: datetime | None) -> Requirement | None:
    """Return the attendance requirement for a classroom cohort, or None when it does not apply."""
    cohort = user.cohort
    if found.attendance is None or not is_classroom(cohort):
        return None
    records = learner_records(user, cohort)
    counting = {AttendanceStatus.PRESENT} | ({AttendanceStatus.PARTIAL} if found.attendance.partial_counts else set())
    todos = []
    for day in found.attendance.days:
        record = records.get(day)
        if record is not None and since is not None and record.recorded_at <= since:
            todos.append(_trainer_todo(user, f"Day {day}: your trainer needs to confirm your attendance again "
                                             "(it was recorded before your certificate was revoked)."))
        elif record is None:
            todos.append(_trainer_todo(user, f"Day {day}: your trainer has not recorded your attendance yet."))
        elif record.state not in counting:
            todos.append(_trainer_todo(user, f"Day {day}: recorded as {record.label.lower()}. If that is wrong, "
                                             f"your trainer can correct it."))
    detail = "Recorded for both days." if not todos else \
        f"{len(found.attendance.days) - len(todos)} of {len(found.attendance.days)} days recorded."
    return Requirement("attendance", REQUIREMENT_TITLES["attendance"], not todos, detail, tuple(todos))


def certificate_status(user: User, since: datetime | None = None) -> CertificateStatus:
    """Return every requirement in force for the learner, each met or not (only records after `since` count)."""
    found = rules()
    evidence = gather(user, found, since)
    states = [_state(module, found, evidence) for module in modules()]
    requirements: list[Requirement] = []
    vignette, kinds = None, set()
    for key in found.requirements:
        if key == "required_modules":
            requirements.append(_modules_requirement(states))
        elif key == "post_check":
            requirements.append(_post_requirement(evidence, states))
        elif key == "evaluation":
            requirements.append(_evaluation_requirement(user, since))
        elif key == "accepted_set":
            requirement, vignette, kinds = _set_requirement(user, since)
            requirements.append(requirement)
        elif key == "attendance":
            requirement = _attendance_requirement(user, found, since)
            if requirement is not None:
                requirements.append(requirement)
    return CertificateStatus(tuple(requirements), vignette, frozenset(kinds))


# ---------------------------------------------------------------- hours

@dataclass(frozen=True)
class DayHours:
    """A classroom day's attendance and the minutes it gives."""

    day: int
    label: str
    minutes: int
    day_minutes: int


@dataclass(frozen=True)
class Hours:
    """The minutes a learner has earned: classroom days attended and self-paced modules completed."""

    classroom: bool  # True when classroom minutes come from attendance
    days: tuple[DayHours, ...]
    modules: tuple[ModuleState, ...]  # the completed modules whose minutes count
    minutes: int

    @property
    def classroom_minutes(self) -> int:
        """Return the minutes from attendance."""
        return sum(d.minutes for d in self.days)

    @property
    def module_minutes(self) -> int:
        """Return the minutes from completed modules."""
        return sum(s.module.minutes for s in self.modules)

    @property
    def hours(self) -> float:
        """Return the hours for the certificate, rounded down to the half hour (never more than was earned)."""
        return math.floor(self.minutes / 30) / 2


def hours_earned(user: User) -> Hours:
    """Return the learner's hours. In a cohort with classroom day dates, classroom modules count through the
    trainer's attendance record and self-paced (pre-work) modules through completion; otherwise every completed
    module counts. Each module's minutes count once."""
    cohort = user.cohort
    states = module_states(user)
    if not is_classroom(cohort):
        done = tuple(s for s in states if s.complete)
        return Hours(False, (), done, sum(s.module.minutes for s in done))
    records = learner_records(user, cohort)
    days = []
    for day in (1, 2):
        record = records.get(day)
        label = record.label if record is not None else "Not recorded"
        days.append(DayHours(day, label, attended_minutes(record, day), day_minutes(day)))
    done = tuple(s for s in states if s.complete and s.module.prework)
    return Hours(True, tuple(days), done, sum(d.minutes for d in days) + sum(s.module.minutes for s in done))
