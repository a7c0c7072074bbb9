"""Glossary services the glossary page calls."""
from __future__ import annotations

from flask import current_app

from ..terms import Term, glossary_for


def terms() -> list[Term]:
    """Return every glossary term, alphabetically."""
    return glossary_for(current_app.config["CONTENT_DIR"]).terms()
