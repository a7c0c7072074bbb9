"""The `content check` checker for the glossary: schema, unique slugs and terms, and modules that exist."""
from __future__ import annotations

import os

from ..content_check import register_checker
from ..content_files import Problem
from ..module_files import library_for as module_library
from ..terms import glossary_for


@register_checker("glossary")
def check_glossary(settings: dict) -> list[Problem]:
    """Validate the glossary file and check every term's module exists."""
    glossary = glossary_for(settings["CONTENT_DIR"])
    problems = glossary.problems()
    module_ids = {module.id for module in module_library(settings["CONTENT_DIR"]).all()}
    shown = os.path.relpath(glossary.path)
    for term in glossary.terms():
        if term.module not in module_ids:
            problems.append(Problem(shown, term.line, f"term '{term.term}': module '{term.module}' does not exist"))
    return problems
