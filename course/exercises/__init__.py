"""Vignette exercises: read a case, map it, write the statements with live feedback, submit for review."""
from flask import Blueprint

bp = Blueprint("exercises", __name__, url_prefix="/exercises")

from . import mapping, practice_views, routes, statements  # noqa: E402,F401
