"""Accounts: sign in and out, joining a cohort, passwords, email verification and revocable sessions."""
from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("auth", __name__)

from ..extensions import login_manager  # noqa: E402
from . import account, recovery, routes  # noqa: E402,F401
from .mails import register_composers  # noqa: E402
from .sessions import load_user  # noqa: E402

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.user_loader(load_user)
register_composers()

# What a signed-in learner whose email is not confirmed may still open.
OPEN_TO_UNVERIFIED = {"auth.verify_pending", "auth.verify_resend", "auth.verify_email", "auth.logout",
                      "auth.logout_everywhere", "auth.reset_request", "auth.reset_password", "static", "health.healthz"}


@bp.before_app_request
def require_verified_email():
    """With REQUIRE_EMAIL_VERIFICATION, send an unconfirmed learner to the check-your-mail page."""
    if not current_app.config["REQUIRE_EMAIL_VERIFICATION"] or request.endpoint in OPEN_TO_UNVERIFIED:
        return None
    if not current_user.is_authenticated or current_user.email_verified_at is not None:
        return None
    if request.path.startswith("/api/") or request.is_json:
        message = "Confirm your email first: open the link we sent you, or ask for a new one at /auth/verify."
        return jsonify(error=message), 403
    return redirect(url_for("auth.verify_pending"))
