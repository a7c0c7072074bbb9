"""xAPI: statements for course milestones, an outbox, a background sender and per-cohort export."""
from flask import Blueprint, Flask

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Connect the receivers, the CLI and (when an LRS is set) the sender."""
    from .cli import xapi_group
    from .receivers import connect
    from .sender import install_wakeup, sender_wanted, start_sender

    connect()
    install_wakeup()
    app.cli.add_command(xapi_group)
    if sender_wanted(app):
        # Started on the first request of each process, so forked gunicorn workers each get a live thread.
        app.before_request(lambda: start_sender(app) and None)
