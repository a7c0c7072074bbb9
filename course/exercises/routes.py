"""Exercise pages: the index, the case, the mapping board and the set submission."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grader.vocabulary import kind_slug

from .. import grading
from ..curriculum.render import render_markdown
from ..extensions import db
from ..models import InvalidTransition, MappingAttempt
from ..numbers import plain_int
from ..ratelimit import too_many_requests
from ..vignettes import CATEGORIES, CATEGORY_LABELS, all_vignettes
from . import bp
from .forms import SubmitSetForm, fact_field_name, mapping_form_class
from .services import (
    SubmitBlocked,
    mapping_attempts,
    progress_for,
    record_mapping,
    score_mapping,
    set_warnings,
    slots_for,
    submit_set,
    submittable,
    vignette_or_404,
)

# The map's three questions, each over the columns it holds (SOP primer section 3).
MAP_GROUPS = (
    ("What are we worried about?", ("harm", "danger", "complicating")),
    ("What's working well?", ("strength", "safety")),
    ("What is unclear?", ("grey",)),
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


# ---------------------------------------------------------------- mapping

@bp.route("/<vignette_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(vignette_id: str):
    """Place each fact in a column of the map and scale safety; the plain selects work without JavaScript."""
    vignette = vignette_or_404(vignette_id)
    form = mapping_form_class(vignette)()
    if form.validate_on_submit():
        placements = {f.id: form[fact_field_name(f.id)].data for f in vignette.mapping_facts}
        attempt = record_mapping(current_user.id, vignette, placements, form.scale.data, form.scale_reason.data)
        db.session.commit()
        return redirect(url_for(".mapping_result", vignette_id=vignette.id, attempt_id=attempt.id))
    status = 422 if form.errors else 200
    unplaced = sum(1 for f in vignette.mapping_facts if form[fact_field_name(f.id)].errors)
    return render_template("exercises/mapping.html", vignette=vignette, form=form, groups=MAP_GROUPS,
                           categories=CATEGORIES, fact_field=fact_field_name, unplaced=unplaced,
                           narrative=render_markdown(vignette.narrative),
                           attempts=mapping_attempts(current_user.id, vignette.id)), status


@bp.route("/<vignette_id>/mapping/<int:attempt_id>")
@login_required
def mapping_result(vignette_id: str, attempt_id: int):
    """Show one mapping attempt: right or wrong per fact, with each explanation."""
    vignette = vignette_or_404(vignette_id)
    attempt = db.session.get(MappingAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.vignette_id != vignette.id:
        abort(404)
    results, correct, total = score_mapping(vignette, attempt.placements)
    by_column = {c: [r for r in results if r.fact.category == c] for c in CATEGORIES}
    return render_template("exercises/mapping_result.html", vignette=vignette, attempt=attempt, results=results,
                           by_column=by_column, correct=correct, total=total, groups=MAP_GROUPS,
                           attempts=mapping_attempts(current_user.id, vignette.id))


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
