"""The review queue, claiming, and the review screen with its rubric and decision."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from grader.vocabulary import is_numbered, kind_label

from ..cohorts.services import visible_cohorts
from ..curriculum.render import render_markdown
from ..extensions import db
from ..marks import segments
from ..models import User, Work
from ..names import Namer
from ..security import roles_required
from ..vignettes import all_vignettes, get_vignette
from . import bp
from .forms import CommentForm, MissedForm
from .marks import comment_marks, comment_refs, finding_marks, word_diff
from .rubric import REVIEWED_KINDS, SCORES, rubric_rows
from .services import (
    STATUS_FILTERS,
    QueueFilters,
    ReviewError,
    bank,
    claim,
    claim_is_stale,
    current_version,
    decide,
    grader_feedback,
    learner_cohort,
    neighbours,
    not_an_issue_keys,
    open_review,
    previous_review,
    queue,
    release,
    require_claim,
    review_of,
    reviewable_work_or_404,
    save_review,
    save_to_bank,
    use_bank_entry,
)


def _queue_rows(items: list[Work], namer: Namer) -> list[dict]:
    """Return what the queue shows for each item, with learner names hidden where required."""
    titles = {v.id: v.title for v in all_vignettes()}
    rows = []
    for work in items:
        learner = db.session.get(User, work.user_id)
        cohort = learner_cohort(current_user, learner)
        holder = db.session.get(User, work.claimed_by_id) if work.claimed_by_id else None
        rows.append({
            "work": work, "learner": namer.name(learner, cohort), "cohort": cohort.name if cohort else "",
            "vignette": titles.get(work.vignette_id, work.vignette_id), "kind": kind_label(work.kind),
            "holder": holder, "mine": holder is not None and holder.id == current_user.id,
            "stale": holder is not None and holder.id != current_user.id and claim_is_stale(work),
        })
    return rows


def _learner_choices(namer: Namer) -> list[tuple[int, str]]:
    """Return (user id, label) for the learner filter, hiding names where required."""
    choices = []
    for cohort in visible_cohorts(current_user):
        for user in sorted(cohort.learners, key=lambda u: namer.sort_key(u, cohort)):
            choices.append((user.id, f"{namer.name(user, cohort)} ({cohort.name})"))
    return choices


@bp.route("/", endpoint="queue")
@roles_required("trainer")
def queue_view():
    """List submitted work from the trainer's cohorts, oldest first, with filters."""
    filters = QueueFilters.from_args(request.args)
    namer = Namer()
    rows = _queue_rows(queue(current_user, filters), namer)
    return render_template(
        "review/queue.html", rows=rows, filters=filters, statuses=STATUS_FILTERS, kinds=REVIEWED_KINDS,
        vignettes=all_vignettes(), learners=_learner_choices(namer), cohorts=visible_cohorts(current_user),
    )


@bp.route("/queue.json")
@roles_required("trainer")
def queue_json():
    """Return the filtered queue as JSON (names hidden as on the page)."""
    filters = QueueFilters.from_args(request.args)
    rows = _queue_rows(queue(current_user, filters), Namer())
    return jsonify(items=[{
        "id": r["work"].id, "learner": r["learner"], "cohort": r["cohort"], "vignette": r["vignette"],
        "kind": r["kind"], "status": r["work"].status,
        "submitted_at": r["work"].submitted_at.isoformat() if r["work"].submitted_at else None,
        "claimed_by": r["holder"].display_name if r["holder"] else None, "claim_idle": r["stale"],
        "url": url_for(".work", work_id=r["work"].id, **filters.as_args()),
    } for r in rows])


@bp.route("/<int:work_id>/claim", methods=["POST"])
@roles_required("trainer")
def claim_work(work_id: int):
    """Claim work so no other trainer reviews it at the same time."""
    work = reviewable_work_or_404(work_id, current_user)
    filters = QueueFilters.from_args(request.args)
    try:
        took_over = claim(work, current_user)
        db.session.commit()
    except ReviewError as exc:
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=str(exc)), 409
        flash(str(exc), "error")
        return redirect(url_for(".queue", **filters.as_args()))
    if took_over is not None:
        flash(f"You took this review over from {took_over.display_name}, who had left it untouched. "
              "Their rubric scores and comments are kept for you to carry on.", "success")
    return redirect(url_for(".work", work_id=work.id, **filters.as_args()))


@bp.route("/<int:work_id>/release", methods=["POST"])
@roles_required("trainer")
def release_work(work_id: int):
    """Give the work back to the queue without deciding."""
    work = reviewable_work_or_404(work_id, current_user)
    try:
        release(work, current_user)
        db.session.commit()
        flash("Released. The work is back in the queue for any trainer.", "success")
    except ReviewError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".queue", **QueueFilters.from_args(request.args).as_args()))


def _exemplars(vignette, work: Work) -> list[str]:
    """Return the trainer exemplar(s) that match this piece of work."""
    if vignette is None:
        return []
    texts = vignette.exemplars.get(work.kind, [])
    if is_numbered(work.kind):
        return texts[work.position - 1: work.position] or texts
    return texts


def _screen(work: Work, filters: QueueFilters, status: int = 200):
    """Render the review screen for the work's latest submitted version."""
    namer = Namer()
    learner = db.session.get(User, work.user_id)
    cohort = learner_cohort(current_user, learner)
    version = current_version(work)
    review = review_of(version)  # opened by the claim; the screen itself never writes
    mine = work.claimed_by_id == current_user.id and work.status == "in_review"
    report = (version.report if version else None) or {}
    comments = review.comments if review else []
    before, after = neighbours(queue(current_user, filters), work)
    previous = previous_review(work, version) if version else None
    vignette = get_vignette(work.vignette_id)
    holder = db.session.get(User, work.claimed_by_id) if work.claimed_by_id else None
    comment_form = CommentForm(prefix="comment")
    comment_form.bank_entry.choices = [SelectChoice(None, "Choose a saved comment")] + [
        SelectChoice(e.id, e.text[:80]) for e in bank(current_user)]
    return render_template(
        "review/review.html", work=work, version=version, review=review, report=report,
        learner_label=namer.name(learner, cohort), cohort=cohort, anonymous=namer.hides(cohort),
        vignette=vignette,
        narrative=render_markdown(vignette.narrative) if vignette else "", exemplars=_exemplars(vignette, work),
        segments=(segments(version.text, finding_marks(report, version.text) + comment_marks(comments))
                  if version else []),
        comments=comments, refs=comment_refs(comments), rubric=rubric_rows(work.kind, review.rubric if review else {}),
        scores=SCORES, mine=mine, holder=holder, stale=not mine and claim_is_stale(work),
        dismissed=not_an_issue_keys(version) if version else set(),
        feedback=[f for f in grader_feedback(version) if f.feedback == "missed"] if version else [],
        previous=previous, diff=word_diff(previous.version.text, version.text) if previous and version else [],
        previous_refs=comment_refs(previous.comments) if previous else {},
        before=before, after=after, filters=filters, bank=bank(current_user),
        comment_form=comment_form, missed_form=MissedForm(prefix="missed"),
    ), status


def _refused(exc: ReviewError, work: Work, filters: QueueFilters, wants_json: bool):
    """Answer 409 with what the trainer must do, as JSON or on the review screen."""
    if wants_json:
        return jsonify(error=str(exc)), 409
    flash(str(exc), "error")
    return _screen(work, filters, 409)


@bp.route("/<int:work_id>", methods=["GET", "POST"])
@roles_required("trainer")
def work(work_id: int):
    """Show the review screen; POST saves the rubric and comment, and may decide."""
    work = reviewable_work_or_404(work_id, current_user)
    filters = QueueFilters.from_args(request.args)
    if request.method == "GET":
        return _screen(work, filters)
    wants_json = request.accept_mimetypes.best == "application/json"
    action = request.form.get("action", "save")
    version = current_version(work)
    try:
        require_claim(work, current_user)
        if version is None:
            raise ReviewError("This work has no submitted version to review. Go back to the queue.")
        review = open_review(work, version, current_user)
        rubric = {c: {"score": request.form.get(f"rubric-{c}-score"),
                      "comment": request.form.get(f"rubric-{c}-comment", "")}
                  for c in {r["criterion"].id for r in rubric_rows(work.kind, {})}}
        overall = request.form.get("overall_comment", "")
        entry_id = request.form.get("overall_bank", type=int)
        if entry_id:  # without the script, the chosen saved comment is added here
            overall = f"{overall.rstrip()}\n\n{use_bank_entry(current_user, entry_id)}".strip()
        if request.form.get("save_overall") and overall.strip():
            save_to_bank(current_user, overall)
        save_review(review, work.kind, rubric, overall)
    except ReviewError as exc:
        db.session.rollback()
        return _refused(exc, work, filters, wants_json)
    refused = None
    if action in ("accept", "return"):
        try:
            decide(work, review, current_user, action)  # the claim was checked above, once
        except ReviewError as exc:  # the decision is refused; the rubric and comment are still saved
            refused = exc
    db.session.commit()  # one commit: the review, and the decision with what its receivers added
    if refused is not None:
        return _refused(refused, work, filters, wants_json)
    if wants_json:
        return jsonify(saved=True, status=work.status)
    if action == "accept":
        flash("Accepted. The learner can now see your feedback and the trainer exemplar.", "success")
    elif action == "return":
        flash("Returned for revision. The learner can now see your comments.", "success")
    else:
        flash("Review saved.", "success")
        return redirect(url_for(".work", work_id=work.id, **filters.as_args()))
    _, after = neighbours(queue(current_user, filters), work)
    target = (url_for(".work", work_id=after.id, **filters.as_args()) if after
              else url_for(".queue", **filters.as_args()))
    return redirect(target)
