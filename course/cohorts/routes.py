"""Trainer views for cohorts."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Cohort
from ..security import roles_required
from . import bp
from .forms import CohortForm
from .services import can_manage, create_cohort, visible_cohorts


def managed_cohort_or_404(cohort_id: int) -> Cohort:
    """Return a cohort the current user manages; others get 404 so ids are not revealed."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_manage(current_user, cohort):
        abort(404)
    return cohort


@bp.route("/")
@roles_required("trainer")
def index():
    """List the trainer's cohorts."""
    return render_template("cohorts/index.html", cohorts=visible_cohorts(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("trainer")
def new():
    """Create a cohort and show its join code."""
    form = CohortForm()
    if form.validate_on_submit():
        cohort = create_cohort(current_user, form.name.data, form.day1_date.data, form.day2_date.data, form.anonymous_review.data)
        db.session.commit()
        flash(f"Cohort created. Its join code is {cohort.join_code}.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route("/<int:cohort_id>")
@roles_required("trainer")
def show(cohort_id: int):
    """Show a cohort: its join code, trainers and learners."""
    cohort = managed_cohort_or_404(cohort_id)
    return render_template("cohorts/show.html", cohort=cohort)
