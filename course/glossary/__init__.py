"""The glossary page, and links from each term's first use in a module to its definition."""
from flask import Blueprint

bp = Blueprint("glossary", __name__, url_prefix="/glossary")

from . import routes  # noqa: E402,F401
