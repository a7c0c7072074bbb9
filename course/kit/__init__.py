"""The trainer's kit: facilitation guides, templates, role plays, fact cards, answer keys and the agenda,
as printable pages (trainers and admins only)."""
from flask import Blueprint

bp = Blueprint("kit", __name__, url_prefix="/kit")

from . import routes  # noqa: E402,F401
