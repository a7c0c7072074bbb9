"""CSV exports for trainers and the JSON download of a learner's own work."""
from __future__ import annotations

import csv
import io
from collections import Counter

from sqlalchemy import select

from grader.vocabulary import kind_label

from ..cohorts.services import learner_progress
from ..curriculum.services import progress_by_module
from ..exercises.versions import version_summary
from ..extensions import db
from ..feedback import numbered_label
from ..models import Cohort, MappingAttempt, User, Work, WorkStatus
from ..models.review import Review
from ..names import Namer
from ..vignettes import get_vignette
from .rubric import rubric_rows

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Column headers for the count of a learner's statements in each status (the page's words, not the stored ids).
STATUS_COLUMNS = {WorkStatus.DRAFT: "Drafts", WorkStatus.SUBMITTED: "Submitted", WorkStatus.IN_REVIEW: "In review",
                  WorkStatus.RETURNED: "Returned", WorkStatus.ACCEPTED: "Accepted"}


def safe_cell(value) -> str | int | float:
    """Return a cell spreadsheets will not run as a formula: text starting = + - @ gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(header: list[str], rows: list[list]) -> str:
    """Return CSV text with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return out.getvalue()


def work_label(work: Work) -> str:
    """Return a short label: the family's title, then the kind's label (numbered for danger statements and goals)."""
    vignette = get_vignette(work.vignette_id)
    return f"{vignette.title if vignette else work.vignette_id}: {numbered_label(work.kind, work.position)}"


def progress_csv(cohort: Cohort, namer: Namer) -> str:
    """Return one row per learner: modules done, mapping scores and statement statuses."""
    hidden = namer.hides(cohort)
    header = ["Learner"] + ([] if hidden else ["Email"]) + [
        "Modules done", "Modules in course", "Mapping scores", *(STATUS_COLUMNS[s] for s in WorkStatus), "Statements"]
    rows = []
    for user in sorted(cohort.learners, key=lambda u: namer.sort_key(u, cohort)):
        progress = learner_progress(user)
        mapping = "; ".join(f"{title} {correct}/{total}" for title, correct, total in progress.mapping)
        statuses = Counter(w.status for w in progress.works)
        detail = "; ".join(f"{work_label(w)} = {w.status_label}" for w in progress.works)
        rows.append([namer.name(user, cohort)] + ([] if hidden else [namer.email(user, cohort)]) + [
            progress.done, progress.total, mapping, *(statuses.get(s.value, 0) for s in WorkStatus), detail])
    return to_csv(header, rows)


def reviews_csv(cohort: Cohort, namer: Namer) -> str:
    """Return one row per decided review of the cohort's learners."""
    header = ["Learner", "Vignette", "Kind", "Position", "Version", "Decided at", "Decision", "Rubric Meets (%)",
              "Grader verdict", "Reviewer", "Rubric", "Overall comment", "Inline comments"]
    ids = [u.id for u in cohort.learners]
    query = (select(Review).join(Work, Review.work_id == Work.id)
             .where(Work.user_id.in_(ids), Review.decision.is_not(None)).order_by(Review.decided_at, Review.id))
    rows = []
    for review in db.session.scalars(query):
        work = review.work
        learner = db.session.get(User, work.user_id)
        rubric = "; ".join(f"{r['criterion'].label}: {r['score_label']}" for r in rubric_rows(work.kind, review.rubric))
        comments = " | ".join(f"\"{c.quote}\": {c.body}" for c in review.comments)
        rows.append([
            namer.name(learner, cohort), work.vignette_id, kind_label(work.kind), work.position,
            review.version.number, review.decided_at.strftime("%Y-%m-%d %H:%M UTC") if review.decided_at else "",
            "Accepted" if review.decision == "accept" else "Returned for revision",
            round(100 * (review.score or 0)), review.grader_verdict or "",
            review.trainer.display_name if review.trainer else "", rubric, review.overall_comment, comments,
        ])
    return to_csv(header, rows)


def _iso(value) -> str | None:
    """Return a timestamp in ISO 8601, or None."""
    return value.isoformat() if value else None


def my_work(user: User) -> dict:
    """Return everything the learner wrote and was told, as plain JSON-ready data."""
    from .services import decided_reviews

    works = []
    for work in learner_progress(user).works:
        reviews = {r.version_id: r for r in decided_reviews(work)}
        versions = []
        for version in work.versions:
            review = reviews.get(version.id)
            versions.append({
                "number": version.number, "source": version.source, "text": version.text,
                "created_at": _iso(version.created_at), "grader_verdict": version.verdict,
                "grader_report": version.report, "grader_summary": version_summary(version),
                "review": None if review is None else {
                    "decision": review.decision, "decided_at": _iso(review.decided_at), "score": review.score,
                    "rubric": [{"criterion": r["criterion"].label, "score": r["score_label"], "comment": r["comment"]}
                               for r in rubric_rows(work.kind, review.rubric)],
                    "overall_comment": review.overall_comment,
                    "inline_comments": [{"start": c.start, "end": c.end, "quote": c.quote, "comment": c.body}
                                        for c in review.comments],
                },
            })
        works.append({
            "vignette": work.vignette_id, "kind": work.kind, "position": work.position, "status": work.status,
            "draft_text": work.draft_text, "no_harm": work.no_harm, "submitted_at": _iso(work.submitted_at),
            "versions": versions,
        })
    attempts = db.session.scalars(
        select(MappingAttempt).where(MappingAttempt.user_id == user.id).order_by(MappingAttempt.created_at)
    )
    return {
        "learner": {"name": user.display_name, "email": user.email},
        "modules": [{"module": mid, "completed_at": _iso(row.completed_at), "last_position": row.last_position}
                    for mid, row in sorted(progress_by_module(user).items())],
        "work": works,
        "mapping_attempts": [{"vignette": a.vignette_id, "placements": a.placements, "correct": a.correct,
                              "total": a.total, "scale": a.scale, "scale_reason": a.scale_reason,
                              "created_at": _iso(a.created_at)} for a in attempts],
    }
