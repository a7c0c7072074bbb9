"""Inline comments, the trainer's comment bank, and feedback on the grader's findings."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import User, Work, WorkStatus
from ..models.review import Review
from ..security import roles_required
from . import bp
from .forms import ActionForm, BankForm, CommentForm, MissedForm
from .notices import announce_comment
from .services import (
    ReviewError,
    add_comment,
    add_missed,
    bank,
    bank_entry_or_404,
    current_version,
    decided_reviews,
    delete_comment,
    grader_feedback,
    open_review,
    require_claim,
    reviewable_work_or_404,
    save_to_bank,
    toggle_not_an_issue,
    use_bank_entry,
)
from .sets import SetFilters


def _wants_json() -> bool:
    """Return whether the caller asked for JSON (the review script does)."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _back(work: Work, anchor: str = ""):
    """Redirect to the statement on its set's review screen, keeping the queue filters."""
    args = SetFilters.from_args(request.args).as_args()
    return redirect(url_for(".set_screen", learner_id=work.user_id, vignette_id=work.vignette_id, **args)
                    + (anchor or f"#work-{work.id}"))


def _prefix(work_id: int, name: str) -> str:
    """Return a statement's form prefix: each statement on the set screen has its own fields."""
    return f"w{work_id}-{name}"


def _claimed(work_id: int) -> tuple[Work, object]:
    """Return the work and its version, refusing unless the trainer holds the claim."""
    work = reviewable_work_or_404(work_id, current_user)
    require_claim(work, current_user)
    return work, current_version(work)


def _claimed_or_back(work_id: int) -> tuple[Work, object]:
    """Like _claimed, but answer a missing claim with its message and a redirect back to the review."""
    try:
        return _claimed(work_id)
    except ReviewError as exc:
        flash(str(exc), "error")
        abort(_back(db.get_or_404(Work, work_id)))


def _review_to_comment_on(work_id: int) -> tuple[Work, Review]:
    """Return the review a new comment joins: the one in progress (the trainer holds the set), or, once a
    statement is accepted or returned and not yet revised, its decided review (a later comment)."""
    work = reviewable_work_or_404(work_id, current_user)
    if work.status in (WorkStatus.ACCEPTED.value, WorkStatus.RETURNED.value):
        reviews = decided_reviews(work)
        if reviews and reviews[-1].version.id == (current_version(work) or reviews[-1].version).id:
            return work, reviews[-1]
    work, version = _claimed(work_id)
    return work, open_review(work, version, current_user)


@bp.route("/<int:work_id>/comments", methods=["POST"])
@roles_required("trainer")
def add_inline_comment(work_id: int):
    """Anchor a comment to words in the statement (JSON from the script, or the plain form)."""
    form = CommentForm(prefix=_prefix(work_id, "comment"), meta={"csrf": False} if request.is_json else {})
    data = request.get_json(silent=True) if request.is_json else None
    try:
        work, review = _review_to_comment_on(work_id)
        if data is not None:
            body, quote = str(data.get("body", "")), str(data.get("quote", ""))
            start, end, entry_id = data.get("start"), data.get("end"), data.get("bank_entry")
            keep = bool(data.get("save_to_bank"))
            occurrence = 1
        else:
            if not form.validate_on_submit():
                raise ReviewError(" ".join(e for errors in form.errors.values() for e in errors))
            body, quote, start, end = form.body.data or "", form.quote.data or "", form.start.data, form.end.data
            entry_id, keep, occurrence = form.bank_entry.data, form.save_to_bank.data, form.occurrence.data or 1
        if entry_id and not body.strip():
            body = use_bank_entry(current_user, int(entry_id))
        comment = add_comment(review, current_user, body, start, end, quote, occurrence)
        if keep:
            save_to_bank(current_user, body)
        if review.decision is not None:  # the learner already has this review: tell them about the new comment
            announce_comment(db.session.get(User, work.user_id), work)
        db.session.commit()
    except ReviewError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(exc)), 400
        flash(str(exc), "error")
        return _back(db.get_or_404(Work, work_id), f"#add-comment-{work_id}")
    if _wants_json():
        return jsonify(id=comment.id, start=comment.start, end=comment.end, quote=comment.quote, body=comment.body), 201
    flash("Comment added. The learner has a notice about it." if review.decision else "Comment added.", "success")
    return _back(work, f"#comment-{comment.id}")


@bp.route("/<int:work_id>/comments/<int:comment_id>/delete", methods=["POST"])
@roles_required("trainer")
def delete_inline_comment(work_id: int, comment_id: int):
    """Remove an inline comment from the review in progress."""
    work, version = _claimed_or_back(work_id)
    if ActionForm().validate_on_submit():
        delete_comment(open_review(work, version, current_user), comment_id)
        db.session.commit()
        flash("Comment removed.", "success")
    return _back(work, f"#comments-{work.id}")


@bp.route("/<int:work_id>/findings/<int:index>", methods=["POST"])
@roles_required("trainer")
def toggle_finding(work_id: int, index: int):
    """Mark a grader finding as not an issue, or undo that."""
    work, version = _claimed_or_back(work_id)
    if ActionForm().validate_on_submit():
        marked = toggle_not_an_issue(work, version, current_user, index)
        db.session.commit()
        flash(f"Finding F{index} {'marked as not an issue' if marked else 'restored'}. "
              "Thank you: this improves the grader.", "success")
    return _back(work, f"#w{work.id}-finding-{index}")


@bp.route("/<int:work_id>/missed", methods=["POST"])
@roles_required("trainer")
def add_missed_problem(work_id: int):
    """Record a problem the grader did not flag."""
    form = MissedForm(prefix=_prefix(work_id, "missed"))
    try:
        work, version = _claimed(work_id)
        if not form.validate_on_submit():
            raise ReviewError(" ".join(e for errors in form.errors.values() for e in errors))
        add_missed(work, version, current_user, form.category.data, form.note.data or "", form.quote.data or "",
                   form.start.data, form.end.data)
        db.session.commit()
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(db.get_or_404(Work, work_id), f"#missed-{work_id}")
    flash("Thank you. The missed problem is recorded for the grader's authors.", "success")
    return _back(work, f"#missed-{work_id}")


@bp.route("/<int:work_id>/missed/<int:entry_id>/delete", methods=["POST"])
@roles_required("trainer")
def delete_missed_problem(work_id: int, entry_id: int):
    """Remove a missed-problem note made in error."""
    work, version = _claimed_or_back(work_id)
    entry = next((f for f in grader_feedback(version) if f.id == entry_id and f.feedback == "missed"), None)
    if entry is not None and ActionForm().validate_on_submit():
        db.session.delete(entry)
        db.session.commit()
        flash("Removed.", "success")
    return _back(work, f"#missed-{work.id}")


# ---------------------------------------------------------------- the comment bank

@bp.route("/bank", methods=["GET", "POST"])
@roles_required("trainer")
def comment_bank():
    """List the trainer's saved comments and add new ones."""
    form = BankForm()
    if form.validate_on_submit():
        save_to_bank(current_user, form.text.data)
        db.session.commit()
        if _wants_json():
            return jsonify(entries=[{"id": e.id, "text": e.text} for e in bank(current_user)]), 201
        flash("Saved to your comment bank.", "success")
        return redirect(url_for(".comment_bank"))
    if request.method == "POST" and _wants_json():
        return jsonify(error=" ".join(e for errors in form.errors.values() for e in errors)), 400
    return render_template("review/bank.html", form=form, entries=bank(current_user)), 400 if form.errors else 200


@bp.route("/bank/<int:entry_id>/delete", methods=["POST"])
@roles_required("trainer")
def delete_bank_entry(entry_id: int):
    """Remove a saved comment."""
    entry = bank_entry_or_404(current_user, entry_id)
    if ActionForm().validate_on_submit():
        db.session.delete(entry)
        db.session.commit()
        flash("Removed from your comment bank.", "success")
    return redirect(url_for(".comment_bank"))


@bp.route("/bank/<int:entry_id>/use", methods=["POST"])
@roles_required("trainer")
def use_bank_comment(entry_id: int):
    """Return a saved comment's text for the script to insert, counting the use."""
    text = use_bank_entry(current_user, entry_id)
    db.session.commit()
    return jsonify(text=text)
