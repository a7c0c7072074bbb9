"""Content checks for `flask content check`: the vignettes and the rewrite drills."""
from __future__ import annotations

from ..content_check import register_checker
from ..curriculum.loader import Problem
from ..drills.loader import check_drills
from ..vignettes import check_vignettes


@register_checker("vignettes")
def vignettes_checker(settings: dict) -> list[Problem]:
    """Validate every vignette file."""
    return check_vignettes(settings["VIGNETTES_DIR"])


@register_checker("drills")
def drills_checker(settings: dict) -> list[Problem]:
    """Validate every drill, including that its vignette exists."""
    return check_drills(settings["DRILLS_DIR"], settings["VIGNETTES_DIR"])
