"""Trainer views for cohorts: create, edit, co-trainers, the roster with progress, and the join QR code."""
import segno
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from ..auth.forms import ButtonForm
from ..auth.mails import site_url
from ..auth.services import join_code_expired, join_code_expires_on, rotate_join_code
from ..extensions import db
from ..models import Cohort
from ..names import REVEAL_HOURS, Namer
from ..security import roles_required
from . import bp
from .forms import CohortForm, MoveForm, TrainerForm
from .services import (
    CohortError,
    answer_invitation,
    can_manage,
    cohort_invitations,
    create_cohort,
    invitations_for,
    invite_trainer,
    learner_progress,
    managed_cohort,
    move_learner,
    remove_learner,
    remove_trainer,
    visible_cohorts,
    withdraw_invitation,
)


def managed_cohort_or_404(cohort_id: int) -> Cohort:
    """Return a cohort the current user manages; others get 404 so ids are not revealed."""
    return managed_cohort(cohort_id, current_user)


def join_url(cohort: Cohort) -> str:
    """Return the absolute link learners open to join the cohort."""
    return url_for("auth.join", code=cohort.join_code, _external=True)


def join_qr_svg(cohort: Cohort, scale: int = 8) -> Markup:
    """Return the join link as an inline SVG QR code (drawn here: no external service)."""
    svg = segno.make(join_url(cohort), error="m").svg_inline(
        scale=scale,
        dark="#000",
        light="#fff",
        title=f"QR code: join {cohort.name}",
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return Markup(
        svg.replace("<svg ", f'<svg role="img" aria-label="QR code for the join link of {escape(cohort.name)}" ', 1)
    )


@bp.route("/")
@roles_required("trainer")
def index():
    """List the trainer's cohorts."""
    return render_template("cohorts/index.html", cohorts=visible_cohorts(current_user),
                           invitations=invitations_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("trainer")
def new():
    """Create a cohort and show its join code."""
    form = CohortForm()
    if form.validate_on_submit():
        cohort = create_cohort(
            current_user, form.name.data, form.day1_date.data, form.day2_date.data, form.anonymous_review.data,
            form.time_zone.data,
        )
        db.session.commit()
        flash(f"Cohort created. Its join code is {cohort.join_code}.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def edit(cohort_id: int):
    """Change a cohort's name, dates, time zone and anonymous review setting."""
    cohort = managed_cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        cohort.name = form.name.data.strip()
        cohort.day1_date, cohort.day2_date = form.day1_date.data, form.day2_date.data
        cohort.anonymous_review = form.anonymous_review.data
        cohort.time_zone = form.time_zone.data
        db.session.commit()
        flash("Cohort saved.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort), 400 if form.errors else 200


@bp.route("/<int:cohort_id>")
@roles_required("trainer")
def show(cohort_id: int):
    """Show a cohort: join code, trainers, and the roster with each learner's progress."""
    cohort = managed_cohort_or_404(cohort_id)
    namer = Namer()
    roster = [(namer.name(u, cohort), learner_progress(u))
              for u in sorted(cohort.learners, key=lambda u: namer.sort_key(u, cohort))]
    move_form = MoveForm()
    move_form.target.choices = [SelectChoice(c.id, c.name) for c in visible_cohorts(current_user) if c.id != cohort.id]
    return render_template(
        "cohorts/show.html", cohort=cohort, roster=roster, hidden=namer.hides(cohort), join_url=join_url(cohort),
        reveal_hours=REVEAL_HOURS,
        qr=join_qr_svg(cohort, scale=4), trainer_form=TrainerForm(), move_form=move_form,
        invitations=cohort_invitations(cohort), code_expires=join_code_expires_on(cohort),
        code_expired=join_code_expired(cohort), button=ButtonForm(),
    )


@bp.route("/<int:cohort_id>/qr")
@roles_required("trainer")
def qr(cohort_id: int):
    """Show a printable page with the join link as a large QR code."""
    cohort = managed_cohort_or_404(cohort_id)
    return render_template("cohorts/qr.html", cohort=cohort, join_url=join_url(cohort), qr=join_qr_svg(cohort),
                           code_expires=join_code_expires_on(cohort), code_expired=join_code_expired(cohort))


@bp.route("/<int:cohort_id>/code", methods=["POST"])
@roles_required("trainer")
def rotate_code(cohort_id: int):
    """Give the cohort a new join code: the old code, link and QR stop working at once."""
    cohort = managed_cohort_or_404(cohort_id)
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for(".show", cohort_id=cohort.id))
    code = rotate_join_code(cohort)
    db.session.commit()
    flash(f"The new join code is {code}. The old code no longer works; print the QR code again if you shared it.",
          "success")
    return redirect(url_for(".show", cohort_id=cohort.id))


def _apply(cohort: Cohort, change, success: str):
    """Run a roster change, commit it and report the result."""
    try:
        change()
        db.session.commit()
        flash(success, "success")
    except CohortError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for(".show", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/trainers", methods=["POST"])
@roles_required("trainer")
def add_co_trainer(cohort_id: int):
    """Add a co-trainer by email."""
    cohort = managed_cohort_or_404(cohort_id)
    form = TrainerForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return _apply(cohort, lambda: invite_trainer(cohort, form.email.data, current_user, site_url()),
                  "Invitation sent. They get access to the cohort once they accept it.")


@bp.route("/<int:cohort_id>/trainers/<int:user_id>/remove", methods=["POST"])
@roles_required("trainer")
def remove_co_trainer(cohort_id: int, user_id: int):
    """Remove a co-trainer (a cohort always keeps one)."""
    cohort = managed_cohort_or_404(cohort_id)
    response = _apply(cohort, lambda: remove_trainer(cohort, user_id, current_user), "Trainer removed from the cohort.")
    if not can_manage(current_user, cohort):  # the trainer removed themself
        return redirect(url_for(".index"))
    return response


@bp.route("/<int:cohort_id>/learners/<int:user_id>/remove", methods=["POST"])
@roles_required("trainer")
def remove_cohort_learner(cohort_id: int, user_id: int):
    """Take a learner out of the cohort (their account and work are kept)."""
    cohort = managed_cohort_or_404(cohort_id)
    return _apply(
        cohort,
        lambda: remove_learner(cohort, user_id),
        "Learner removed from the cohort. Their account and work are kept.",
    )


@bp.route("/<int:cohort_id>/learners/<int:user_id>/move", methods=["POST"])
@roles_required("trainer")
def move_cohort_learner(cohort_id: int, user_id: int):
    """Move a learner to another cohort the trainer leads."""
    cohort = managed_cohort_or_404(cohort_id)
    form = MoveForm()
    form.target.choices = [SelectChoice(c.id, c.name) for c in visible_cohorts(current_user) if c.id != cohort.id]
    if not form.validate_on_submit():
        flash("Choose one of your other cohorts to move the learner to.", "error")
        return redirect(url_for(".show", cohort_id=cohort.id))
    target = managed_cohort_or_404(form.target.data)
    return _apply(cohort, lambda: move_learner(cohort, user_id, target), f"Learner moved to {target.name}.")


@bp.route("/<int:cohort_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@roles_required("trainer")
def withdraw_co_trainer_invitation(cohort_id: int, invitation_id: int):
    """Withdraw an invitation nobody has answered yet."""
    cohort = managed_cohort_or_404(cohort_id)
    return _apply(cohort, lambda: withdraw_invitation(cohort, invitation_id), "Invitation withdrawn.")


@bp.route("/invitations")
@roles_required("trainer")
def invitations():
    """List the invitations to co-lead a cohort that wait for this trainer's answer."""
    return render_template("cohorts/invitations.html", invitations=invitations_for(current_user), button=ButtonForm())


@bp.route("/invitations/<int:invitation_id>/<any(accept, decline):answer>", methods=["POST"])
@roles_required("trainer")
def answer(invitation_id: int, answer: str):
    """Accept or decline an invitation addressed to this trainer."""
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for(".invitations"))
    cohort = answer_invitation(invitation_id, current_user, accept=answer == "accept")
    db.session.commit()
    if answer == "accept":
        flash(f"You now co-lead {cohort.name}.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    flash(f"You declined the invitation to {cohort.name}.", "info")
    return redirect(url_for(".invitations"))
