"""Exercise pages: the index, the case and the set submission (the mapping board is in mapping.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grader.vocabulary import kind_slug

from .. import grading
from ..curriculum.render import render_markdown
from ..extensions import db
from ..models import InvalidTransition
from ..numbers import plain_int
from ..ratelimit import too_many_requests
from ..vignettes import CATEGORY_LABELS, all_vignettes
from . import bp
from .forms import SubmitSetForm
from .services import (
    SubmitBlocked,
    progress_for,
    set_warnings,
    slots_for,
    submit_set,
    submittable,
    vignette_or_404,
)


@bp.context_processor
def exercise_helpers():
    """Expose small helpers to the exercise templates."""
    def slot_url(slot, vignette_id: str) -> str:
        """Return the URL of a statement slot's page."""
        return url_for("exercises.statement", vignette_id=vignette_id, kind=kind_slug(slot.kind),
                       position=slot.position)

    return {"category_labels": CATEGORY_LABELS, "slot_url": slot_url}


@bp.route("/")
@login_required
def index():
    """List every vignette with its content notes and the learner's status per step."""
    rows = [(v, progress_for(current_user.id, v)) for v in all_vignettes()]
    return render_template("exercises/index.html", rows=rows)


@bp.route("/<vignette_id>")
@login_required
def case(vignette_id: str):
    """Show the case: content notes first, the roster, the narrative, then the steps."""
    vignette = vignette_or_404(vignette_id)
    progress = progress_for(current_user.id, vignette)
    return render_template("exercises/case.html", vignette=vignette, narrative=render_markdown(vignette.narrative),
                           progress=progress, slots=progress["slots"])


# ---------------------------------------------------------------- submitting the set

def _revisions_from_form() -> dict[int, int]:
    """Read rev_<work id> fields from the submitted form."""
    revisions = {}
    for key, value in request.form.items():
        work_id, revision = plain_int(key[4:]), plain_int(value)
        if key.startswith("rev_") and work_id is not None and revision is not None:
            revisions[work_id] = revision
    return revisions


@bp.route("/<vignette_id>/submit", methods=["GET", "POST"])
@login_required
def submit(vignette_id: str):
    """Review the drafted statements, then submit them together for trainer review."""
    vignette = vignette_or_404(vignette_id)
    form = SubmitSetForm()
    error, problems, status = None, [], 200
    if form.validate_on_submit():
        refused = grading.rate_refusal(current_user.id)  # submitting grades every statement again
        if refused is not None:
            return too_many_requests(refused, grading.RATE_MESSAGE + " Your drafts are saved.")
        try:
            result = submit_set(current_user, vignette, _revisions_from_form())
        except SubmitBlocked as exc:
            db.session.rollback()
            error, problems, status = str(exc), exc.problems, (422 if exc.problems else 409)
        except InvalidTransition as exc:
            db.session.rollback()
            error, status = str(exc), 409
        else:
            db.session.commit()
            if result.submitted:
                count = len(result.submitted)
                flash(f"Submitted {count} statement{'s' if count != 1 else ''} for trainer review. "
                      "They are locked while your trainer reviews them.", "success")
            elif result.already:
                flash("These statements are already submitted; nothing new was sent.", "info")
            else:
                flash("There is nothing to submit yet: write a statement first.", "warning")
            return redirect(url_for(".case", vignette_id=vignette.id) + "#steps")
    slots = slots_for(current_user.id, vignette)
    return render_template("exercises/submit.html", vignette=vignette, form=form, slots=slots,
                           ready=submittable(slots), warnings=set_warnings(vignette, slots), error=error,
                           problems=problems), status
