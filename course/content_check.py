"""`content check`: validate every content file and report problems as file:line: message."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .curriculum.diagrams import INCLUDE_ANYWHERE, diagram_set, include_name
from .curriculum.render import SLIDE_WORD_LIMIT, slide_blocks, split_h2
from .module_files import Problem, library_for

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


@register_checker("diagrams")
def check_diagrams(settings: dict) -> list[Problem]:
    """Validate every SVG in content/diagrams: XML, role, title, description, nothing loaded from outside."""
    return list(diagram_set(Path(settings["CONTENT_DIR"], "diagrams")).problems)


@register_checker("slides")
def check_slides(settings: dict) -> list[Problem]:
    """Check each module's slide blocks (at most 40 words, one per section) and its diagram includes."""
    known = set(diagram_set(Path(settings["CONTENT_DIR"], "diagrams")).diagrams)
    problems = []
    for module in library_for(settings["CONTENT_DIR"]).all():
        problems += slide_problems(module.body, module.path, module.body_line, known)
    return problems


def slide_problems(body: str, path: str, first_line: int, known: set[str]) -> list[Problem]:
    """Return the problems with one module body's slide blocks and diagram lines."""
    problems = []
    offset = first_line - 1
    for section in split_h2(body):
        blocks = slide_blocks(section.markdown)
        for extra in blocks[1:]:
            problems.append(Problem(path, offset + extra.line, f"section '{section.title}' has more than one slide "
                                                               "block: keep one `!!! slide` per `##` section"))
        for block in blocks:
            line = offset + block.line
            if not block.body.strip():
                problems.append(Problem(path, line, "the slide block is empty: indent its text by four spaces "
                                                    "under `!!! slide`"))
            elif block.word_count > SLIDE_WORD_LIMIT:
                problems.append(Problem(path, line, f"the slide has {block.word_count} words of body text; at most "
                                                    f"{SLIDE_WORD_LIMIT} fit a projected slide: move the rest into the "
                                                    "section's prose (it becomes the trainer notes)"))
        offset += section.markdown.count("\n")
    problems += _include_problems(body, path, first_line, known)
    return problems


def _include_problems(body: str, path: str, first_line: int, known: set[str]) -> list[Problem]:
    """Return a problem for each diagram include that names no diagram or is not on a line of its own."""
    problems = []
    names = ", ".join(sorted(known)) or "none yet"
    for number, line in enumerate(body.splitlines(), first_line):
        name = include_name(line)
        if name is None:
            if INCLUDE_ANYWHERE.search(line):
                problems.append(Problem(path, number, "write a diagram include alone on its line, as "
                                                      "`[[diagram: name]]`"))
        elif name not in known:
            problems.append(Problem(path, number, f"unknown diagram '{name}': use one of {names} "
                                                  "(files in content/diagrams/)"))
    return problems


def _load_feature_checkers() -> None:
    """Import the feature modules that register more checkers (vignettes, quizzes, glossary, agenda and kit)."""
    # Imported here, not at the top: each of them imports register_checker from this module.
    from .completion import checks as _completion_checks  # noqa: F401
    from .curriculum import plan_checks as _plan_checks  # noqa: F401
    from .drills import checks as _drill_checks  # noqa: F401
    from .exercises import checks as _exercise_checks  # noqa: F401
    from .glossary import checks as _glossary_checks  # noqa: F401
    from .quizzes import checks as _quiz_checks  # noqa: F401


def run_checks(settings: dict) -> dict[str, list[Problem]]:
    """Run every checker and return its problems, by checker name."""
    _load_feature_checkers()
    return {name: fn(settings) for name, fn in _CHECKERS}
