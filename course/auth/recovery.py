"""Password reset by email, and email verification: one-time links whose tokens are stored hashed."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..database import utcnow
from ..extensions import db
from ..ratelimit import check_and_hit, first_refusal, too_many_requests
from ..security import client_ip
from . import bp
from .forms import ButtonForm, ResetPasswordForm, ResetRequestForm
from .mails import queue_password_reset, queue_verification
from .routes import HOUR, email_key, needs_verification
from .services import change_password
from .tokens import RESET, VERIFY, peek_token, use_token


def _spent_link(purpose: str):
    """Answer a link that has expired or was already used, saying how to get a new one."""
    return render_template("auth/link_invalid.html", purpose=purpose), 410


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a reset link; the answer (and the work done) is the same whether or not the email has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        config = current_app.config
        refused = first_refusal([(f"reset:addr:{client_ip()}", config["RESET_PER_ADDRESS"], HOUR),
                                 (f"reset:email:{email_key(form.email.data)}", config["RESET_PER_EMAIL"], HOUR)])
        if refused is not None:
            return too_many_requests(refused, "Too many reset links were asked for.")
        queue_password_reset(form.email.data)  # the outbox decides at send time whether an account uses it
        db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data.strip(), purpose="reset")
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; the link works once and signs out every device."""
    user = peek_token(token, RESET)
    if user is None or not user.active:
        return _spent_link("reset")
    form = ResetPasswordForm()
    form.rules_email = user.email
    if form.validate_on_submit():
        user = use_token(token, RESET)
        if user is None:
            return _spent_link("reset")
        change_password(user, form.password.data)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link reached this inbox, so the address is confirmed too
        db.session.commit()
        flash("Your password is changed and every device is signed out. Sign in with the new password.", "success")
        return redirect(url_for(".login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/verify")
@login_required
def verify_pending():
    """Tell a learner whose email is not confirmed yet to check their mail, and offer to send the link again."""
    if not needs_verification(current_user):
        return redirect(url_for("curriculum.home"))
    return render_template("auth/verify_pending.html", form=ButtonForm())


@bp.route("/verify/resend", methods=["POST"])
@login_required
def verify_resend():
    """Send the confirmation link again (a few times an hour at most)."""
    if not needs_verification(current_user):
        return redirect(url_for("curriculum.home"))
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for(".verify_pending"))
    allowed = check_and_hit(f"verify:resend:{current_user.id}", 3, HOUR)
    if not allowed.allowed:
        return too_many_requests(allowed, "We have already sent several links.")
    queue_verification(current_user.email)
    db.session.commit()
    flash(f"We are sending a new link to {current_user.email}. It can take a few minutes to arrive.", "success")
    return redirect(url_for(".verify_pending"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm an email address: the link opens a page, and its button (a POST) confirms."""
    user = peek_token(token, VERIFY)
    if user is None:
        return _spent_link("verify")
    form = ButtonForm()
    if form.validate_on_submit():
        user = use_token(token, VERIFY)
        if user is None:
            return _spent_link("verify")
        user.email_verified_at = utcnow()
        db.session.commit()
        flash("Your email is confirmed. Welcome to the course.", "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("curriculum.home"))
        return redirect(url_for(".login"))
    return render_template("auth/verify_confirm.html", form=form, email=user.email)
