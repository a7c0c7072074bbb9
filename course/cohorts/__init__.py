"""Cohorts: trainers create them and share the join code."""
from flask import Blueprint

bp = Blueprint("cohorts", __name__)

from . import routes  # noqa: E402,F401
