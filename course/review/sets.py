"""Whole-set review: a learner's statements for one family are claimed, reviewed and decided together.

The claim is one row per (learner, family) in `review_sets`; one conditional UPDATE of that row decides who
reviews the set, so two trainers never both win, and an idle claim can still be taken over. The works in the
set mirror the claim (status in_review, claimed_by_id) so that pages about one statement keep working.

Every function here flushes; the view commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from grader.vocabulary import KINDS, is_numbered, kind_label

from ..cohorts.services import visible_cohorts
from ..converters import db_int
from ..database import utcnow
from ..events import work_accepted
from ..extensions import db
from ..models import Cohort, Enrollment, User, Work, WorkStatus, WorkVersion
from ..models.review import Review, ReviewSet
from .rubric import meets_fraction, missing_scores
from .services import (
    OPEN_STATUSES,
    ReviewError,
    claim_idle_limit,
    learner_cohort,
    open_review,
)

SORTS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "ready": "Grader: most ready first",
    "revise": "Grader: most to revise first",
}
SET_STATUSES = {
    "open": "Waiting or in review",
    "waiting": "Waiting for a trainer",
    "in_review": "In review",
    "returned": "Returned, waiting on the learner",
    "accepted": "All accepted",
    "all": "Everything submitted",
}
STATUS_MATCHES = {
    "open": ("waiting", "in_review"), "waiting": ("waiting",), "in_review": ("in_review",),
    "returned": ("returned",), "accepted": ("accepted",), "all": ("waiting", "in_review", "returned", "accepted"),
}


def statement_label(kind: str, position: int) -> str:
    """Return 'Danger Statement 2' or 'Harm Statement' (numbered kinds carry their position)."""
    label = kind_label(kind)
    return f"{label} {position}" if is_numbered(kind) else label


def writing_order(work: Work) -> tuple:
    """Sort key: the vocabulary's kind order (harm, dangers, goals, questions), then position."""
    return (KINDS.index(work.kind) if work.kind in KINDS else len(KINDS), work.position, work.id)


# ---------------------------------------------------------------- one set's facts

@dataclass
class SetSummary:
    """What the queue and the trainer home know about one learner's set for one family."""

    learner: User
    cohort: Cohort | None
    vignette_id: str
    works: list[Work]
    claim: ReviewSet | None = None
    verdicts: dict[int, str | None] = field(default_factory=dict)  # work id -> verdict of the version to review
    returned_by: dict[int, int | None] = field(default_factory=dict)  # work id -> who returned its last version
    returns: dict[int, Review] = field(default_factory=dict)  # work id -> that return

    @property
    def open_works(self) -> list[Work]:
        """Return the statements waiting for, or in, review."""
        return [w for w in self.works if w.status in OPEN_STATUSES]

    @property
    def resubmitted(self) -> list[Work]:
        """Return the open statements that come back after a return."""
        return [w for w in self.open_works if w.id in self.returned_by]

    @property
    def waiting_on_learner(self) -> list[Work]:
        """Return the statements returned for revision that the learner has not sent back yet."""
        waiting = (WorkStatus.RETURNED.value, WorkStatus.DRAFT.value)
        return [w for w in self.works if w.id in self.returned_by and w.status in waiting]

    def returned_by_trainer(self, trainer_id: int) -> bool:
        """Return whether this trainer returned any statement that has now come back."""
        return any(self.returned_by.get(w.id) == trainer_id for w in self.resubmitted)

    @property
    def holder_id(self) -> int | None:
        """Return who holds the claim while there is something to review."""
        return self.claim.claimed_by_id if self.claim is not None and self.open_works else None

    @property
    def claimed_at(self) -> datetime | None:
        """Return when the holder last touched the set."""
        return self.claim.claimed_at if self.holder_id else None

    @property
    def idle(self) -> bool:
        """Return whether the holder has left the set untouched past the idle limit."""
        return self.claimed_at is not None and self.claimed_at < utcnow() - claim_idle_limit()

    @property
    def submitted_at(self) -> datetime | None:
        """Return when the oldest open statement was submitted (the age of the queue item)."""
        times = [w.submitted_at for w in self.open_works if w.submitted_at] or \
                [w.submitted_at for w in self.works if w.submitted_at]
        return min(times) if times else None

    @property
    def ready_count(self) -> int:
        """Return how many open statements the grader called ready."""
        return sum(1 for w in self.open_works if self.verdicts.get(w.id) == "ready")

    @property
    def ready_fraction(self) -> float:
        """Return the grader's share of ready statements among those open (for sorting)."""
        return self.ready_count / len(self.open_works) if self.open_works else 0.0

    @property
    def status(self) -> str:
        """Return waiting, in_review, returned or accepted."""
        if self.open_works:
            return "in_review" if self.holder_id else "waiting"
        if any(w.status == WorkStatus.RETURNED.value or w.id in self.returned_by for w in self.works
               if w.status != WorkStatus.ACCEPTED.value):
            return "returned"
        return "accepted"

    @property
    def key(self) -> tuple[int, str]:
        """Return (learner id, vignette id), which names the set in URLs."""
        return self.learner.id, self.vignette_id


def _last_decisions(work_ids: list[int]) -> dict[int, Review]:
    """Return each work's latest decided review."""
    if not work_ids:
        return {}
    rows = db.session.scalars(
        select(Review).join(WorkVersion, Review.version_id == WorkVersion.id)
        .where(Review.work_id.in_(work_ids), Review.decision.is_not(None)).order_by(WorkVersion.number))
    return {review.work_id: review for review in rows}


def _latest_submitted(work_ids: list[int]) -> dict[int, WorkVersion]:
    """Return each work's latest submitted version."""
    if not work_ids:
        return {}
    rows = db.session.scalars(select(WorkVersion).where(WorkVersion.work_id.in_(work_ids),
                                                        WorkVersion.source == "submit").order_by(WorkVersion.number))
    return {version.work_id: version for version in rows}


def summarise(works: list[Work], viewer: User) -> list[SetSummary]:
    """Group submitted works into sets (one per learner and family) with claims, verdicts and returns."""
    groups: dict[tuple[int, str], list[Work]] = {}
    for work in works:
        groups.setdefault((work.user_id, work.vignette_id), []).append(work)
    ids = [w.id for w in works]
    decisions, versions = _last_decisions(ids), _latest_submitted(ids)
    claims = {}
    if groups:
        learner_ids = {user_id for user_id, _ in groups}
        for row in db.session.scalars(select(ReviewSet).where(ReviewSet.user_id.in_(learner_ids))):
            claims[(row.user_id, row.vignette_id)] = row
    summaries = []
    for (user_id, vignette_id), members in groups.items():
        learner = db.session.get(User, user_id)
        summary = SetSummary(learner, learner_cohort(viewer, learner), vignette_id, sorted(members, key=writing_order),
                             claims.get((user_id, vignette_id)))
        for work in members:
            version = versions.get(work.id)
            summary.verdicts[work.id] = version.verdict if version else None
            last = decisions.get(work.id)
            came_back = version is not None and last is not None and last.version.number < version.number
            if last is not None and last.decision == "return" and (came_back or work.status != "accepted"):
                summary.returned_by[work.id] = last.trainer_id
                summary.returns[work.id] = last
        summaries.append(summary)
    return summaries


# ---------------------------------------------------------------- the queue of sets

@dataclass(frozen=True)
class SetFilters:
    """The queue's filters and sort order, read from the query string."""

    status: str = "open"
    vignette: str = ""
    learner: int | None = None
    cohort: int | None = None
    sort: str = "oldest"

    @classmethod
    def from_args(cls, args) -> SetFilters:
        """Build filters from request args, ignoring values that make no sense."""
        status, sort = args.get("status", "open"), args.get("sort", "oldest")
        return cls(status=status if status in SET_STATUSES else "open", vignette=args.get("vignette", "")[:80],
                   learner=args.get("learner", type=db_int), cohort=args.get("cohort", type=db_int),
                   sort=sort if sort in SORTS else "oldest")

    def as_args(self) -> dict:
        """Return the filters as query-string arguments (only those not at their default)."""
        args = {"status": self.status if self.status != "open" else None, "vignette": self.vignette,
                "learner": self.learner, "cohort": self.cohort, "sort": self.sort if self.sort != "oldest" else None}
        return {k: v for k, v in args.items() if v}


def cohort_works(cohort_ids: list[int], learner: int | None = None, vignette: str = "") -> list[Work]:
    """Return every work ever submitted by learners of these cohorts (drafts that were never sent are left out)."""
    if not cohort_ids:
        return []
    learners = select(Enrollment.user_id).where(Enrollment.cohort_id.in_(cohort_ids))
    query = select(Work).where(Work.user_id.in_(learners), Work.submitted_at.is_not(None))
    if learner is not None:
        query = query.where(Work.user_id == learner)
    if vignette:
        query = query.where(Work.vignette_id == vignette)
    return list(db.session.scalars(query))


def _sort_key(summary: SetSummary, sort: str):
    """Return the key for the chosen order; ties fall back to the oldest submission."""
    age = summary.submitted_at.timestamp() if summary.submitted_at else float("inf")
    if sort == "newest":
        return (-age,)
    if sort == "ready":
        return (-summary.ready_fraction, age)
    if sort == "revise":
        return (summary.ready_fraction, age)
    return (age,)


def set_queue(viewer: User, filters: SetFilters) -> list[SetSummary]:
    """Return the viewer's sets matching the filters: resubmissions they returned first, then in the chosen order."""
    cohort_ids = [c.id for c in visible_cohorts(viewer) if filters.cohort is None or c.id == filters.cohort]
    works = cohort_works(cohort_ids, filters.learner, filters.vignette)
    wanted = STATUS_MATCHES[filters.status]
    sets = [s for s in summarise(works, viewer) if s.status in wanted]
    return sorted(sets, key=lambda s: (not s.returned_by_trainer(viewer.id), *_sort_key(s, filters.sort)))


def find_set(viewer: User, learner_id: int, vignette_id: str) -> SetSummary | None:
    """Return one set the viewer may review, or None (no such set, or not the viewer's cohort)."""
    learner = db.session.get(User, learner_id)
    if learner is None or not viewer.is_trainer:
        return None
    if not viewer.is_admin and learner_cohort(viewer, learner) is None:
        return None
    works = list(db.session.scalars(select(Work).where(Work.user_id == learner_id, Work.vignette_id == vignette_id,
                                                       Work.submitted_at.is_not(None))))
    sets = summarise(works, viewer)
    return sets[0] if sets else None


def neighbour_sets(items: list[SetSummary], current: SetSummary) -> tuple[SetSummary | None, SetSummary | None]:
    """Return the sets before and after this one in the queue."""
    keys = [s.key for s in items]
    if current.key not in keys:
        return None, (items[0] if items else None)
    index = keys.index(current.key)
    return (items[index - 1] if index else None), (items[index + 1] if index + 1 < len(items) else None)


def review_counts(viewer: User, cohort: Cohort) -> dict[str, int]:
    """Return a cohort's review counts for the trainer home: new, resubmitted, claimed by the viewer, untouched."""
    sets = [s for s in summarise(cohort_works([cohort.id]), viewer) if s.open_works]
    return {
        "new": sum(1 for s in sets if not s.resubmitted),
        "resubmitted": sum(1 for s in sets if s.resubmitted),
        "mine": sum(1 for s in sets if s.holder_id == viewer.id),
        "untouched": sum(1 for s in sets if s.holder_id is None),
    }


def waiting_count(viewer: User) -> int:
    """Return how many sets wait for the viewer: nobody has claimed them, or the viewer holds them."""
    cohort_ids = [c.id for c in visible_cohorts(viewer)]
    if not cohort_ids:
        return 0
    sets = summarise(cohort_works(cohort_ids), viewer)
    return sum(1 for s in sets if s.open_works and s.holder_id in (None, viewer.id))


# ---------------------------------------------------------------- claims

def set_row(learner_id: int, vignette_id: str) -> ReviewSet | None:
    """Return the set's claim row, if one was ever made."""
    return db.session.scalar(select(ReviewSet).where(ReviewSet.user_id == learner_id,
                                                     ReviewSet.vignette_id == vignette_id))


def ensure_set_row(learner_id: int, vignette_id: str) -> ReviewSet:
    """Return the set's claim row, making it on the first claim (another request may make it at the same moment)."""
    row = set_row(learner_id, vignette_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = ReviewSet(user_id=learner_id, vignette_id=vignette_id)
            db.session.add(row)
    except IntegrityError:
        row = set_row(learner_id, vignette_id)
    return row


def _open_works(learner_id: int, vignette_id: str) -> list[Work]:
    """Return the set's statements waiting for or in review, in writing order."""
    works = db.session.scalars(select(Work).where(Work.user_id == learner_id, Work.vignette_id == vignette_id,
                                                  Work.status.in_(OPEN_STATUSES)))
    return sorted(works, key=writing_order)


def _take_open_works(learner_id: int, vignette_id: str, trainer: User, now: datetime) -> list[Work]:
    """Put the set's open statements in review under the trainer and start (or carry on) a review of each."""
    db.session.execute(
        update(Work).where(Work.user_id == learner_id, Work.vignette_id == vignette_id,
                           Work.status.in_(OPEN_STATUSES))
        .values(status=WorkStatus.IN_REVIEW.value, claimed_by_id=trainer.id, claimed_at=now)
        .execution_options(synchronize_session=False))
    works = _open_works(learner_id, vignette_id)
    for work in works:
        db.session.refresh(work)
        version = current_submitted(work)
        if version is not None:
            review = open_review(work, version, trainer)
            review.trainer_id = trainer.id  # a taken-over draft (scores, comments) carries on under its new reviewer
    return works


def claim_set(learner_id: int, vignette_id: str, trainer: User) -> User | None:
    """Claim a learner's set for review, or take over an idle claim; return the trainer taken over from, if any.

    One conditional UPDATE of the set's row decides, so two trainers never both win, even when both take over.
    Claiming again is harmless, and takes in any statement the learner submitted since.
    """
    if not _open_works(learner_id, vignette_id):
        raise ReviewError("Nothing in this set is waiting for review now. Reload the queue to see what is.")
    row = ensure_set_row(learner_id, vignette_id)
    now = utcnow()
    previous = db.session.get(User, row.claimed_by_id) if row.claimed_by_id else None
    idle = and_(ReviewSet.claimed_by_id != trainer.id, ReviewSet.claimed_at < now - claim_idle_limit())
    won = db.session.execute(
        update(ReviewSet).where(ReviewSet.id == row.id, or_(ReviewSet.claimed_by_id.is_(None), idle))
        .values(claimed_by_id=trainer.id, claimed_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(row)
    if not won and row.claimed_by_id != trainer.id:
        holder = db.session.get(User, row.claimed_by_id) if row.claimed_by_id else None
        raise ReviewError(f"{holder.display_name if holder else 'Another trainer'} is already reviewing this set. "
                          "Choose another set from the queue.")
    _take_open_works(learner_id, vignette_id, trainer, now)
    db.session.flush()
    return previous if won and previous is not None and previous.id != trainer.id else None


def release_set(learner_id: int, vignette_id: str, trainer: User) -> None:
    """Give the set back to the queue without deciding (the holder, or an admin)."""
    row = set_row(learner_id, vignette_id)
    conditions = [ReviewSet.id == (row.id if row else -1), ReviewSet.claimed_by_id.is_not(None)]
    if not trainer.is_admin:
        conditions.append(ReviewSet.claimed_by_id == trainer.id)
    released = db.session.execute(update(ReviewSet).where(*conditions).values(claimed_by_id=None, claimed_at=None)
                                  .execution_options(synchronize_session=False)).rowcount
    if released != 1:
        raise ReviewError("You are not reviewing this set, so there is nothing to release. Reload the page.")
    db.session.execute(
        update(Work).where(Work.user_id == learner_id, Work.vignette_id == vignette_id,
                           Work.status == WorkStatus.IN_REVIEW.value)
        .values(status=WorkStatus.SUBMITTED.value, claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    db.session.flush()


def require_set_claim(learner_id: int, vignette_id: str, trainer: User) -> list[Work]:
    """Refuse changes unless the trainer holds the set's claim; keep the claim fresh; return the works under review.

    A statement the learner submitted since the claim joins the review here."""
    row = set_row(learner_id, vignette_id)
    if row is None or row.claimed_by_id != trainer.id or not _open_works(learner_id, vignette_id):
        raise ReviewError("Claim this set before you review it; another trainer may be reviewing it.")
    now = utcnow()
    row.claimed_at = now
    return _take_open_works(learner_id, vignette_id, trainer, now)


def current_submitted(work: Work) -> WorkVersion | None:
    """Return the version a trainer reviews: the latest submitted one."""
    versions = [v for v in work.versions if v.source == "submit"]
    return versions[-1] if versions else None


# ---------------------------------------------------------------- decisions

@dataclass
class Decision:
    """One statement's decision as the trainer sent it."""

    work: Work
    review: Review
    decision: str  # accept | return | "" (not decided yet)


class DecisionsRefused(ReviewError):
    """Some statements cannot be decided as sent; `problems` maps work id -> what to fix."""

    def __init__(self, problems: dict[int, list[str]], labels: dict[int, str]):
        names = ", ".join(labels[work_id] for work_id in problems)
        super().__init__(f"Nothing was sent. Fix what is marked on {names}, then send the decisions again.")
        self.problems = problems


def decision_problems(item: Decision) -> list[str]:
    """Return what stops this statement's decision (empty when it can be sent)."""
    if item.decision not in ("accept", "return"):
        return ["Choose Accept or Return for revision."]
    problems = []
    missing = missing_scores(item.work.kind, item.review.rubric)
    if missing:
        problems.append(f"Score every rubric row. Not scored yet: {', '.join(c.label for c in missing)}.")
    has_comment = item.review.overall_comment or item.review.comments or any(
        (row or {}).get("comment") for row in (item.review.rubric or {}).values())
    if item.decision == "return" and not has_comment:
        problems.append("Say what to revise: add an overall comment, a rubric comment or a comment on the text.")
    return problems


def decide_set(learner_id: int, vignette_id: str, trainer: User, items: list[Decision]) -> list[Decision]:
    """Send every statement's decision at once, or none; release the set; announce acceptances."""
    problems = {item.work.id: p for item in items if (p := decision_problems(item))}
    if problems:
        labels = {item.work.id: statement_label(item.work.kind, item.work.position) for item in items}
        raise DecisionsRefused(problems, labels)
    now = utcnow()
    for item in items:
        review, work = item.review, item.work
        review.decision = item.decision
        review.decided_at = now
        review.score = meets_fraction(work.kind, review.rubric)
        review.grader_verdict = review.version.verdict or (review.version.report or {}).get("verdict")
        review.trainer_id = trainer.id
        work.transition(WorkStatus.ACCEPTED if item.decision == "accept" else WorkStatus.RETURNED)
        work.claimed_by_id = None
        work.claimed_at = None
    row = set_row(learner_id, vignette_id)
    if row is not None:  # every statement under review was decided: the set goes back to no one
        row.claimed_by_id, row.claimed_at = None, None
    db.session.flush()
    app = current_app._get_current_object()
    learner = db.session.get(User, learner_id)
    for item in items:
        if item.decision == "accept":
            work_accepted.send(app, user=learner, work=item.work, version=item.review.version,
                               score=item.review.score)
    return items
