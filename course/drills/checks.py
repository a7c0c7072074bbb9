"""Content checks for `flask content check`: the rewrite drills."""
from __future__ import annotations

from ..content_check import register_checker
from ..content_files import Problem
from .loader import check_drills


@register_checker("drills")
def drills_checker(settings: dict) -> list[Problem]:
    """Validate every drill, including that its vignette exists."""
    return check_drills(settings["DRILLS_DIR"], settings["VIGNETTES_DIR"])
