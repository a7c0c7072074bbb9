"""Account emails, composed when the outbox sends them (so a request does the same work for any address)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request

from ..extensions import db
from ..mail.outbox import Composed, queue_composed, register_composer
from ..models.mail import MailMessage
from .services import find_user
from .tokens import RESET, VERIFY, issue_token

PASSWORD_RESET = "password_reset"
VERIFY_EMAIL = "verify_email"


def site_url() -> str:
    """Return the site's base address for links in mail: SITE_URL, else the address this request came to."""
    configured = current_app.config.get("SITE_URL")
    return (configured or request.host_url).rstrip("/")


def queue_password_reset(email: str) -> None:
    """Queue a reset email for whoever owns this address, if anyone (the caller commits)."""
    queue_composed(email, PASSWORD_RESET, {"site": site_url()})


def queue_verification(email: str) -> None:
    """Queue a verification email for this address (the caller commits)."""
    queue_composed(email, VERIFY_EMAIL, {"site": site_url()})


def _render(name: str, **values) -> str:
    """Render a plain-text mail template (outside any request: the page context processors do not apply)."""
    template = current_app.jinja_env.get_template(f"mail/{name}.txt")
    return template.render(site_name=current_app.config["SITE_NAME"], **values)


def compose_password_reset(row: MailMessage) -> Composed | None:
    """Write the reset email with a fresh one-time link, or nothing when no active account uses the address."""
    user = find_user(row.to)
    if user is None or not user.active:
        return None
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    token = issue_token(user, RESET, timedelta(minutes=minutes))
    db.session.commit()
    link = f"{row.context['site']}/auth/reset/{token}"
    return Composed("Reset your SOP Foundations password",
                    _render("password_reset", user=user, link=link, minutes=minutes, site=row.context["site"]))


def compose_verification(row: MailMessage) -> Composed | None:
    """Write the confirm-your-email message, or tell an existing account's owner someone tried to register it."""
    user = find_user(row.to)
    if user is None or not user.active:
        return None
    site = row.context["site"]
    if user.email_verified_at is not None:
        return Composed("Someone tried to create an SOP Foundations account with your email",
                        _render("already_registered", user=user, site=site))
    hours = int(current_app.config["EMAIL_VERIFICATION_HOURS"])
    token = issue_token(user, VERIFY, timedelta(hours=hours))
    db.session.commit()
    return Composed("Confirm your email for SOP Foundations",
                    _render("verify_email", user=user, link=f"{site}/auth/verify/{token}", hours=hours, site=site))


def register_composers() -> None:
    """Register this feature's composers with the outbox."""
    register_composer(PASSWORD_RESET, compose_password_reset)
    register_composer(VERIFY_EMAIL, compose_verification)
