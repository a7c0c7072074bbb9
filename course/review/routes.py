"""The review queue of family sets, claiming a set, and the set review screen with one decision per statement."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..cohorts.services import visible_cohorts
from ..extensions import db
from ..models import User
from ..names import Namer
from ..security import roles_required
from ..vignettes import all_vignettes, get_vignette
from ..words import pluralise
from . import bp
from .forms import SetForm, rubric_form
from .notices import announce_decisions
from .screen import build_set_screen
from .services import (
    ReviewError,
    open_review,
    reviewable_work_or_404,
    save_review,
    save_to_bank,
    use_bank_entry,
)
from .sets import (
    SET_STATUSES,
    SORTS,
    Decision,
    DecisionsRefused,
    SetFilters,
    SetSummary,
    claim_set,
    current_submitted,
    decide_set,
    find_set,
    release_set,
    require_set_claim,
    set_queue,
    statement_label,
)


def _wants_json() -> bool:
    """Return whether the caller asked for JSON (the review script does)."""
    return request.accept_mimetypes.best == "application/json"


def set_url(summary: SetSummary, filters: SetFilters | None = None, anchor: str = "") -> str:
    """Return the set screen's address, keeping the queue's filters."""
    args = filters.as_args() if filters else {}
    return url_for("review.set_screen", learner_id=summary.learner.id, vignette_id=summary.vignette_id,
                   **args) + anchor


def _set_or_404(learner_id: int, vignette_id: str) -> SetSummary:
    """Return a set the trainer may review; anyone else gets 404 so ids are not revealed."""
    summary = find_set(current_user, learner_id, vignette_id)
    if summary is None:
        abort(404)
    return summary


def _queue_rows(sets: list[SetSummary], namer: Namer) -> list[dict]:
    """Return what the queue shows for each set, with learner names masked where required."""
    titles = {v.id: v.title for v in all_vignettes()}
    rows = []
    for summary in sets:
        holder = db.session.get(User, summary.holder_id) if summary.holder_id else None
        rows.append({
            "set": summary, "learner": namer.name(summary.learner, summary.cohort),
            "cohort": summary.cohort.name if summary.cohort else "",
            "family": titles.get(summary.vignette_id, summary.vignette_id),
            "statements": [statement_label(w.kind, w.position) for w in summary.open_works or summary.works],
            "holder": holder, "mine": holder is not None and holder.id == current_user.id,
            "idle": holder is not None and holder.id != current_user.id and summary.idle,
            "yours_back": summary.returned_by_trainer(current_user.id),
        })
    return rows


def _learner_choices(namer: Namer) -> list[tuple[int, str]]:
    """Return (user id, label) for the learner filter, masking names where required."""
    choices = []
    for cohort in visible_cohorts(current_user):
        for user in sorted(cohort.learners, key=lambda u: namer.sort_key(u, cohort)):
            choices.append((user.id, f"{namer.name(user, cohort)} ({cohort.name})"))
    return choices


@bp.route("/", endpoint="queue")
@roles_required("trainer")
def queue_view():
    """List the family sets from the trainer's cohorts, with the grader's verdict and age, filtered and sorted."""
    filters = SetFilters.from_args(request.args)
    namer = Namer()
    rows = _queue_rows(set_queue(current_user, filters), namer)
    return render_template(
        "review/queue.html", rows=rows, filters=filters, statuses=SET_STATUSES, sorts=SORTS,
        vignettes=all_vignettes(), learners=_learner_choices(namer), cohorts=visible_cohorts(current_user),
        page_form=SetForm(),
    )


@bp.route("/queue.json")
@roles_required("trainer")
def queue_json():
    """Return the filtered queue as JSON (names masked as on the page)."""
    filters = SetFilters.from_args(request.args)
    rows = _queue_rows(set_queue(current_user, filters), Namer())
    return jsonify(items=[{
        "learner": r["learner"], "cohort": r["cohort"], "family": r["family"], "vignette_id": r["set"].vignette_id,
        "statements": r["statements"], "status": r["set"].status, "resubmitted": bool(r["set"].resubmitted),
        "returned_by_you": r["yours_back"],
        "grader_ready": r["set"].ready_count, "open": len(r["set"].open_works),
        "submitted_at": r["set"].submitted_at.isoformat() if r["set"].submitted_at else None,
        "claimed_by": r["holder"].display_name if r["holder"] else None, "claim_idle": r["idle"],
        "work_ids": [w.id for w in r["set"].open_works], "url": set_url(r["set"], filters),
    } for r in rows])


@bp.route("/sets/<int:learner_id>/<vignette_id>/claim", methods=["POST"], endpoint="claim_set")
@roles_required("trainer")
def claim_set_view(learner_id: int, vignette_id: str):
    """Claim the whole set, so no other trainer reviews it at the same time."""
    summary = _set_or_404(learner_id, vignette_id)
    filters = SetFilters.from_args(request.args)
    if not SetForm().validate_on_submit():
        abort(400)
    try:
        took_over = claim_set(learner_id, vignette_id, current_user)
        db.session.commit()
    except ReviewError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(exc)), 409
        flash(str(exc), "error")
        return redirect(url_for(".queue", **filters.as_args()))
    if took_over is not None:
        flash(f"You took this set over from {took_over.display_name}, who had left it untouched. "
              "Their rubric scores and comments are kept for you to carry on.", "success")
    return redirect(set_url(summary, filters))


@bp.route("/sets/<int:learner_id>/<vignette_id>/release", methods=["POST"], endpoint="release_set")
@roles_required("trainer")
def release_set_view(learner_id: int, vignette_id: str):
    """Give the set back to the queue without deciding."""
    _set_or_404(learner_id, vignette_id)
    filters = SetFilters.from_args(request.args)
    if SetForm().validate_on_submit():
        try:
            release_set(learner_id, vignette_id, current_user)
            db.session.commit()
            flash("Released. The set is back in the queue for any trainer; your scores and comments are kept.",
                  "success")
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for(".queue", **filters.as_args()))


def _render(summary: SetSummary, filters: SetFilters, status: int = 200, forms=None, problems=None):
    """Render the set screen."""
    screen = build_set_screen(current_user, summary, filters, forms, problems)
    return render_template("review/set.html", screen=screen, filters=filters), status


def _save_all(summary: SetSummary, works) -> tuple[dict, list[Decision]]:
    """Read every statement's RubricForm from the request and store it; return the forms and decisions."""
    forms, decisions = {}, []
    for work in works:
        version = current_submitted(work)
        form = rubric_form(work.kind, f"w{work.id}-", formdata=request.form)
        form.validate()
        forms[work.id] = form
        review = open_review(work, version, current_user)  # started by the claim; found again here
        overall = form.overall_comment.data or ""
        if form.overall_bank.data:  # without the script, the chosen saved comment is added here
            overall = f"{overall.rstrip()}\n\n{use_bank_entry(current_user, form.overall_bank.data)}".strip()
            form.overall_comment.data = overall
        if form.save_overall.data and overall.strip():
            save_to_bank(current_user, overall)
        save_review(review, work.kind, form.rubric(), overall)
        decisions.append(Decision(work, review, form.decision.data or ""))
    return forms, decisions


@bp.route("/sets/<int:learner_id>/<vignette_id>", methods=["GET", "POST"])
@roles_required("trainer")
def set_screen(learner_id: int, vignette_id: str):
    """Show every statement of the set; POST saves all rubrics and comments, and may send the decisions."""
    summary = _set_or_404(learner_id, vignette_id)
    filters = SetFilters.from_args(request.args)
    if request.method == "GET":
        return _render(summary, filters)
    action = request.form.get("action", "save")
    forms = None
    try:
        if not SetForm().validate_on_submit():
            raise ReviewError("The form had expired. Your changes were not saved: reload the page and try again.")
        works = require_set_claim(learner_id, vignette_id, current_user)
        forms, decisions = _save_all(summary, works)
        if action == "send":
            decide_set(learner_id, vignette_id, current_user, decisions)
            announce_decisions(summary.learner, vignette_id, decisions)
        db.session.commit()
    except DecisionsRefused as exc:
        # decide_set checks every statement before it changes any, so what is pending is only the saved
        # rubrics and comments: keep them, so the trainer fixes what is marked without scoring again
        db.session.commit()
        if _wants_json():
            return jsonify(error=str(exc), problems={str(k): v for k, v in exc.problems.items()}), 409
        flash(str(exc), "error")
        return _render(find_set(current_user, learner_id, vignette_id), filters, 409, forms, exc.problems)
    except ReviewError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(exc)), 409
        flash(str(exc), "error")
        return _render(find_set(current_user, learner_id, vignette_id), filters, 409)
    if _wants_json():
        return jsonify(saved=True, sent=action == "send")
    if action != "send":
        flash("Review saved. The set stays claimed by you until you send the decisions or release it.", "success")
        return redirect(set_url(summary, filters))
    accepted = sum(1 for d in decisions if d.decision == "accept")
    returned = len(decisions) - accepted
    parts = [pluralise(n, "statement") + word for n, word in ((accepted, " accepted"), (returned, " returned"))
             if n]
    flash(f"Sent: {' and '.join(parts)}. The learner has a notice with your feedback.", "success")
    queue = set_queue(current_user, filters)
    following = next((s for s in queue if s.key != summary.key and s.holder_id in (None, current_user.id)), None)
    return redirect(set_url(following, filters) if following else url_for(".queue", **filters.as_args()))


@bp.route("/<int:work_id>")
@roles_required("trainer")
def work(work_id: int):
    """Open one statement: it is reviewed with its family set, so go to the set screen at that statement."""
    work = reviewable_work_or_404(work_id, current_user)
    if work.submitted_at is None:
        vignette = get_vignette(work.vignette_id)
        flash(f"{statement_label(work.kind, work.position)} for {vignette.title if vignette else 'this family'} "
              "has not been submitted yet, so there is nothing to review.", "info")
        return redirect(url_for(".queue"))
    summary = _set_or_404(work.user_id, work.vignette_id)
    return redirect(set_url(summary, SetFilters.from_args(request.args), f"#work-{work.id}"))
