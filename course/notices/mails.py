"""Notice emails, written when the outbox sends them: one notice at a time, or the day's notices in one digest."""
from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..mail.outbox import Composed, register_composer
from ..models import User
from ..models.mail import MailMessage
from ..models.notices import EMAIL_DAILY, EMAIL_NONE, Notice
from ..words import pluralise
from .services import DIGEST_MAIL, NOTICE_MAIL, chose_email, claim_notices, email_choice, ensure_digest


def _render(name: str, **values) -> str:
    """Render a plain-text mail template (outside any request)."""
    template = current_app.jinja_env.get_template(f"mail/{name}.txt")
    return template.render(site_name=current_app.config["SITE_NAME"], **values)


def _link(site: str, notice: Notice) -> str:
    """Return the notice's page as an address the email can carry."""
    return f"{site}{notice.url}" if notice.url else f"{site}/notices/"


def compose_notice(row: MailMessage) -> Composed | None:
    """Write one notice's email, or nothing when the user has since chosen a digest or no email."""
    notice = db.session.get(Notice, (row.context or {}).get("notice"))
    if notice is None:
        return None
    user = db.session.get(User, notice.user_id)
    choice = email_choice(notice.user_id)
    if user is None or not user.active or choice == EMAIL_NONE:
        return None
    if choice == EMAIL_DAILY:  # switched to the digest after this was queued: the digest carries it
        ensure_digest(user)
        db.session.commit()
        return None
    taken = claim_notices(f"n{row.id}", notice_id=notice.id)
    if not taken:
        return None  # a digest already carried it
    site = (row.context or {}).get("site", "")
    return Composed(notice.title, _render("notice", user=user, notice=notice, link=_link(site, notice), site=site,
                                          chosen=chose_email(user.id)))


def compose_digest(row: MailMessage) -> Composed | None:
    """Write the digest of every notice no email has carried yet, or nothing when there is none."""
    user = db.session.get(User, (row.context or {}).get("user"))
    if user is None or not user.active or email_choice(user.id) == EMAIL_NONE:
        return None
    notices = claim_notices(f"d{row.id}", user_id=user.id)
    if not notices:
        return None
    site = (row.context or {}).get("site", "")
    items = [(notice, _link(site, notice)) for notice in notices]
    subject = f"{current_app.config['SITE_NAME']}: {pluralise(len(notices), 'new notice')}"
    return Composed(subject, _render("notice_digest", user=user, items=items, site=site))


def register_composers() -> None:
    """Register the notice composers with the outbox."""
    register_composer(NOTICE_MAIL, compose_notice)
    register_composer(DIGEST_MAIL, compose_digest)
