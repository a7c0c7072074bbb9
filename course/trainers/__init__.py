"""The trainer's home: where trainers and admins land after signing in, one panel per cohort they lead."""
from flask import Blueprint

bp = Blueprint("trainers", __name__, url_prefix="/trainer")

from . import routes  # noqa: E402,F401
