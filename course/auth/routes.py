"""Sign-in, sign-out and registration views."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..database import utcnow
from ..extensions import db
from ..security import client_ip, safe_next
from . import bp
from .forms import LoginForm, RegisterForm
from .services import (
    RegistrationError,
    find_user,
    record_attempt,
    register_learner,
    seconds_until_unlocked,
)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; repeated failures pause further tries."""
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email, ip = form.email.data, client_ip()
        wait = seconds_until_unlocked(email, ip)
        if wait:
            minutes = max(1, round(wait / 60))
            form.password.errors.append(
                f"Too many failed sign-ins. Wait about {minutes} minute{'s' if minutes != 1 else ''} and try again, "
                "or ask your trainer to check your account."
            )
            status = 429
        else:
            user = find_user(email)
            ok = user is not None and user.active and user.check_password(form.password.data)
            record_attempt(email, ip, ok)
            if ok:
                user.last_login_at = utcnow()
                db.session.commit()
                login_user(user, remember=form.remember.data)
                return redirect(safe_next())
            db.session.commit()
            form.password.errors.append(
                "That email and password do not match an active account. Check both and try again."
            )
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out and return to the sign-in page."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a learner account in a cohort with its join code."""
    form = RegisterForm()
    if request.method == "GET" and request.args.get("code"):
        form.join_code.data = request.args["code"]
    status = 200
    if form.validate_on_submit():
        try:
            user = register_learner(form.join_code.data, form.display_name.data, form.email.data, form.password.data)
        except RegistrationError as exc:
            getattr(form, exc.field).errors.append(str(exc))
            status = 400
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.display_name}. You have joined {user.cohort.name}.", "success")
            return redirect(url_for("curriculum.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/join/<code>")
def join(code: str):
    """Open registration with the join code filled in (the link behind a cohort's QR code)."""
    return redirect(url_for("auth.register", code=code))
