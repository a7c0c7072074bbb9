"""The glossary page: every term with its meaning, an example and the module that teaches it."""
from flask import render_template
from flask_login import login_required

from ..curriculum.services import get_module
from . import bp
from .services import terms


@bp.route("")
@login_required
def index():
    """List every term alphabetically, grouped by first letter."""
    entries = [(term, get_module(term.module)) for term in terms()]
    letters: dict[str, list] = {}
    for term, module in entries:
        letters.setdefault(term.term[0].upper(), []).append((term, module))
    return render_template("glossary/index.html", letters=letters, count=len(entries))
