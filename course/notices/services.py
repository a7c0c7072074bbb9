"""Notices for one user: create them, count and list them, mark them read, and choose how email carries them.

`notify` is what other features call (the caller, or the view, commits). Email goes through the mail outbox:
an immediate notice queues one message composed when it is sent; a daily choice keeps one digest message
waiting in the outbox until the digest time. With no mail server configured, notices stay in-app only.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from ..database import utcnow
from ..extensions import db
from ..mail import mail_configured
from ..mail.outbox import queue_composed
from ..models import User
from ..models.mail import PENDING, MailMessage
from ..models.notices import (
    EMAIL_CHOICES,
    EMAIL_DAILY,
    EMAIL_IMMEDIATE,
    EMAIL_NONE,
    NOT_MAILED,
    Notice,
    NoticeSetting,
)

NOTICE_MAIL = "notice"
DIGEST_MAIL = "notice_digest"
KINDS = {"returned": "Returned for revision", "accepted": "Accepted", "comment": "New comment",
         "certificate": "Certificate", "weekly_check": "Weekly check"}
EMAIL_LABELS = {
    EMAIL_IMMEDIATE: "Email me each notice as it happens",
    EMAIL_DAILY: "Email me once a day, with every new notice in one message",
    EMAIL_NONE: "No email: I will check the notices here",
}
DEFAULTS = {"NOTICE_DIGEST_TIME": "17:00", "NOTICE_DIGEST_ZONE": "America/Los_Angeles", "NOTICE_LIST_LIMIT": 50}


def setting(name: str):
    """Return a notices setting from the app config, or its default."""
    return current_app.config.get(name, DEFAULTS[name])


# ---------------------------------------------------------------- the user's email choice

def email_choice(user_id: int) -> str:
    """Return how the user wants notices by email (immediate unless they chose otherwise)."""
    row = db.session.get(NoticeSetting, user_id)
    return row.email if row is not None and row.email in EMAIL_CHOICES else EMAIL_IMMEDIATE


def chose_email(user_id: int) -> bool:
    """Return whether the user ever chose how notices reach them by email (else they have the default)."""
    return db.session.get(NoticeSetting, user_id) is not None


def set_email_choice(user: User, choice: str) -> None:
    """Store the user's email choice (the view commits); notices already waiting follow the new choice."""
    if choice not in EMAIL_CHOICES:
        raise ValueError(f"Choose one of: {', '.join(EMAIL_CHOICES)}.")
    row = db.session.get(NoticeSetting, user.id)
    if row is None:
        row = NoticeSetting(user_id=user.id, email=choice)
        db.session.add(row)
    row.email = choice
    waiting = select(Notice.id).where(Notice.user_id == user.id, Notice.mail_batch.is_(None))
    if choice == EMAIL_NONE:
        db.session.execute(update(Notice).where(Notice.id.in_(waiting)).values(mail_batch=NOT_MAILED)
                           .execution_options(synchronize_session=False))
    elif choice == EMAIL_DAILY and db.session.scalar(waiting.limit(1)) is not None and mail_configured():
        ensure_digest(user)
    db.session.flush()


# ---------------------------------------------------------------- creating notices

def site_url() -> str:
    """Return the base address for links in email: SITE_URL, else this request's host (empty outside one)."""
    configured = current_app.config.get("SITE_URL")
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/") if has_request_context() else ""


def command_site_url(given: str | None = None) -> str:
    """Return the address for links in mail sent from a command (no request to take it from): the given one,
    else SITE_URL; raise ValueError with what to do when there is neither."""
    site = (given or current_app.config.get("SITE_URL") or "").strip().rstrip("/")
    if not site.startswith(("http://", "https://")):
        raise ValueError("The mail needs a link learners can open: set SITE_URL (or pass --site https://your-address), "
                         "then run this again. Nothing was sent or scheduled.")
    return site


def notify(user: User, kind: str, title: str, body: str = "", url: str = "") -> Notice:
    """Add a notice to the user's list and queue its email as they chose (the caller commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; expected one of {', '.join(KINDS)}")
    notice = Notice(user_id=user.id, kind=kind, title=title[:200], body=body, url=url[:500])
    db.session.add(notice)
    db.session.flush()
    choice = email_choice(user.id)
    if not mail_configured() or choice == EMAIL_NONE or not user.active:
        notice.mail_batch = NOT_MAILED  # in-app only; configuring a server later does not send old notices
    elif choice == EMAIL_IMMEDIATE:
        queue_composed(user.email, NOTICE_MAIL, {"notice": notice.id, "site": site_url()})
    else:
        ensure_digest(user)
    return notice


def next_digest_at(now: datetime | None = None) -> datetime:
    """Return the next digest time (NOTICE_DIGEST_TIME in NOTICE_DIGEST_ZONE) after now, in UTC."""
    zone = ZoneInfo(setting("NOTICE_DIGEST_ZONE"))
    hour, minute = (int(part) for part in str(setting("NOTICE_DIGEST_TIME")).split(":"))
    local_now = (now or utcnow()).astimezone(zone)
    target = datetime.combine(local_now.date(), time(hour, minute), tzinfo=zone)
    if target <= local_now:
        target = datetime.combine(local_now.date() + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return target.astimezone(UTC)


def ensure_digest(user: User) -> MailMessage | None:
    """Queue the user's next digest unless one is already waiting in the outbox (the caller commits).

    Two requests may both queue one at the same moment; the second digest then finds nothing left to carry
    and the outbox marks it skipped, so no notice is mailed twice."""
    waiting = db.session.scalar(select(MailMessage.id).where(
        MailMessage.category == DIGEST_MAIL, MailMessage.status == PENDING,
        MailMessage.to == user.email[:254]).limit(1))
    if waiting is not None:
        return None
    row = queue_composed(user.email, DIGEST_MAIL, {"user": user.id, "site": site_url()})
    row.next_attempt_at = next_digest_at()
    return row


# ---------------------------------------------------------------- reading notices

def unread_count(user_id: int) -> int:
    """Return how many of the user's notices are unread."""
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == user_id, Notice.read_at.is_(None))) or 0


def notices_for(user_id: int, limit: int | None = None) -> list[Notice]:
    """Return the user's newest notices, unread and read."""
    query = select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(), Notice.id.desc())
    return list(db.session.scalars(query.limit(limit or setting("NOTICE_LIST_LIMIT"))))


def notice_or_none(user_id: int, notice_id: int) -> Notice | None:
    """Return one of the user's own notices, or None (another user's notice is not found)."""
    notice = db.session.get(Notice, notice_id)
    return notice if notice is not None and notice.user_id == user_id else None


def mark_read(notice: Notice) -> None:
    """Mark a notice read (the view commits); reading it again changes nothing."""
    db.session.execute(update(Notice).where(Notice.id == notice.id, Notice.read_at.is_(None))
                       .values(read_at=utcnow()).execution_options(synchronize_session=False))


def mark_all_read(user_id: int) -> int:
    """Mark every unread notice of the user read (the view commits); return how many."""
    result = db.session.execute(update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


# ---------------------------------------------------------------- claiming notices for an email

def claim_notices(batch: str, *, notice_id: int | None = None, user_id: int | None = None) -> list[Notice]:
    """Write the batch onto notices no email has carried yet, in one UPDATE, and return the ones it took.

    A notice is taken by exactly one batch, so an immediate email and a digest racing for it never both send it.
    """
    conditions = [Notice.mail_batch.is_(None)]
    conditions.append(Notice.id == notice_id if notice_id is not None else Notice.user_id == user_id)
    db.session.execute(update(Notice).where(*conditions).values(mail_batch=batch)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(Notice).where(Notice.mail_batch == batch).order_by(Notice.id)))
