"""The mail outbox: requests insert messages; senders claim them atomically, hand them to SMTP and record the outcome.

A request never talks to the SMTP server. With no MAIL_SERVER set, messages simply wait in the
table (and notices stay in-app) until a server is configured and a sender drains them.

Some messages are composed at send time (`queue_composed`): the request stores only the address,
a category and a little context, and the category's composer (`register_composer`) writes the
message when it is sent, or decides there is nothing to send. A request then does the same work
whatever the address belongs to, and one-time links are made only when they are about to leave.
"""
from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import partial

from flask import current_app
from sqlalchemy import update

from ..database import utcnow
from ..extensions import db
from ..models.mail import FAILED, PENDING, SENT, SKIPPED, MailMessage
from ..outbox_sender import DeliveryError, FlushReport, Outbox, worker_name

log = logging.getLogger(__name__)

SETTINGS = {
    "MAIL_POLL_SECONDS": 10.0,  # how often an idle sender looks for due messages
    "MAIL_BACKOFF_SECONDS": 60.0,  # first retry delay; doubles on each failure
    "MAIL_BACKOFF_MAX_SECONDS": 3600.0,
    "MAIL_MAX_ATTEMPTS": 10,  # then the message is kept as failed until `mail send --retry-failed`
    "MAIL_CLAIM_STALE_SECONDS": 300.0,  # a claim older than this belongs to a sender that died
    "MAIL_TIMEOUT_SECONDS": 10.0,  # per SMTP connection: a slow server delays the sender, never a request
    "MAIL_BATCH_SIZE": 20,
}


# A sent message's body may hold a one-time link; once delivered it has no reason to stay in the database.
OUTBOX = Outbox(MailMessage, "MAIL", SETTINGS, statuses=(PENDING, SENT, FAILED, SKIPPED),
                sent_values={"text": "", "html": None})
setting = OUTBOX.setting


def mail_configured() -> bool:
    """Return whether an SMTP server is set, so messages can leave the outbox."""
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_mail(to: str, subject: str, text: str, html: str | None = None, category: str = "message") -> MailMessage:
    """Add a message to the outbox in the current transaction (the caller, or the view, commits)."""
    row = MailMessage(to=to.strip()[:254], subject=" ".join(subject.split())[:200], text=text, html=html,
                      category=category[:32], status=PENDING, attempts=0, next_attempt_at=utcnow())
    db.session.add(row)
    db.session.info["mail_queued"] = True  # wakes this process's sender after the commit
    return row


@dataclass(frozen=True)
class Composed:
    """A message written by a composer at send time."""

    subject: str
    text: str
    html: str | None = None


Composer = Callable[[MailMessage], "Composed | None"]
_composers: dict[str, Composer] = {}


def register_composer(category: str, composer: Composer) -> None:
    """Let `composer(row)` write every message of this category when it is sent (None: nothing to send)."""
    _composers[category] = composer


def queue_composed(to: str, category: str, context: dict | None = None) -> MailMessage:
    """Add a message that its category's composer writes at send time (the caller, or the view, commits)."""
    if category not in _composers:
        raise KeyError(f"no composer is registered for mail category {category!r}")
    row = queue_mail(to, category.replace("_", " "), "", category=category)
    row.context = context or {}
    return row


def build_message(row: MailMessage) -> EmailMessage:
    """Return the row as a MIME message: plain text, with an HTML alternative when there is one."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER") or f"no-reply@{socket.getfqdn()}"
    message["To"] = row.to
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=(config.get("MAIL_SENDER") or "localhost").rpartition("@")[2] or None)
    message.set_content(row.text)
    if row.html:
        message.add_alternative(row.html, subtype="html")
    return message


def _connect() -> smtplib.SMTP:
    """Open an SMTP connection as configured: implicit TLS (MAIL_USE_SSL), STARTTLS (MAIL_USE_TLS) or plain."""
    config = current_app.config
    host, timeout = config["MAIL_SERVER"], setting("MAIL_TIMEOUT_SECONDS")
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, int(config.get("MAIL_PORT") or 465), timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, int(config.get("MAIL_PORT") or 25), timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def send_message(message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raise DeliveryError when it is not accepted."""
    try:
        smtp = _connect()
        try:
            refused = smtp.send_message(message)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(f"the server refused the recipient: {exc.recipients}",
                            permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word about this message; 4xx (greylisting, a full queue) may clear up.
        raise DeliveryError(f"the server answered {exc.smtp_code} {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
                            and not isinstance(exc, smtplib.SMTPAuthenticationError)) from exc
    except (smtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"could not reach the mail server: {exc}") from exc
    if refused:
        raise DeliveryError(f"the server refused some recipients: {refused}", permanent=True)


def record_skipped(row_id: int, worker: str) -> None:
    """Mark a composed message that turned out to have nothing to send, keeping the claim's owner check.

    The context (ids and the site address only) stays: it is how a job knows whom a message was for
    (the follow-up backfill must not invite again someone whose invitation was skipped)."""
    db.session.rollback()
    db.session.execute(
        update(MailMessage).where(MailMessage.id == row_id, MailMessage.claimed_by == worker)
        .values(status=SKIPPED, claimed_at=None, claimed_by=None, sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def flush(worker: str | None = None, ignore_schedule: bool = False, limit: int | None = None) -> FlushReport:
    """Claim due messages and send each; does nothing without MAIL_SERVER (needs an app context)."""
    report = FlushReport()
    if not mail_configured():
        return report
    worker = worker or worker_name()
    for row in OUTBOX.claim_due(worker, limit=limit, ignore_schedule=ignore_schedule):
        row_id = row.id
        composer = _composers.get(row.category)
        if composer is not None:
            composed = composer(row)  # may write (a one-time token) and commit
            if composed is None:
                record_skipped(row_id, worker)
                report.skipped += 1
                continue
            row.subject, row.text, row.html = composed.subject[:200], composed.text, composed.html
        message = build_message(row)
        error = OUTBOX.deliver(row, worker, partial(send_message, message), report)
        if error is not None:
            log.warning("mail %s to the outbox's row %s not delivered: %s", row.category, row_id, error)
    return report
