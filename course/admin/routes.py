"""Admin views: list accounts, create trainers, switch accounts off and on."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.forms import ButtonForm
from ..auth.services import create_user, find_user, set_active
from ..extensions import db
from ..models import Role, User
from ..security import roles_required
from . import bp
from .forms import NewStaffForm


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    """List accounts and create trainer or admin accounts."""
    form = NewStaffForm()
    status = 200
    if form.validate_on_submit():
        if find_user(form.email.data):
            form.email.errors.append("An account with this email already exists.")
            status = 400
        else:
            user = create_user(form.email.data, form.display_name.data, form.password.data, Role(form.role.data))
            db.session.commit()
            flash(f"{user.display_name} can now sign in as a {user.role}.", "success")
            return redirect(url_for(".users"))
    elif form.errors:
        status = 400
    people = db.session.scalars(select(User).order_by(User.role, User.display_name))
    return render_template("admin/users.html", form=form, people=people, button=ButtonForm()), status


def _switch(user_id: int, active: bool):
    """Switch an account off (signing it out everywhere at once) or back on."""
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
    elif user.id == current_user.id:
        flash("You cannot switch off your own account. Ask another admin if it must be switched off.", "error")
    else:
        set_active(user, active)
        db.session.commit()
        flash(f"{user.display_name} can sign in again." if active
              else f"{user.display_name} is switched off and signed out everywhere. "
              "Switch them back on to restore access.",
              "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def deactivate(user_id: int):
    """Switch an account off: it is signed out at once and cannot sign in (its work is kept)."""
    return _switch(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate(user_id: int):
    """Switch an account back on."""
    return _switch(user_id, True)
