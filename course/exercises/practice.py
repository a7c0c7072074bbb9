"""The network and child-interview exercises: saving plans with a revision check, checking them, and feedback.

The network exercise: the learner places the case's adults in the circles of safety and support,
says whether each network member would make a good member, and drafts a first orientation that
the grader checks for labels and jargon (the plain_language kind). The child-interview exercise:
the learner plans a Three Houses or Safety House conversation with one child old enough for it,
and the grader checks it with the child_questions kind at that child's age.

Feedback uses only the learner's words (the grader's report), the family's facts (the vignette's
network_guidance) or generic wording: nothing from another family.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import grading
from ..database import utcnow
from ..extensions import db
from ..models import PracticeVersion, PracticeWork
from ..network_guidance import (  # noqa: F401  (MIN_INTERVIEW_AGE and age_in_years are part of this service)
    CIRCLE_LABELS,
    CIRCLES,
    FIT_LABELS,
    FITS,
    MIN_INTERVIEW_AGE,
    age_in_years,
    interview_children,
    is_worker,
)
from ..vignettes import Person, Vignette
from . import versions

NETWORK, CHILD_INTERVIEW = "network", "child_interview"
PRACTICE_KINDS = (NETWORK, CHILD_INTERVIEW)
GRADER_KIND = {NETWORK: "plain_language", CHILD_INTERVIEW: "child_questions"}
HOUSES = {"three_houses": "Three Houses (worries, good things, dreams)",
          "safety_house": "Safety House (inside, visiting, rules, not safe, the path)"}
MAX_FIELD_CHARS = 4000  # one part of a plan; the graded text as a whole is held to GRADE_MAX_CHARS


class StalePractice(Exception):
    """The learner saved from an older copy: another tab or window saved since."""

    def __init__(self, work: PracticeWork | None):
        super().__init__("This plan was changed in another tab or window since you opened it. The saved copy is "
                         "shown now; copy anything you want to keep from your other window, then continue.")
        self.work = work


# ---------------------------------------------------------------- who the exercises are about

def child_key(person: Person) -> str:
    """Return the URL key of a child: the short name in lower case ('jayden')."""
    return re.sub(r"[^a-z0-9]+", "-", (person.short or person.name).lower()).strip("-")


def interview_child(vignette: Vignette, key: str | None) -> Person | None:
    """Return the child a key names (the oldest when no key is given), or None."""
    children = interview_children(vignette)
    if not key:
        return children[0] if children else None
    return next((p for p in children if child_key(p) == key), None)


def people_to_place(vignette: Vignette) -> list[Person]:
    """Return the adults a learner places in the circles (everyone but the children and the social worker)."""
    return [p for p in vignette.roster if p.role != "child" and not is_worker(p.role, p.relation)]


def network_members(vignette: Vignette) -> list[Person]:
    """Return the case's network members, whose fit the learner judges."""
    return [p for p in vignette.roster if p.role == "network"]


# ---------------------------------------------------------------- the learner's answers

def clean_network(vignette: Vignette, raw: dict) -> dict:
    """Keep only known people, circles and fits, and the orientation text."""
    placeable = {p.name for p in people_to_place(vignette)}
    members = {p.name for p in network_members(vignette)}
    circles = {n: c for n, c in (raw.get("circles") or {}).items() if n in placeable and c in CIRCLES}
    fits = {n: f for n, f in (raw.get("fits") or {}).items() if n in members and f in FITS}
    return {"circles": circles, "fits": fits, "orientation": str(raw.get("orientation") or "")[:MAX_FIELD_CHARS]}


def clean_interview(raw: dict) -> dict:
    """Keep the house chosen and the three parts of the plan."""
    house = raw.get("house") if raw.get("house") in HOUSES else "three_houses"
    return {"house": house, **{k: str(raw.get(k) or "")[:MAX_FIELD_CHARS] for k in ("opening", "questions",
                                                                                   "sharing")}}


def graded_text(kind: str, data: dict) -> str:
    """Return the text the grader reads: the orientation, or the interview's parts one after another."""
    if kind == NETWORK:
        return (data.get("orientation") or "").strip()
    parts = [(data.get(k) or "").strip() for k in ("opening", "questions", "sharing")]
    return "\n".join(p for p in parts if p)


def is_blank(kind: str, data: dict) -> bool:
    """Return whether a plan has nothing in it yet."""
    return not graded_text(kind, data) and not (kind == NETWORK and (data.get("circles") or data.get("fits")))


# ---------------------------------------------------------------- saving

def get_practice(user_id: int, vignette_id: str, kind: str, subject: str = "") -> PracticeWork | None:
    """Return the learner's plan for one exercise (and child), if started."""
    return db.session.scalar(select(PracticeWork).where(
        PracticeWork.user_id == user_id, PracticeWork.vignette_id == vignette_id, PracticeWork.kind == kind,
        PracticeWork.subject == subject))


def save_practice(user_id: int, vignette_id: str, kind: str, subject: str, data: dict, revision: int) -> PracticeWork:
    """Save a plan if the learner's revision is current; raise StalePractice otherwise (the caller commits)."""
    work = get_practice(user_id, vignette_id, kind, subject)
    now = utcnow()
    if work is None:
        if revision != 0:
            raise StalePractice(None)  # the plan the page was built from has gone
        work = PracticeWork(user_id=user_id, vignette_id=vignette_id, kind=kind, subject=subject, data=data,
                            revision=1, draft_saved_at=now)
        db.session.add(work)
        try:
            db.session.flush()
        except IntegrityError:  # another tab created it a moment ago
            db.session.rollback()
            raise StalePractice(get_practice(user_id, vignette_id, kind, subject)) from None
        return work
    if work.data == data:
        return work  # the same answers from either tab: nothing to resolve
    if work.revision != revision:
        raise StalePractice(work)
    # Compare-and-set in one statement, so two tabs saving at once cannot both win.
    changed = db.session.execute(
        update(PracticeWork).where(PracticeWork.id == work.id, PracticeWork.revision == revision)
        .values(data=data, revision=PracticeWork.revision + 1, draft_saved_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(work)
    if changed != 1:
        raise StalePractice(work)
    return work


# ---------------------------------------------------------------- checking

def _keep_version(work: PracticeWork, text: str, report: dict) -> PracticeVersion:
    """Keep the checked plan as a version (the latest is reused for the same answers and alone keeps its report)."""
    latest = work.latest_version
    if latest is not None and latest.data == work.data:
        versions.record(latest, report)
        return latest
    number = (db.session.scalar(select(func.max(PracticeVersion.number))
                                .where(PracticeVersion.work_id == work.id)) or 0) + 1
    version = PracticeVersion(work=work, number=number, data=dict(work.data), text=text)
    versions.record(version, report)
    db.session.add(version)
    for older in work.versions:
        if older is not version and older.report is not None:
            older.summary = older.summary or versions.summarise(older.report)
            older.report = None
    db.session.flush()
    return version


def check_practice(work: PracticeWork, vignette: Vignette, child: Person | None = None,
                   ) -> tuple[PracticeVersion | None, dict | None, str | None]:
    """Grade the saved plan and keep a version; return (version, report, grader error).

    The caller has committed the plan already, so a grading failure loses nothing.
    """
    text = graded_text(work.kind, work.data)
    if not text:
        return None, None, None
    age = age_in_years(child) if child is not None else None
    try:
        report = grading.grade(GRADER_KIND[work.kind], text, vignette=vignette, child_age=age, child=child)
    except grading.GradingUnavailable as exc:
        return None, None, str(exc) if exc.status == 503 else f"{exc} Your plan is saved."
    version = _keep_version(work, text, report)
    work.checked_revision, work.verdict = work.revision, report.get("verdict")
    db.session.flush()
    return version, report, None


def latest_report(work: PracticeWork | None) -> dict | None:
    """Return the last check's report while it still describes the saved plan."""
    if work is None or work.latest_version is None or work.checked_revision != work.revision:
        return None
    return work.latest_version.report


# ---------------------------------------------------------------- the circles, compared with the case

@dataclass(frozen=True)
class Placement:
    """One person in the circles: where the learner put them and where the case points."""

    person: Person
    chosen: str | None
    expected: str | None

    @property
    def matches(self) -> bool:
        """Return whether the learner's circle is the one the case points to."""
        return self.chosen is not None and self.chosen == self.expected

    @property
    def note(self) -> str:
        """Return the feedback in words, naming only this family's person and the circles."""
        if self.expected is None:
            return "The case does not say; ask the family."
        if self.chosen is None:
            return f"Not placed yet. The case points to “{CIRCLE_LABELS[self.expected]}”."
        if self.matches:
            return f"Matches the case: “{CIRCLE_LABELS[self.expected]}”."
        return (f"You chose “{CIRCLE_LABELS[self.chosen]}”; the case points to “{CIRCLE_LABELS[self.expected]}”. "
                "Look again at what this person has been told and has seen.")


@dataclass(frozen=True)
class MemberFit:
    """One network member: the learner's judgement of their fit and the case's, with the case's reasons."""

    person: Person
    chosen: str | None
    expected: str
    why: str

    @property
    def matches(self) -> bool:
        """Return whether the learner's judgement agrees with the case."""
        return self.chosen == self.expected

    @property
    def chosen_label(self) -> str:
        """Return the learner's answer in words."""
        return FIT_LABELS[self.chosen] if self.chosen else "No answer yet"

    @property
    def expected_label(self) -> str:
        """Return the case's answer in words."""
        return FIT_LABELS[self.expected]


def compare_circles(vignette: Vignette, data: dict) -> list[Placement]:
    """Compare the learner's circles with the case's guidance, person by person."""
    guidance = vignette.network_guidance
    expected = guidance.circles if guidance else {}
    chosen = data.get("circles") or {}
    return [Placement(p, chosen.get(p.name), expected.get(p.name)) for p in people_to_place(vignette)]


def compare_fits(vignette: Vignette, data: dict) -> list[MemberFit]:
    """Compare the learner's judgement of each network member with the case's."""
    guidance = vignette.network_guidance
    if guidance is None:
        return []
    chosen = data.get("fits") or {}
    result = []
    for person in network_members(vignette):
        entry = guidance.member(person.name)
        if entry is not None:
            result.append(MemberFit(person, chosen.get(person.name), entry.fit, entry.why))
    return result


def network_score(vignette: Vignette, data: dict) -> tuple[int, int]:
    """Return (people placed where the case points, people to place)."""
    placements = compare_circles(vignette, data)
    return sum(p.matches for p in placements), len(placements)


def status(work: PracticeWork | None) -> str:
    """Return not_started, started or done: done once a check of the saved plan came back ready."""
    if work is None or is_blank(work.kind, work.data or {}):
        return "not_started"
    return "done" if any(v.verdict == "ready" for v in work.versions) else "started"


def practice_works(user_id: int) -> list[PracticeWork]:
    """Return every plan the learner has started, for progress pages."""
    return list(db.session.scalars(select(PracticeWork).where(PracticeWork.user_id == user_id)))
