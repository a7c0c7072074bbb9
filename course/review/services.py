"""Review services: who may see which work, the queue, claims, reviews, comments and decisions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import and_, or_, select, update

from ..cohorts.services import can_manage, visible_cohorts
from ..database import utcnow
from ..events import work_accepted
from ..extensions import db
from ..feedback import category_label
from ..models import Cohort, Enrollment, User, Work, WorkStatus, WorkVersion
from ..models.review import CommentBankEntry, GraderFeedback, InlineComment, Review
from .rubric import clean_rubric, meets_fraction, missing_scores

OPEN_STATUSES = (WorkStatus.SUBMITTED.value, WorkStatus.IN_REVIEW.value)
STATUS_FILTERS = {
    "open": ("Waiting or in review", OPEN_STATUSES),
    "submitted": ("Waiting for review", (WorkStatus.SUBMITTED.value,)),
    "in_review": ("In review", (WorkStatus.IN_REVIEW.value,)),
    "returned": ("Returned for revision", (WorkStatus.RETURNED.value,)),
    "accepted": ("Accepted", (WorkStatus.ACCEPTED.value,)),
    "all": ("All reviewed or waiting", (*OPEN_STATUSES, WorkStatus.RETURNED.value, WorkStatus.ACCEPTED.value)),
}
# What a trainer can say the grader missed: the grader's own finding categories (labelled as learners
# see them), plus three of the review's own.
MISSED_CATEGORIES = (
    *((c, category_label(c)) for c in ("vague_label", "jargon", "judgmental", "passive_voice")),
    ("missing_part", "A required part is missing"),
    *((c, category_label(c)) for c in ("negative_framing", "service_compliance")),
    ("question", "Closed, why or leading question"),
    ("privacy", category_label("privacy")),
    ("other", "Something else"),
)
MISSED_LABELS = dict(MISSED_CATEGORIES)


class ReviewError(ValueError):
    """A review action that cannot happen now; the message says why and what to do."""


# ---------------------------------------------------------------- access

def learner_cohort(viewer: User, learner: User) -> Cohort | None:
    """Return the learner's newest cohort the viewer manages (any newest cohort for an admin)."""
    for enrollment in sorted(learner.enrollments, key=lambda e: (e.joined_at, e.id), reverse=True):
        if can_manage(viewer, enrollment.cohort):
            return enrollment.cohort
    return None


def may_review(viewer: User, work: Work) -> bool:
    """Return whether the viewer may see this learner's work as a trainer."""
    if not viewer.is_trainer:
        return False
    learner = db.session.get(User, work.user_id)
    return viewer.is_admin or learner_cohort(viewer, learner) is not None


def reviewable_work_or_404(work_id: int, viewer: User) -> Work:
    """Return work the viewer may review; anyone else gets 404 so ids are not revealed."""
    work = db.get_or_404(Work, work_id)
    if not may_review(viewer, work):
        abort(404)
    return work


def own_work_or_404(work_id: int, viewer: User) -> Work:
    """Return the viewer's own work, or 404."""
    work = db.get_or_404(Work, work_id)
    if work.user_id != viewer.id:
        abort(404)
    return work


def submitted_versions(work: Work) -> list[WorkVersion]:
    """Return the versions the learner submitted, oldest first."""
    return [v for v in work.versions if v.source == "submit"]


def current_version(work: Work) -> WorkVersion | None:
    """Return the version a trainer reviews: the latest submitted one."""
    versions = submitted_versions(work)
    return versions[-1] if versions else None


# ---------------------------------------------------------------- the queue

@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, read from the query string."""

    status: str = "open"
    vignette: str = ""
    kind: str = ""
    learner: int | None = None
    cohort: int | None = None

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Build filters from request args, ignoring values that make no sense."""
        status = args.get("status", "open")
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            vignette=args.get("vignette", "")[:80],
            kind=args.get("kind", "")[:20],
            learner=args.get("learner", type=int),
            cohort=args.get("cohort", type=int),
        )

    def as_args(self) -> dict:
        """Return the filters as query-string arguments (only the ones set)."""
        args = {"status": self.status, "vignette": self.vignette, "kind": self.kind,
                "learner": self.learner, "cohort": self.cohort}
        return {k: v for k, v in args.items() if v and not (k == "status" and v == "open")}


def queue(viewer: User, filters: QueueFilters) -> list[Work]:
    """Return work from the viewer's cohorts matching the filters, oldest submission first."""
    cohort_ids = [c.id for c in visible_cohorts(viewer)]
    if filters.cohort is not None:
        cohort_ids = [cid for cid in cohort_ids if cid == filters.cohort]
    learners = select(Enrollment.user_id).where(Enrollment.cohort_id.in_(cohort_ids))
    query = select(Work).where(Work.user_id.in_(learners), Work.status.in_(STATUS_FILTERS[filters.status][1]))
    if filters.vignette:
        query = query.where(Work.vignette_id == filters.vignette)
    if filters.kind:
        query = query.where(Work.kind == filters.kind)
    if filters.learner is not None:
        query = query.where(Work.user_id == filters.learner)
    return list(db.session.scalars(query.order_by(Work.submitted_at.asc().nulls_last(), Work.id)))


def neighbours(items: list[Work], work: Work) -> tuple[Work | None, Work | None]:
    """Return the items before and after the work in the queue."""
    ids = [w.id for w in items]
    if work.id not in ids:
        return None, (items[0] if items else None)
    index = ids.index(work.id)
    return (items[index - 1] if index > 0 else None), (items[index + 1] if index + 1 < len(items) else None)


# ---------------------------------------------------------------- claims

def claim_idle_limit() -> timedelta:
    """How long a claim may sit untouched before another trainer may take it over."""
    return timedelta(minutes=max(1, int(current_app.config.get("REVIEW_CLAIM_IDLE_MINUTES", 120))))


def claim_is_stale(work: Work) -> bool:
    """True when the work is claimed but its reviewer has not touched it within the idle limit."""
    if work.status != WorkStatus.IN_REVIEW.value or work.claimed_by_id is None or work.claimed_at is None:
        return False
    return work.claimed_at < utcnow() - claim_idle_limit()


def claim(work: Work, trainer: User) -> User | None:
    """Claim submitted work, or take over an idle claim; return the trainer taken over from, if any (caller commits).

    One conditional UPDATE decides, so two trainers never both win, even when both take over.
    """
    now = utcnow()
    free = and_(Work.claimed_by_id.is_(None), Work.status == WorkStatus.SUBMITTED.value)
    idle = and_(Work.status == WorkStatus.IN_REVIEW.value, Work.claimed_by_id.is_not(None),
                Work.claimed_by_id != trainer.id, Work.claimed_at < now - claim_idle_limit())
    previous = db.session.get(User, work.claimed_by_id) if work.claimed_by_id else None
    result = db.session.execute(
        update(Work).where(Work.id == work.id, or_(free, idle))
        .values(claimed_by_id=trainer.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(work)
        holder = db.session.get(User, work.claimed_by_id) if work.claimed_by_id else None
        if holder is not None and holder.id == trainer.id:
            return None  # a double click: the first click already claimed it
        if holder is not None:
            raise ReviewError(
                f"{holder.display_name} is already reviewing this work. Choose another item from the queue."
            )
        raise ReviewError(f"This work is {work.status_label.lower()}, so it cannot be claimed. Reload the queue.")
    db.session.refresh(work)
    took_over = previous if previous is not None and previous.id != trainer.id else None
    if took_over is None:
        work.transition(WorkStatus.IN_REVIEW)
    version = current_version(work)
    if version is not None:
        review = open_review(work, version, trainer)
        review.trainer_id = trainer.id  # a taken-over draft (scores, comments) carries on under its new reviewer
    db.session.flush()
    return took_over


def release(work: Work, trainer: User) -> None:
    """Give claimed work back to the queue (the claimer, or an admin); the caller commits."""
    conditions = [Work.id == work.id, Work.status == WorkStatus.IN_REVIEW.value]
    if not trainer.is_admin:
        conditions.append(Work.claimed_by_id == trainer.id)
    result = db.session.execute(
        update(Work).where(*conditions).values(claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ReviewError("You are not reviewing this work, so there is nothing to release. Reload the page.")
    db.session.refresh(work)
    work.transition(WorkStatus.SUBMITTED)
    db.session.flush()


def require_claim(work: Work, trainer: User) -> None:
    """Refuse changes to a review unless the trainer holds the claim; a change keeps the claim fresh."""
    if work.state is not WorkStatus.IN_REVIEW or work.claimed_by_id != trainer.id:
        raise ReviewError("Claim this work before you review it; another trainer may be reviewing it.")
    work.claimed_at = utcnow()  # the caller commits with the change


# ---------------------------------------------------------------- reviews

def open_review(work: Work, version: WorkVersion, trainer: User) -> Review:
    """Return the review of this version, starting one for the trainer if there is none."""
    review = db.session.scalar(select(Review).where(Review.version_id == version.id))
    if review is None:
        review = Review(work=work, version=version, trainer_id=trainer.id, rubric={}, overall_comment="")
        db.session.add(review)
        db.session.flush()
    return review


def review_of(version: WorkVersion | None) -> Review | None:
    """Return the review of a version, if one was started."""
    if version is None:
        return None
    return db.session.scalar(select(Review).where(Review.version_id == version.id))


def decided_reviews(work: Work) -> list[Review]:
    """Return the work's decided reviews, oldest first."""
    query = select(Review).join(WorkVersion, Review.version_id == WorkVersion.id).where(
        Review.work_id == work.id, Review.decision.is_not(None)
    )
    return list(db.session.scalars(query.order_by(WorkVersion.number)))


def previous_review(work: Work, version: WorkVersion) -> Review | None:
    """Return the last decided review of an earlier version of the work."""
    earlier = [r for r in decided_reviews(work) if r.version.number < version.number]
    return earlier[-1] if earlier else None


def save_review(review: Review, kind: str, rubric: dict, overall_comment: str) -> None:
    """Store the rubric and overall comment (the caller commits)."""
    review.rubric = clean_rubric(kind, rubric)
    review.overall_comment = overall_comment.strip()[:5000]


def decide(work: Work, review: Review, trainer: User, decision: str) -> None:
    """Accept the work or return it for revision, and announce an acceptance (the caller has checked the claim).

    Receivers of work_accepted add their rows (xAPI, a certificate) to this transaction; the view commits it all.
    """
    if decision not in ("accept", "return"):
        raise ReviewError("Choose Accept or Return for revision.")
    missing = missing_scores(work.kind, review.rubric)
    if missing:
        names = ", ".join(c.label for c in missing)
        raise ReviewError(f"Score every rubric row before deciding. Not scored yet: {names}.")
    if decision == "return" and not (review.overall_comment or review.comments):
        raise ReviewError("Say what to revise: add an overall comment or a comment on the text before returning it.")
    version = review.version
    review.decision = decision
    review.decided_at = utcnow()
    review.score = meets_fraction(work.kind, review.rubric)
    review.grader_verdict = version.verdict or (version.report or {}).get("verdict")
    review.trainer_id = trainer.id
    work.transition(WorkStatus.ACCEPTED if decision == "accept" else WorkStatus.RETURNED)
    work.claimed_by_id = None
    work.claimed_at = None
    db.session.flush()
    if decision == "accept":
        learner = db.session.get(User, work.user_id)
        work_accepted.send(
            current_app._get_current_object(), user=learner, work=work, version=version, score=review.score
        )


# ---------------------------------------------------------------- inline comments

def add_comment(review: Review, author: User, body: str, start: int | None, end: int | None,
                quote: str = "", occurrence: int = 1) -> InlineComment:
    """Anchor a comment to [start, end) of the version text, or to the quoted words (the caller commits)."""
    from ..marks import valid_span
    from .marks import locate

    text = review.version.text
    body = body.strip()
    if not body:
        raise ReviewError("Write the comment first.")
    if not (
        valid_span(text, start, end)
        and (not quote.strip() or " ".join(text[start:end].split()) == " ".join(quote.split()))
    ):
        span = locate(text, quote, occurrence)
        if span is None:
            raise ReviewError("Those words are not in the statement. Copy them exactly from the text, or select them.")
        start, end = span
    comment = InlineComment(
        review=review, start=start, end=end, quote=text[start:end], body=body[:2000], author_id=author.id
    )
    db.session.add(comment)
    return comment


def delete_comment(review: Review, comment_id: int) -> None:
    """Remove one of the review's comments (the caller commits)."""
    comment = next((c for c in review.comments if c.id == comment_id), None)
    if comment is None:
        abort(404)
    review.comments.remove(comment)


# ---------------------------------------------------------------- comment bank

def bank(trainer: User) -> list[CommentBankEntry]:
    """Return the trainer's saved comments, most used first."""
    query = select(CommentBankEntry).where(CommentBankEntry.trainer_id == trainer.id)
    return list(db.session.scalars(query.order_by(CommentBankEntry.uses.desc(), CommentBankEntry.id)))


def save_to_bank(trainer: User, text: str) -> CommentBankEntry:
    """Save a comment to the trainer's bank once (the caller commits)."""
    text = text.strip()[:2000]
    if not text:
        raise ReviewError("Write the comment you want to save.")
    existing = next((e for e in bank(trainer) if e.text == text), None)
    if existing is not None:
        return existing
    entry = CommentBankEntry(trainer_id=trainer.id, text=text)
    db.session.add(entry)
    return entry


def bank_entry_or_404(trainer: User, entry_id: int) -> CommentBankEntry:
    """Return one of the trainer's own bank entries, or 404."""
    entry = db.get_or_404(CommentBankEntry, entry_id)
    if entry.trainer_id != trainer.id:
        abort(404)
    return entry


def use_bank_entry(trainer: User, entry_id: int) -> str:
    """Return a bank entry's text and count the use (the caller commits)."""
    entry = bank_entry_or_404(trainer, entry_id)
    entry.uses += 1
    return entry.text


# ---------------------------------------------------------------- feedback on the grader

def grader_feedback(version: WorkVersion) -> list[GraderFeedback]:
    """Return the trainers' feedback on the grader for a version."""
    query = select(GraderFeedback).where(GraderFeedback.version_id == version.id)
    return list(db.session.scalars(query.order_by(GraderFeedback.id)))


def toggle_not_an_issue(work: Work, version: WorkVersion, trainer: User, index: int) -> bool:
    """Mark the grader's finding (1-based) as not an issue, or unmark it; return the new state."""
    findings = (version.report or {}).get("findings", [])
    if not 1 <= index <= len(findings):
        abort(404)
    finding = findings[index - 1]
    where = (finding.get("start"), finding.get("end"), finding.get("rule", ""))
    for entry in grader_feedback(version):
        if entry.feedback == "not_an_issue" and (entry.start, entry.end, entry.rule) == where:
            db.session.delete(entry)
            return False
    db.session.add(GraderFeedback(
        version_id=version.id, trainer_id=trainer.id, kind=work.kind, feedback="not_an_issue",
        rule=str(finding.get("rule", ""))[:80], category=str(finding.get("category", ""))[:40],
        start=finding.get("start"), end=finding.get("end"), quote=str(finding.get("text", "")),
    ))
    return True


def add_missed(work: Work, version: WorkVersion, trainer: User, category: str, note: str, quote: str,
               start: int | None = None, end: int | None = None) -> GraderFeedback:
    """Record a problem the grader missed, anchored to the quoted words when given (the caller commits)."""
    from ..marks import valid_span
    from .marks import locate

    if category not in MISSED_LABELS:
        raise ReviewError("Choose what kind of problem the grader missed.")
    text = version.text
    if not valid_span(text, start, end):
        start = end = None
        if quote.strip():
            span = locate(text, quote)
            if span is None:
                raise ReviewError("Those words are not in the statement. Copy them exactly, or leave the words empty.")
            start, end = span
    entry = GraderFeedback(
        version_id=version.id, trainer_id=trainer.id, kind=work.kind, feedback="missed", category=category,
        start=start, end=end, quote=text[start:end] if start is not None else "", note=note.strip()[:2000],
    )
    db.session.add(entry)
    return entry


def not_an_issue_keys(version: WorkVersion) -> set[tuple]:
    """Return (start, end, rule) of the findings trainers marked not an issue."""
    return {(e.start, e.end, e.rule) for e in grader_feedback(version) if e.feedback == "not_an_issue"}
