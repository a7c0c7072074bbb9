"""Notices: an in-app list with a bell and a count, and email (immediate or a daily digest) through the outbox."""
from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from . import cli, routes  # noqa: E402,F401
from .mails import register_composers  # noqa: E402
from .receivers import connect  # noqa: E402
from .services import notify  # noqa: E402,F401

register_composers()
connect()
