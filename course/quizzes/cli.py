"""`flask --app wsgi quizzes weekly-notices`: tell learners whose weekly check fell due (run it from cron)."""
from __future__ import annotations

import click

from ..extensions import db
from . import bp
from .weekly import send_due_notices


@bp.cli.command("weekly-notices")
def weekly_notices_command() -> None:
    """Add a notice (and its email, when mail is configured) for each weekly check that fell due; once a week each."""
    sent = send_due_notices()
    db.session.commit()
    click.echo(f"Told {sent} learner{'s' if sent != 1 else ''} that their weekly check is due.")
