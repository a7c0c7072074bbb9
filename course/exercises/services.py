"""Exercise services: drafts with optimistic saving, checks and versions, set submission, mapping scores."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from grader.vocabulary import is_numbered, kind_label

from .. import grading
from ..database import utcnow
from ..events import work_submitted
from ..extensions import db
from ..feedback import numbered_label, privacy_findings
from ..models import InvalidTransition, MappingAttempt, Work, WorkStatus, WorkVersion
from ..models.work import TRANSITIONS
from ..vignettes import CATEGORIES, KINDS, Vignette, get_vignette
from . import versions

MAX_DANGER = 3
QUESTION_RANGE = (3, 5)


class StaleRevision(Exception):
    """The learner saved from an older copy: another tab or window saved since."""

    def __init__(self, work: Work):
        super().__init__(
            "This statement was changed in another tab or window since you opened it. "
            "The saved text is shown below; copy anything you want to keep, then continue from it."
        )
        self.work = work


class WorkLocked(Exception):
    """The work is submitted, in review or accepted, so its text cannot change."""

    def __init__(self, work: Work):
        super().__init__(
            f"This statement is {work.status_label.lower()}, so it is locked and cannot be edited. "
            "It opens again if your trainer returns it for revision."
        )
        self.work = work


class SubmitBlocked(Exception):
    """The set cannot be submitted; `problems` says which statement and why."""

    def __init__(self, message: str, problems: list[dict] | None = None):
        super().__init__(message)
        self.problems = problems or []


# ---------------------------------------------------------------- slots: which statements a vignette asks for

@dataclass
class Slot:
    """One statement the learner can write for a vignette (kind and position), with its work if started."""

    kind: str
    position: int
    work: Work | None = None

    @property
    def label(self) -> str:
        """Return the kind's label, numbered for the kinds written 1..n (danger statements, safety goals)."""
        return numbered_label(self.kind, self.position)

    @property
    def has_text(self) -> bool:
        """Return whether there is anything written (or a no-harm reason) to submit."""
        return self.work is not None and bool(self.work.draft_text.strip())

    @property
    def status(self) -> str:
        """Return the status value, or 'not_started'."""
        return self.work.status if self.work and (self.has_text or self.work.versions) else "not_started"

    @property
    def status_label(self) -> str:
        """Return the status in plain words."""
        return self.work.status_label if self.status != "not_started" else "Not started"


def vignette_or_404(vignette_id: str) -> Vignette:
    """Return the vignette or answer 404."""
    vignette = get_vignette(vignette_id)
    if vignette is None:
        abort(404)
    return vignette


def works_for(user_id: int, vignette_id: str) -> list[Work]:
    """Return the learner's works for a vignette, in kind and position order."""
    rows = db.session.scalars(select(Work).where(Work.user_id == user_id, Work.vignette_id == vignette_id)).all()
    return sorted(rows, key=lambda w: (KINDS.index(w.kind) if w.kind in KINDS else 9, w.position))


def danger_count(works: list[Work]) -> int:
    """Return how many danger statements the learner has opened (at least one)."""
    return max([w.position for w in works if w.kind == "danger"] or [1])


def slots_for(user_id: int, vignette: Vignette) -> list[Slot]:
    """Return the statement slots in writing order: harm, dangers, paired goals, questions."""
    works = works_for(user_id, vignette.id)
    by_key = {(w.kind, w.position): w for w in works}
    count = danger_count(works)
    slots = [Slot("harm", 1, by_key.get(("harm", 1)))]
    slots += [Slot("danger", n, by_key.get(("danger", n))) for n in range(1, count + 1)]
    slots += [Slot("safety_goal", n, by_key.get(("safety_goal", n))) for n in range(1, count + 1)]
    slots.append(Slot("sf_question", 1, by_key.get(("sf_question", 1))))
    return slots


def allowed_position(kind: str, position: int, works: list[Work]) -> bool:
    """Return whether the learner may open this statement (one new danger statement at a time, up to 3)."""
    if kind not in KINDS:
        return False  # a kind no practice case asks for
    if not is_numbered(kind):
        return position == 1
    opened = max([w.position for w in works if w.kind == "danger"] or [0])
    if kind == "danger":
        return 1 <= position <= min(MAX_DANGER, opened + 1)
    return kind == "safety_goal" and 1 <= position <= max(1, opened)


def get_work(user_id: int, vignette_id: str, kind: str, position: int) -> Work | None:
    """Return the learner's work for one slot, if started."""
    return db.session.scalar(select(Work).where(
        Work.user_id == user_id, Work.vignette_id == vignette_id, Work.kind == kind, Work.position == position))


# ---------------------------------------------------------------- saving drafts

@dataclass
class SaveResult:
    """The outcome of a save: the work and whether anything changed."""

    work: Work
    changed: bool
    reopened: bool = False  # a returned item became a draft again on this edit


def _require_transition(work: Work, target: WorkStatus) -> None:
    """Raise InvalidTransition unless the work may move to target (without changing it)."""
    if target not in TRANSITIONS[work.state]:
        raise InvalidTransition(work.state, target)


def save_draft(user_id: int, vignette_id: str, kind: str, position: int, text: str, revision: int,
               no_harm: bool = False) -> SaveResult:
    """Save a draft if the learner's revision is current; raise StaleRevision or WorkLocked otherwise."""
    no_harm = bool(no_harm) and kind == "harm"
    work = get_work(user_id, vignette_id, kind, position)
    now = utcnow()
    if work is None:
        work = Work(user_id=user_id, vignette_id=vignette_id, kind=kind, position=position, draft_text=text,
                    no_harm=no_harm, revision=1, draft_saved_at=now, status=WorkStatus.DRAFT.value)
        db.session.add(work)
        try:
            db.session.flush()
        except IntegrityError:  # another tab created it a moment ago
            db.session.rollback()
            raise StaleRevision(get_work(user_id, vignette_id, kind, position)) from None
        return SaveResult(work, changed=True)
    same = work.draft_text == text and work.no_harm == no_harm
    if same and work.editable:
        return SaveResult(work, changed=False)  # identical text from either tab: nothing to resolve
    if not work.editable and not same:
        raise WorkLocked(work)
    if same:
        return SaveResult(work, changed=False)
    if work.revision != revision:
        raise StaleRevision(work)
    status = work.status
    reopened = work.state is WorkStatus.RETURNED
    if reopened:
        _require_transition(work, WorkStatus.DRAFT)
        status = WorkStatus.DRAFT.value
    # Compare-and-set in one statement, so two tabs saving at once cannot both win.
    result = db.session.execute(
        update(Work)
        .where(Work.id == work.id, Work.revision == revision, Work.status == work.status)
        .values(draft_text=text, no_harm=no_harm, revision=Work.revision + 1, draft_saved_at=now,
                status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(work)
    if result.rowcount != 1:
        raise StaleRevision(work)
    return SaveResult(work, changed=True, reopened=reopened)


# ---------------------------------------------------------------- versions

def add_version(work: Work, source: str, report: dict | None) -> tuple[WorkVersion, bool]:
    """Keep the work's current text as a version; reuse the latest when a check repeats the same text."""
    latest = work.latest_version
    if latest is not None and latest.text == work.draft_text and latest.no_harm == work.no_harm and (
        source == "check" or latest.source == source
    ):
        if report is not None and latest.report is None:
            versions.record(latest, report)
        return latest, False
    number = (db.session.scalar(select(func.max(WorkVersion.number)).where(WorkVersion.work_id == work.id)) or 0) + 1
    version = WorkVersion(work=work, number=number, text=work.draft_text, source=source, no_harm=work.no_harm)
    versions.record(version, report)
    db.session.add(version)
    db.session.flush()
    versions.drop_old_reports(work, version)
    return version, True


def get_version(work: Work, number: int) -> WorkVersion | None:
    """Return one kept version of a work by its number."""
    return next((v for v in work.versions if v.number == number), None)


# ---------------------------------------------------------------- grading a learner's text

def danger_drafts(user_id: int, vignette_id: str, position: int | None = None) -> list[str]:
    """The learner's latest danger statement drafts for a vignette: the one paired with `position` when written."""
    rows = db.session.execute(select(Work.position, Work.draft_text).where(
        Work.user_id == user_id, Work.vignette_id == vignette_id, Work.kind == "danger").order_by(Work.position))
    written = {number: text for number, text in rows if text.strip()}
    if position in written:
        return [written[position]]
    return list(written.values())


def grade_draft(user_id: int, kind: str, text: str, vignette: Vignette | str | None, position: int | None = None,
                no_harm: bool = False, child_age: int | float | None = None, child: str | None = None) -> dict:
    """Grade a learner's text: with the vignette's roster and, for a safety goal, their own danger statements.

    Raises grading.GradingUnavailable (the caller has saved the text first).
    """
    if kind == "harm" and no_harm and isinstance(vignette, Vignette):
        return no_harm_report(user_id, text, vignette)
    danger = None
    if kind == "safety_goal" and vignette is not None:
        danger = danger_drafts(user_id, vignette if isinstance(vignette, str) else vignette.id, position)
    return grading.grade(kind, text, vignette=vignette, danger=danger, child_age=child_age, child=child)


def no_harm_report(user_id: int, reason: str, vignette: Vignette) -> dict:
    """Judge a "no harm statement" answer: right only for danger-only vignettes; privacy still applies."""
    base = {"findings": [], "grader_version": ""}
    if reason.strip():
        base = grading.grade("harm", reason, vignette=vignette)
    child = ", ".join(p.short or p.name for p in vignette.children) or "the child"
    fits = vignette.danger_only
    hint = (
        f"Right: nothing has happened to {child} yet, so the worries belong in the danger statements."
        if fits else
        f"Something has already happened to {child} in this case. Look again at the harm column of your map "
        "and write a harm statement about it."
    )
    components = [
        {"id": "no_harm_fits", "label": "No harm has happened in this case", "present": fits, "evidence": [],
         "hint": hint},
        {"id": "reason", "label": "A reason in your own words", "present": bool(reason.strip()), "evidence": [],
         "hint": "Say in a sentence what has and has not happened to the child so far."},
    ]
    findings = privacy_findings(base)
    ready = fits and bool(reason.strip()) and not findings
    return {"kind": "harm", "verdict": "ready" if ready else "revise", "components": components,
            "findings": findings, "questions": [], "metrics": {"no_harm": True},
            "grader_version": base.get("grader_version", "")}


def check_saved(user_id: int, vignette: Vignette, work: Work, keep: bool = True,
                ) -> tuple[WorkVersion | None, dict | None, str | None]:
    """Grade the saved draft and (when keep) keep it as a version; return (version, report, grader error).

    The caller has committed the draft already, so a grading failure loses nothing.
    """
    if not work.draft_text.strip():
        return None, None, None
    try:
        report = grade_draft(user_id, work.kind, work.draft_text, vignette, work.position, no_harm=work.no_harm)
    except grading.GradingUnavailable as exc:
        message = str(exc) if exc.status == 503 else f"{exc} Your draft is saved."
        return None, None, message
    version = None
    if keep and work.editable:
        version, _ = add_version(work, "check", report)
    return version, report, None


# ---------------------------------------------------------------- submitting the set

@dataclass
class SubmitResult:
    """What a set submission did: the works it submitted and those already submitted before."""

    submitted: list[Work] = field(default_factory=list)
    already: list[Work] = field(default_factory=list)


def submittable(slots: list[Slot]) -> list[Slot]:
    """Return the slots with text that are drafts (a returned item becomes a draft when it is revised)."""
    return [s for s in slots if s.has_text and s.work.state is WorkStatus.DRAFT]


def set_warnings(vignette: Vignette, slots: list[Slot]) -> list[str]:
    """Return gentle reminders about the set (missing pairs, question counts); they do not block."""
    notes = []
    by_key = {(s.kind, s.position): s for s in slots}
    for slot in slots:
        if slot.kind == "danger" and slot.has_text:
            goal = by_key.get(("safety_goal", slot.position))
            if goal is None or not goal.has_text:
                notes.append(
                    f"{slot.label} has no {numbered_label('safety_goal', slot.position)} yet: each danger statement "
                    "pairs with a goal."
                )
        if slot.kind == "sf_question" and slot.has_text:
            count = len([line for line in slot.work.draft_text.splitlines() if line.strip()])
            low, high = QUESTION_RANGE
            if not low <= count <= high:
                notes.append(f"You wrote {count} question{'s' if count != 1 else ''}; "
                             f"the exercise asks for {low} to {high}, one per line.")
    harm = by_key.get(("harm", 1))
    if harm is not None and not harm.has_text:
        notes.append(f"You have not written a {kind_label('harm')} (or said why none is due).")
    return notes


def submit_set(user, vignette: Vignette, revisions: dict[int, int]) -> SubmitResult:
    """Submit every drafted statement of the vignette whose revision the learner saw; all or nothing.

    The caller commits (after work_submitted's receivers have added their rows).
    """
    slots = slots_for(user.id, vignette)
    ready = submittable(slots)
    result = SubmitResult(already=[s.work for s in slots if s.work and s.work.state in (
        WorkStatus.SUBMITTED, WorkStatus.IN_REVIEW, WorkStatus.ACCEPTED) and s.has_text])
    if not ready:
        return result
    stale = [s for s in ready if revisions.get(s.work.id) != s.work.revision]
    if stale:
        names = ", ".join(s.label for s in stale)
        raise SubmitBlocked(f"{names} changed in another tab or window after this page was opened. "
                            "Look over the latest text below, then submit again.")
    blocked, reports, unavailable = [], {}, False
    for slot in ready:
        work = slot.work
        if work.kind == "harm" and work.no_harm and not work.draft_text.strip():
            blocked.append({"label": slot.label, "message": "Say in a sentence why no harm statement is due."})
            continue
        try:
            reports[work.id] = grade_draft(user.id, work.kind, work.draft_text, vignette, work.position,
                                           no_harm=work.no_harm)
        except grading.GradingUnavailable as exc:
            if exc.status == 503:
                unavailable = True
            else:
                blocked.append({"label": slot.label, "message": str(exc)})
            continue
        private = privacy_findings(reports[work.id])
        if private:
            blocked.append({"label": slot.label, "message": private[0]["message"], "findings": private})
    if unavailable:
        raise SubmitBlocked("Nothing was submitted: feedback is unavailable right now, so your statements cannot be "
                            "checked for private details. Your drafts are saved: try submitting again in a few "
                            "minutes.")
    if blocked:
        raise SubmitBlocked("Nothing was submitted. Practice statements must not contain real case details "
                            "or identifiers; change the statements listed below, then submit again.", blocked)
    now = utcnow()
    done = []
    for slot in ready:
        work = slot.work
        _require_transition(work, WorkStatus.SUBMITTED)
        changed = db.session.execute(
            update(Work)
            .where(Work.id == work.id, Work.revision == work.revision, Work.status == work.status)
            .values(status=WorkStatus.SUBMITTED.value, submitted_at=now, revision=Work.revision + 1,
                    updated_at=now, claimed_by_id=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:  # a second submit or another tab won the race: keep one consistent result
            db.session.rollback()
            raise SubmitBlocked("These statements were just submitted or changed from another tab or window. "
                                "Reload the page to see where they are now.")
        db.session.refresh(work)
        version, _ = add_version(work, "submit", reports[work.id])
        done.append((work, version))
    result.submitted = [w for w, _ in done]
    app = current_app._get_current_object()
    for work, version in done:  # receivers add their rows to this transaction; the view commits it all
        work_submitted.send(app, user=user, work=work, version=version)
    return result


# ---------------------------------------------------------------- mapping

@dataclass(frozen=True)
class FactResult:
    """One placed fact: the learner's column, the right column, and whether they match."""

    fact: object
    chosen: str | None
    correct: bool


def score_mapping(vignette: Vignette, placements: dict[str, str]) -> tuple[list[FactResult], int, int]:
    """Score placements (fact id -> category) against the vignette; return (results, correct, total)."""
    results = []
    for fact in vignette.mapping_facts:
        chosen = placements.get(fact.id)
        chosen = chosen if chosen in CATEGORIES else None
        results.append(FactResult(fact, chosen, chosen == fact.category))
    correct = sum(r.correct for r in results)
    return results, correct, len(results)


def mapping_attempts(user_id: int, vignette_id: str) -> list[MappingAttempt]:
    """Return the learner's mapping attempts for a vignette, newest first."""
    return list(db.session.scalars(select(MappingAttempt).where(
        MappingAttempt.user_id == user_id, MappingAttempt.vignette_id == vignette_id
    ).order_by(MappingAttempt.created_at.desc(), MappingAttempt.id.desc())))


# ---------------------------------------------------------------- exemplars and progress

def accepted_kinds(user_id: int, vignette_id: str) -> set[str]:
    """Return the kinds of statement the learner has had accepted for this vignette."""
    return set(db.session.scalars(select(Work.kind).where(
        Work.user_id == user_id, Work.vignette_id == vignette_id, Work.status == WorkStatus.ACCEPTED.value)))


def progress_for(user_id: int, vignette: Vignette) -> dict:
    """Return the learner's status per step, for the exercises index."""
    attempts = mapping_attempts(user_id, vignette.id)
    best = max(attempts, key=lambda a: a.correct, default=None)
    return {"mapping": best, "mapping_count": len(attempts), "slots": slots_for(user_id, vignette)}
