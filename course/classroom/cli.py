"""Classroom commands."""
import click
from flask.cli import with_appcontext


@click.group("classroom")
def classroom_group() -> None:
    """Manage live classroom sessions."""


@classroom_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete expired and ended classroom sessions with all their responses and scores."""
    from ..extensions import db
    from .services import purge_expired

    count = purge_expired()
    db.session.commit()
    click.echo(f"Deleted {count} classroom session(s).")
