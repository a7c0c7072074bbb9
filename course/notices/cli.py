"""`flask --app wsgi notices digest`: send the waiting daily digests now instead of at the digest time."""
from __future__ import annotations

import click
from sqlalchemy import update

from ..database import utcnow
from ..extensions import db
from ..mail import mail_configured
from ..mail.outbox import flush
from ..models.mail import PENDING, MailMessage
from . import bp
from .services import DIGEST_MAIL


@bp.cli.command("digest")
@click.option("--now", "send_now", is_flag=True,
              help="Send every waiting digest now, not only those whose digest time has come.")
def digest_command(send_now: bool) -> None:
    """Send the daily notice digests that are due (the mail sender also sends them on its own)."""
    if not mail_configured():
        raise click.ClickException("SOP_MAIL_SERVER is not set, so notices stay in-app and no digest is sent. "
                                   "Set SOP_MAIL_SERVER (and SOP_MAIL_PORT, SOP_MAIL_SENDER) and run this again.")
    if send_now:
        db.session.execute(update(MailMessage).where(MailMessage.category == DIGEST_MAIL,
                                                     MailMessage.status == PENDING)
                           .values(next_attempt_at=utcnow()).execution_options(synchronize_session=False))
        db.session.commit()
    report = flush()
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, gave up on {report.failed}, "
               f"nothing to send for {report.skipped} (every message due in the outbox, digests included).")
