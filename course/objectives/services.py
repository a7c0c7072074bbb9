"""Objective coverage: for each course objective, the modules that teach it, the exercises and
quiz items that check it, and (for a learner) how far they have got."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..curriculum.services import all_modules, completed_ids
from ..extensions import db
from ..models import MappingAttempt, PracticeWork, User, Work, WorkStatus
from ..network_guidance import interview_children
from ..quizzes.loader import all_quizzes
from ..quizzes.services import items_answered_correctly
from ..vignettes import Vignette, all_vignettes

# The ten course objectives (SOP-PRIMER section 2), in our own words: (short title, what a learner can do).
OBJECTIVES: dict[int, tuple[str, str]] = {
    1: ("Value SOP in practice",
        "See SOP as a workable way to support families, children and youth that is collaborative, "
        "culturally responsive and trauma-informed, and choose to use it."),
    2: ("Elements and values",
        "Explain SOP's main elements and values, and how they help you engage, work with and talk openly "
        "with parents, children, youth and the people around them."),
    3: ("Rigorous, balanced assessment",
        "Recognize what makes an assessment rigorous and balanced, and which tools it calls for."),
    4: ("The key terms",
        "Define safety, acts of protection, strengths, harm, danger and complicating factors, and tell them apart."),
    5: ("The foundational tools",
        "Name the foundational SOP tools and say how each one helps with engagement, teamwork, gathering "
        "information, assessment, planning and decisions."),
    6: ("SOP and the Core Practice Model",
        "Describe how SOP puts California's Integrated Core Practice Model into day-to-day practice."),
    7: ("Trauma-informed, culturally responsive",
        "Recognize how SOP supports work that is trauma-informed and responsive to each family's culture."),
    8: ("Mapping a case",
        "Map a case from a vignette, thinking critically and using SOP terms and behaviorally specific language."),
    9: ("Harm, danger and safety goals",
        "Write a harm statement, danger statements and matching safety goals from a vignette."),
    10: ("Solution-focused questions",
         "Write solution-focused questions from a vignette that lead to concrete next steps."),
}

# Which practice exercises check which objective (the exercises feature owns the pages).
EXERCISE_KINDS = {5: "practice", 8: "mapping", 9: "statements", 10: "sf_questions"}
DONE_STATUSES = {WorkStatus.SUBMITTED.value, WorkStatus.IN_REVIEW.value, WorkStatus.ACCEPTED.value}
STATUS_WORDS = {"not_started": "Not started", "started": "Started", "done": "Done"}


@dataclass
class ModuleLink:
    """A module that teaches the objective, with the learner's status."""

    id: str
    title: str
    day: int
    complete: bool = False


@dataclass
class ExerciseLink:
    """A practice exercise that checks the objective, with the learner's status."""

    label: str
    url: str
    status: str = "not_started"  # not_started | started | done
    detail: str = ""

    @property
    def status_text(self) -> str:
        """Return the status in words."""
        return STATUS_WORDS[self.status]


@dataclass
class QuizLink:
    """A knowledge check with the items in it that check the objective."""

    quiz_id: str
    title: str
    pool: bool
    item_ids: list[str]
    right: int = 0


@dataclass
class Coverage:
    """One objective: what teaches it, what checks it, and the learner's progress."""

    number: int
    title: str
    text: str
    modules: list[ModuleLink] = field(default_factory=list)
    exercises: list[ExerciseLink] = field(default_factory=list)
    quizzes: list[QuizLink] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        """Return how many quiz items check the objective."""
        return sum(len(q.item_ids) for q in self.quizzes)

    @property
    def items_right(self) -> int:
        """Return how many of those items the learner has answered right."""
        return sum(q.right for q in self.quizzes)

    @property
    def modules_done(self) -> int:
        """Return how many of the teaching modules the learner completed."""
        return sum(1 for m in self.modules if m.complete)

    @property
    def exercises_done(self) -> int:
        """Return how many of the exercises the learner has done."""
        return sum(1 for e in self.exercises if e.status == "done")

    @property
    def assessed(self) -> bool:
        """Return whether a quiz item or an exercise checks the objective."""
        return bool(self.item_count or self.exercises)

    @property
    def status(self) -> str:
        """Return not_started, started or done for the learner."""
        done = self.modules_done + self.items_right + self.exercises_done
        total = len(self.modules) + self.item_count + len(self.exercises)
        started = done or any(e.status != "not_started" for e in self.exercises)
        return "done" if total and done == total else ("started" if started else "not_started")

    @property
    def status_text(self) -> str:
        """Return the status in words."""
        return STATUS_WORDS[self.status]


def _exercises(number: int, vignettes: list[Vignette]) -> list[ExerciseLink]:
    """Return the exercises that check an objective, one per vignette."""
    kind = EXERCISE_KINDS.get(number)
    if kind == "mapping":
        return [ExerciseLink(f"Map the case: {v.title}", f"/exercises/{v.id}/mapping") for v in vignettes]
    if kind == "statements":
        danger_label, full_label = "Danger statements and safety goals", "Harm and danger statements, safety goals"
        return [ExerciseLink(f"{danger_label if v.danger_only else full_label}: {v.title}", f"/exercises/{v.id}")
                for v in vignettes]
    if kind == "sf_questions":
        return [ExerciseLink(f"Solution-focused questions: {v.title}", f"/exercises/{v.id}") for v in vignettes]
    if kind == "practice":  # the foundational tools, practised: the safety network and the child interview
        links = [ExerciseLink(f"Safety network: {v.title}", f"/exercises/{v.id}/network")
                 for v in vignettes if v.network_guidance is not None]
        links += [ExerciseLink(f"Child interview: {v.title}", f"/exercises/{v.id}/child-interview")
                  for v in vignettes if interview_children(v)]
        return links
    return []


def _practice_status(works: list[PracticeWork], vignette_id: str, kind: str) -> tuple[str, str]:
    """Return the status of a practice exercise for one family: done once any of its plans checked ready."""
    mine = [w for w in works if w.vignette_id == vignette_id and w.kind == kind]
    if not mine:
        return "not_started", ""
    if any(v.verdict == "ready" for w in mine for v in w.versions):
        return "done", "checked: ready"
    return "started", "plan in progress"


def _statement_status(works: list[Work], kinds: set[str]) -> tuple[str, str]:
    """Return the status of a set of statements and a few words on it: done when each kind is submitted or accepted."""
    relevant = [
        w
        for w in works
        if w.kind in kinds and (w.draft_text.strip() or w.versions or w.status != WorkStatus.DRAFT.value)
    ]
    if not relevant:
        return "not_started", ""
    done_kinds = {w.kind for w in relevant if w.status in DONE_STATUSES}
    accepted = all(w.status == WorkStatus.ACCEPTED.value for w in relevant) and done_kinds == kinds
    if done_kinds == kinds:
        return "done", "accepted" if accepted else "submitted for review"
    return "started", "draft in progress"


def _apply_exercise_status(coverage: list[Coverage], user: User, vignettes: list[Vignette]) -> None:
    """Fill each exercise's status from the learner's mapping attempts and statements."""
    mapped: dict[str, MappingAttempt] = {}
    for attempt in db.session.scalars(select(MappingAttempt).where(MappingAttempt.user_id == user.id)):
        best = mapped.get(attempt.vignette_id)
        if best is None or attempt.correct * best.total > best.correct * attempt.total:
            mapped[attempt.vignette_id] = attempt
    works: dict[str, list[Work]] = {}
    for work in db.session.scalars(select(Work).where(Work.user_id == user.id)):
        works.setdefault(work.vignette_id, []).append(work)
    practice = list(db.session.scalars(select(PracticeWork).where(PracticeWork.user_id == user.id)))
    for item in coverage:
        kind = EXERCISE_KINDS.get(item.number)
        if kind == "practice":
            for exercise in item.exercises:
                _, vignette_id, page = exercise.url.rsplit("/", 2)
                exercise.status, exercise.detail = _practice_status(
                    practice, vignette_id, "network" if page == "network" else "child_interview")
            continue
        for vignette, exercise in zip(vignettes, item.exercises, strict=False):
            if kind == "mapping" and vignette.id in mapped:
                best = mapped[vignette.id]
                exercise.status, exercise.detail = "done", f"best {best.correct} of {best.total} facts placed"
            elif kind == "statements":
                kinds = {"danger", "safety_goal"} if vignette.danger_only else {"harm", "danger", "safety_goal"}
                exercise.status, exercise.detail = _statement_status(works.get(vignette.id, []), kinds)
            elif kind == "sf_questions":
                exercise.status, exercise.detail = _statement_status(works.get(vignette.id, []), {"sf_question"})


def coverage(user: User | None = None) -> list[Coverage]:
    """Return every objective's coverage, with the learner's status when a user is given."""
    modules = all_modules()
    quizzes = all_quizzes()
    vignettes = sorted(all_vignettes(), key=lambda v: v.id)
    position = {module.id: index for index, module in enumerate(modules)}
    done = completed_ids(user)
    right = items_answered_correctly(user.id) if user is not None else set()
    result = []
    for number, (title, text) in OBJECTIVES.items():
        item = Coverage(number, title, text)
        for module in modules:
            if number in module.objectives:
                item.modules.append(ModuleLink(module.id, module.title, module.day, module.id in done))
        for quiz in sorted(quizzes, key=lambda q: (not q.pool, position.get(q.module, len(position)), q.id)):
            ids = [i.id for i in quiz.items if number in i.objectives]
            if ids:
                item.quizzes.append(
                    QuizLink(quiz.id, quiz.title, quiz.pool, ids, sum(1 for i in ids if (quiz.id, i) in right))
                )
        item.exercises = _exercises(number, vignettes)
        result.append(item)
    if user is not None:
        _apply_exercise_status(result, user, vignettes)
    return result
