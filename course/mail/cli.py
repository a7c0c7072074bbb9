"""`flask --app wsgi mail ...`: drain the outbox from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("mail")
def mail_group() -> None:
    """Work with the mail outbox (messages waiting for the SMTP server)."""


@mail_group.command("send")
@click.option("--retry-failed", is_flag=True, help="Put messages that gave up back in the queue first.")
@click.option("--now", "ignore_schedule", is_flag=True, help="Also send messages still waiting out a retry delay.")
@with_appcontext
def send_command(retry_failed: bool, ignore_schedule: bool) -> None:
    """Send every due pending message through SOP_MAIL_SERVER once, then print what happened."""
    from ..outbox_sender import drain
    from .outbox import OUTBOX, flush, mail_configured, setting

    if not mail_configured():
        raise click.ClickException("SOP_MAIL_SERVER is not set, so there is nowhere to send mail. "
                                   "Set it (and SOP_MAIL_PORT, SOP_MAIL_SENDER) and run this again.")
    if retry_failed:
        click.echo(f"Re-queued {OUTBOX.retry_failed()} failed message(s).")
    report = drain(flush, setting("MAIL_BATCH_SIZE"), ignore_schedule)
    left = OUTBOX.counts()
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, gave up on {report.failed}, "
               f"nothing to send for {report.skipped}. "
               f"Outbox now: {left['pending']} pending, {left['sent']} sent, {left['failed']} failed.")


@mail_group.command("status")
@with_appcontext
def status_command() -> None:
    """Print how many messages are pending, sent and failed."""
    from .outbox import OUTBOX, mail_configured

    left = OUTBOX.counts()
    where = "SOP_MAIL_SERVER is set" if mail_configured() else "SOP_MAIL_SERVER is not set: messages wait in the outbox"
    click.echo(f"{left['pending']} pending, {left['sent']} sent, {left['failed']} failed ({where}).")
