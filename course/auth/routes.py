"""Sign-in, sign-out and registration views."""
import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ..extensions import db
from ..ratelimit import (
    check_and_hit,
    first_refusal,
    refund,
    too_many_requests,
    wait_words,
)
from ..security import client_ip, safe_next
from . import bp
from .forms import ButtonForm, LoginForm, RegisterForm
from .mails import queue_verification
from .services import (
    EmailTaken,
    RegistrationError,
    check_credentials,
    cohort_for_registration,
    register_learner,
)
from .sessions import end_every_sign_in, sign_in, sign_out
from .throttle import begin_attempt, finish_attempt

HOUR = 3600


def needs_verification(user) -> bool:
    """Return whether this user must confirm their email before using the site."""
    return bool(current_app.config["REQUIRE_EMAIL_VERIFICATION"]) and user.email_verified_at is None


def home_endpoint(user) -> str:
    """Return where a user lands after signing in: trainers and admins on the trainer home, learners on the course."""
    return "trainers.home" if user.is_trainer else "curriculum.home"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; repeated failures from one address pause that address's tries."""
    if current_user.is_authenticated:
        return redirect(safe_next(home_endpoint(current_user)))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email, ip = form.email.data, client_ip()
        refused = begin_attempt(email, ip)
        if refused is not None:
            form.password.errors.append(
                "Too many failed sign-ins for this email from your network. "
                f"Try again in {wait_words(refused.retry_after)}, "
                "or reset your password with the link below.")
            page = current_app.make_response((render_template("auth/login.html", form=form), 429))
            page.headers["Retry-After"] = str(refused.retry_after)
            return page
        user = check_credentials(email, form.password.data)
        finish_attempt(email, ip, user is not None)
        if user is not None and not user.active:
            form.password.errors.append(
                "This account is switched off. Ask an admin or your trainer to switch it back on.")
            status = 403
        elif user is not None:
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            if needs_verification(user):
                return redirect(url_for(".verify_pending"))
            return redirect(safe_next(home_endpoint(user)))
        else:
            form.password.errors.append("That email and password do not match an active account. Check both and try "
                                        "again, or reset your password with the link below.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out on this browser: its cookies stop working, even copies of them."""
    sign_out(current_user._get_current_object())
    db.session.commit()
    flash("You are signed out on this device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Sign out on every device at once."""
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Press the button again.", "error")
        return redirect(url_for(".account"))
    end_every_sign_in(current_user._get_current_object())
    logout_user()
    db.session.commit()
    flash("You are signed out on every device. Sign in again here when you need to.", "info")
    return redirect(url_for("auth.login"))


def _registration_refusal(cohort_id: int, ip: str):
    """Count a registration per cohort and per address; return the refusal, if any."""
    config = current_app.config
    return first_refusal([(f"register:code:{cohort_id}", config["REGISTER_PER_CODE"], HOUR),
                          (f"register:addr:{ip}", config["REGISTER_PER_ADDRESS"], HOUR)])


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a learner account in a cohort with its join code (limited per code and per address)."""
    form = RegisterForm()
    if request.method == "GET" and request.args.get("code"):
        form.join_code.data = request.args["code"]
    status = 200
    if form.validate_on_submit():
        ip = client_ip()
        guess_key = f"joincode:addr:{ip}"
        guess = check_and_hit(guess_key, current_app.config["JOIN_CODE_GUESSES_PER_ADDRESS"], HOUR)
        if not guess.allowed:
            return too_many_requests(guess, "Too many wrong join codes were typed from your network.")
        try:
            cohort = cohort_for_registration(form.join_code.data)
        except RegistrationError as exc:
            getattr(form, exc.field).errors.append(str(exc))
            return render_template("auth/register.html", form=form), 400
        refund(guess_key)  # a right code is not a guess
        refused = _registration_refusal(cohort.id, ip)
        if refused is not None:
            return too_many_requests(refused, "Too many accounts were created with this code or from your network.")
        verify = bool(current_app.config["REQUIRE_EMAIL_VERIFICATION"])
        try:
            user = register_learner(cohort, form.display_name.data, form.email.data, form.password.data,
                                    verified=not verify)
        except EmailTaken as exc:
            if not verify:
                form.email.errors.append(str(exc))
                return render_template("auth/register.html", form=form), 400
            user = None  # the owner gets an email saying someone tried; the page reads the same as for a new account
        if verify:
            queue_verification(form.email.data)
            db.session.commit()
            return render_template("auth/check_email.html", email=form.email.data.strip(), purpose="verify")
        sign_in(user)
        db.session.commit()
        flash(f"Welcome, {user.display_name}. You have joined {user.cohort.name}.", "success")
        return redirect(url_for("curriculum.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/join/<code>")
def join(code: str):
    """Open registration with the join code filled in (the link behind a cohort's QR code)."""
    return redirect(url_for("auth.register", code=code))


def email_key(email: str) -> str:
    """Return a short key for an email address, for rate limits (no address is stored in the key)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
