"""Email: a database outbox, a background sender with retries, and `flask --app wsgi mail send`.

Features call `queue_mail(...)`; the request only inserts a row, and a sender delivers it later.
"""
from flask import Flask

from .outbox import mail_configured, queue_mail

__all__ = ["init_app", "mail_configured", "queue_mail"]


def init_app(app: Flask) -> None:
    """Add the CLI, the wake-up after commits, and (when a server is set) the per-process sender."""
    from .cli import mail_group
    from .sender import SENDERS

    app.cli.add_command(mail_group)
    SENDERS.init_app(app)
