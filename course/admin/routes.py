"""Admin views: list accounts, create trainers."""
from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from ..auth.services import create_user, find_user
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
    return render_template("admin/users.html", form=form, people=people), status
