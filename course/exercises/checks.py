"""Content checks for `flask content check`: the vignettes."""
from __future__ import annotations

from ..content_check import register_checker
from ..content_files import Problem
from ..vignettes import check_vignettes


@register_checker("vignettes")
def vignettes_checker(settings: dict) -> list[Problem]:
    """Validate every vignette file."""
    return check_vignettes(settings["VIGNETTES_DIR"])
