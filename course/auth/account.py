"""A signed-in user's account: change the password, sign out everywhere."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..ratelimit import hit_with_backoff, reset, wait_words
from . import bp
from .forms import ButtonForm, ChangePasswordForm
from .services import change_password
from .sessions import current_sign_in_remembered, sign_in, signed_in_count


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show the account page and change the password (the current one is required)."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.rules_email = user.email
    status = 200
    if form.validate_on_submit():
        key = f"pwchange:{user.id}"  # a borrowed session must not be able to guess the current password quickly
        allowed = hit_with_backoff(key, 5, 30, 3600, 86400)
        if not allowed.allowed:
            form.current.errors.append(f"Too many wrong tries. Try again in {wait_words(allowed.retry_after)}.")
            status = 429
        elif not user.check_password(form.current.data):
            form.current.errors.append("That is not your current password. Type it again, or sign out and use "
                                       "“Forgotten your password?” on the sign-in page.")
            status = 400
        else:
            reset(key)
            remembered = current_sign_in_remembered(user)
            change_password(user, form.password.data)
            sign_in(user, remember=remembered)  # this browser stays signed in; every other one is signed out
            db.session.commit()
            flash("Your password is changed. Every other device is now signed out.", "success")
            return redirect(url_for(".account"))
    elif form.errors:
        status = 400
    return render_template("auth/account.html", form=form, everywhere_form=ButtonForm(),
                           devices=signed_in_count(user)), status
