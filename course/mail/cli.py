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
    from .outbox import counts, flush, mail_configured, retry_failed as requeue, setting

    if not mail_configured():
        raise click.ClickException("SOP_MAIL_SERVER is not set, so there is nowhere to send mail. "
                                   "Set it (and SOP_MAIL_PORT, SOP_MAIL_SENDER) and run this again.")
    if retry_failed:
        click.echo(f"Re-queued {requeue()} failed message(s).")
    sent = retrying = failed = skipped = 0
    batch = setting("MAIL_BATCH_SIZE")
    for _ in range(10_000):  # batch by batch; a short batch means nothing more was due
        report = flush(ignore_schedule=ignore_schedule, limit=batch)
        sent, retrying, failed = sent + report.sent, retrying + report.retrying, failed + report.failed
        skipped += report.skipped
        if report.total < batch:
            break
    left = counts()
    click.echo(f"Sent {sent}, will retry {retrying}, gave up on {failed}, nothing to send for {skipped}. "
               f"Outbox now: {left['pending']} pending, {left['sent']} sent, {left['failed']} failed.")


@mail_group.command("status")
@with_appcontext
def status_command() -> None:
    """Print how many messages are pending, sent and failed."""
    from .outbox import counts, mail_configured

    left = counts()
    where = "SOP_MAIL_SERVER is set" if mail_configured() else "SOP_MAIL_SERVER is not set: messages wait in the outbox"
    click.echo(f"{left['pending']} pending, {left['sent']} sent, {left['failed']} failed ({where}).")
