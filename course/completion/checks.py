"""The `content check` checker for the completion rules: the file itself, and its fit with the modules and
families it names (the drills checker checks the drills it names: completion reads no feature below it)."""
from __future__ import annotations

from pathlib import Path

from ..content_check import register_checker
from ..content_files import Problem
from ..module_files import library_for as module_library
from .rules import rules_file
from .services import module_problems


def _family_ids(vignettes_dir: str) -> set[str]:
    """Return the family (vignette) ids in a folder: each file's name, as the vignette loader requires."""
    return {path.stem for path in Path(vignettes_dir).glob("*.yaml")}


@register_checker("completion")
def check_completion(settings: dict) -> list[Problem]:
    """Validate content/completion.yaml: its fields, every module listed once with a rule that fits it, and
    each mapping activity's family existing."""
    found, problems = rules_file(settings["CONTENT_DIR"]).load()
    if found is None:
        return problems
    problems = module_problems(found, module_library(settings["CONTENT_DIR"]).all())
    families = _family_ids(settings["VIGNETTES_DIR"])
    for module_id, rule in found.modules.items():
        activity = rule.activity
        if activity is None:
            continue
        if activity.type == "mapping" and activity.target not in families:
            problems.append(Problem(found.path, rule.line, f"module '{module_id}': family '{activity.target}' does "
                                                           f"not exist (no {activity.target}.yaml in "
                                                           f"{settings['VIGNETTES_DIR']})"))
    return problems
