"""xAPI: statements for course milestones, an outbox, a background sender and per-cohort export."""
from flask import Blueprint, Flask

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Connect the receivers, the CLI and (when an LRS is set) the sender."""
    from .cli import xapi_group
    from .receivers import connect
    from .sender import SENDERS

    connect()
    app.cli.add_command(xapi_group)
    SENDERS.init_app(app)
