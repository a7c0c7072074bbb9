"""`flask --app wsgi quizzes weekly-notices`: tell learners whose weekly check fell due (run it from cron)."""
from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from ..notices.services import command_site_url
from . import bp
from .weekly import send_due_notices


@bp.cli.command("weekly-notices")
def weekly_notices_command() -> None:
    """Add a notice (and its email, when mail is configured) for each weekly check that fell due; once a week each."""
    if current_app.config.get("MAIL_SERVER"):  # the email's link needs the site's address: cron has no request
        try:
            command_site_url()
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    sent = send_due_notices()
    db.session.commit()
    click.echo(f"Told {sent} learner{'s' if sent != 1 else ''} that their weekly check is due.")
