"""`content check`: validate every content file and report problems as file:line: message."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .curriculum.loader import Problem, library_for

Checker = Callable[[dict], list[Problem]]
_CHECKERS: list[tuple[str, Checker]] = []


def register_checker(name: str) -> Callable[[Checker], Checker]:
    """Add a checker (it receives the settings dict and returns problems)."""

    def decorator(fn: Checker) -> Checker:
        if name not in [n for n, _ in _CHECKERS]:
            _CHECKERS.append((name, fn))
        return fn

    return decorator


@register_checker("modules")
def check_modules(settings: dict) -> list[Problem]:
    """Validate every module file and the course structure."""
    library = library_for(settings["CONTENT_DIR"])
    problems = library.problems()
    if not Path(settings["CONTENT_DIR"], "modules").is_dir():
        problems.append(Problem(str(Path(settings["CONTENT_DIR"], "modules")), 0, "the modules folder is missing"))
    return problems


def _load_feature_checkers() -> None:
    """Import the feature modules that register more checkers (vignettes, quizzes, glossary)."""
    # Imported here, not at the top: each of them imports register_checker from this module.
    from .completion import checks as _completion_checks  # noqa: F401
    from .exercises import checks as _exercise_checks  # noqa: F401
    from .glossary import checks as _glossary_checks  # noqa: F401
    from .quizzes import checks as _quiz_checks  # noqa: F401


def run_checks(settings: dict) -> dict[str, list[Problem]]:
    """Run every checker and return its problems, by checker name."""
    _load_feature_checkers()
    return {name: fn(settings) for name, fn in _CHECKERS}
