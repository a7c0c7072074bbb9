"""`flask --app wsgi xapi ...`: deliver the outbox from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("xapi")
def xapi_group() -> None:
    """Work with the xAPI outbox (statements waiting for the Learning Record Store)."""


@xapi_group.command("send")
@click.option("--retry-failed", is_flag=True, help="Put statements that gave up back in the queue first.")
@click.option("--now", "ignore_schedule", is_flag=True, help="Also send statements still waiting out a retry delay.")
@with_appcontext
def send_command(retry_failed: bool, ignore_schedule: bool) -> None:
    """Send every due pending statement to XAPI_LRS_URL once, then print what happened."""
    from flask import current_app

    from ..outbox_sender import drain
    from .outbox import OUTBOX, flush, setting

    if not current_app.config.get("XAPI_LRS_URL"):
        raise click.ClickException("XAPI_LRS_URL is not set, so there is nowhere to send statements.")
    if retry_failed:
        click.echo(f"Re-queued {OUTBOX.retry_failed()} failed statement(s).")
    report = drain(flush, setting("XAPI_BATCH_SIZE"), ignore_schedule)
    left = OUTBOX.counts()
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, gave up on {report.failed}. "
               f"Outbox now: {left['pending']} pending, {left['sent']} sent, {left['failed']} failed.")
