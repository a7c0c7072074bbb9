"""Classroom commands."""
import click
from flask.cli import with_appcontext


@click.group("classroom")
def classroom_group() -> None:
    """Manage live classroom sessions."""


@classroom_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Summarise expired sessions, delete them and ended ones, and drop summaries kept past their 30 days."""
    from ..extensions import db
    from .export import purge_expired

    count = purge_expired()
    db.session.commit()
    click.echo(f"Deleted {count} classroom session(s).")
