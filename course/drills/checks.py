"""Content checks for `flask content check`: the rewrite drills."""
from __future__ import annotations

from ..completion.rules import rules_file
from ..content_check import register_checker
from ..content_files import Problem
from .loader import check_drills, library_for


@register_checker("drills")
def drills_checker(settings: dict) -> list[Problem]:
    """Validate every drill, including that its vignette exists."""
    return check_drills(settings["DRILLS_DIR"], settings["VIGNETTES_DIR"])


@register_checker("completion drills")
def completion_drills_checker(settings: dict) -> list[Problem]:
    """Check that every drill the completion rules name as a module's activity exists."""
    found, _problems = rules_file(settings["CONTENT_DIR"]).load()  # the completion checker reports the file's own
    if found is None:
        return []
    drills = {drill.id for drill in library_for(settings["DRILLS_DIR"], settings["VIGNETTES_DIR"]).all()}
    return [Problem(found.path, rule.line, f"module '{module_id}': drill '{rule.activity.target}' does not exist in "
                                           f"{settings['DRILLS_DIR']}")
            for module_id, rule in found.modules.items()
            if rule.activity is not None and rule.activity.type == "drill" and rule.activity.target not in drills]
