"""The course itself: home, agenda, modules and progress."""
from flask import Blueprint

bp = Blueprint("curriculum", __name__)

from . import routes  # noqa: E402,F401
