"""Review services: who may see which work, the queue, claims, reviews, comments and decisions."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import select

from ..cohorts.services import can_manage
from ..database import utcnow
from ..extensions import db
from ..feedback import category_label
from ..models import Cohort, User, Work, WorkStatus, WorkVersion
from ..models.review import CommentBankEntry, GraderFeedback, InlineComment, Review, ReviewSet
from .rubric import clean_rubric

OPEN_STATUSES = (WorkStatus.SUBMITTED.value, WorkStatus.IN_REVIEW.value)
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


# ---------------------------------------------------------------- claims

def claim_idle_limit() -> timedelta:
    """How long a claim may sit untouched before another trainer may take it over."""
    return timedelta(minutes=max(1, int(current_app.config.get("REVIEW_CLAIM_IDLE_MINUTES", 120))))


def require_claim(work: Work, trainer: User) -> None:
    """Refuse changes to a statement's review unless the trainer holds its set; a change keeps the claim fresh."""
    row = db.session.scalar(select(ReviewSet).where(ReviewSet.user_id == work.user_id,
                                                    ReviewSet.vignette_id == work.vignette_id))
    if work.state is not WorkStatus.IN_REVIEW or work.claimed_by_id != trainer.id or row is None \
            or row.claimed_by_id != trainer.id:
        raise ReviewError("Claim this set before you review it; another trainer may be reviewing it.")
    now = utcnow()
    work.claimed_at = now
    row.claimed_at = now  # the view commits with the change


# ---------------------------------------------------------------- reviews

def open_review(work: Work, version: WorkVersion, trainer: User) -> Review:
    """Return the review of this version, starting one for the trainer if there is none."""
    review = db.session.scalar(select(Review).where(Review.version_id == version.id))
    if review is None:
        earlier = previous_review(work, version)
        review = Review(work=work, version=version, trainer_id=trainer.id,
                        rubric=dict(earlier.rubric or {}) if earlier else {},
                        overall_comment=earlier.overall_comment if earlier else "")
        db.session.add(review)
        db.session.flush()
        if earlier is not None:
            carry_comments(earlier, review, trainer)
    return review


def carry_comments(earlier: Review, review: Review, trainer: User) -> None:
    """Start a resubmission's review with the earlier inline comments whose words are still in the text."""
    from .marks import locate

    for comment in earlier.comments:
        span = locate(review.version.text, comment.quote)
        if span is not None:
            db.session.add(InlineComment(review=review, start=span[0], end=span[1],
                                         quote=review.version.text[span[0]:span[1]], body=comment.body,
                                         author_id=comment.author_id or trainer.id))


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
    """Store the rubric and overall comment (the view commits)."""
    review.rubric = clean_rubric(kind, rubric)
    review.overall_comment = overall_comment.strip()[:5000]


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
