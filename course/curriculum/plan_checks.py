"""`content check` checkers for the course plan: the two-day agenda and the trainer's kit data."""
from __future__ import annotations

from ..content_check import register_checker
from ..content_files import Problem
from ..module_files import library_for
from ..vignettes import all_vignettes
from .agenda import load_agenda
from .kit import load_kit


@register_checker("agenda")
def check_agenda(settings: dict) -> list[Problem]:
    """Validate content/agenda.yaml against the modules: every module placed once, each day fits its hours."""
    return load_agenda(settings["CONTENT_DIR"], library_for(settings["CONTENT_DIR"]).all())[1]


@register_checker("kit")
def check_kit(settings: dict) -> list[Problem]:
    """Validate the facilitation guides and role-play cards in content/kit/."""
    modules = library_for(settings["CONTENT_DIR"]).all()
    return load_kit(settings["CONTENT_DIR"], modules, all_vignettes(settings["VIGNETTES_DIR"]))[1]
