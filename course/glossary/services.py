"""Glossary services the views and the module page call."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, url_for

from .linker import link_terms
from .loader import Term, glossary_for


def terms() -> list[Term]:
    """Return every glossary term, alphabetically."""
    return glossary_for(current_app.config["CONTENT_DIR"]).terms()


@lru_cache(maxsize=128)
def _linked(html: str, all_terms: tuple[Term, ...], glossary_url: str) -> str:
    """Link terms in rendered HTML, remembered per page text and glossary version."""
    return link_terms(html, list(all_terms), glossary_url)


def link_module_html(html: str) -> str:
    """Return a module's rendered HTML with the first use of each glossary term linked to its definition."""
    return _linked(html, tuple(terms()), url_for("glossary.index"))
