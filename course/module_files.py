"""Load course modules from Markdown files with YAML front matter, validating as we go."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .content_files import ContentLibrary, Problem, display_path, key_lines, mark_line

OBJECTIVE_RANGE = range(1, 11)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("id", "title", "day", "order", "minutes", "objectives", "summary")
OPTIONAL_FIELDS = ("prework", "quiz")


class ContentError(ValueError):
    """Raised when content cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Module:
    """A course module: its front matter and Markdown body."""

    id: str
    title: str
    day: int
    order: int
    minutes: int
    objectives: list[int]
    summary: str
    body: str
    path: str
    body_line: int  # line number in the file where the body starts
    prework: bool = False
    quiz: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple:
        """Order modules by day, then pre-work first, then their order."""
        return (self.day, 0 if self.prework else 1, self.order, self.id)


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Split a file into front-matter text and body; return the body's first line number."""
    lines = text.split("\n")  # lines as an editor counts them (not at U+2028 and the like)
    if not lines or lines[0].strip() != "---":
        raise ContentError([Problem(path, 1, "missing front matter: the file must start with a '---' line")])
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1 :]), index + 2
    raise ContentError([Problem(path, 1, "front matter is not closed: add a '---' line after it")])


def _key_lines(front_matter: str) -> dict[str, int]:
    """Map each top-level key to its line within the front matter (1-based)."""
    try:
        return key_lines(yaml.compose(front_matter))
    except yaml.YAMLError:
        return {}


def parse_module(path: Path) -> Module:
    """Parse and validate one module file, raising ContentError with every problem."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(shown, 1, f"not valid UTF-8 text ({exc.reason})")]) from exc
    front, body, body_line = split_front_matter(text, shown)
    try:
        data = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        # The construct's start (context_mark) is usually where the author slipped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = (mark_line(mark) + 1) if mark else 2
        raise ContentError(
            [Problem(shown, line, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from exc
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, 2, "front matter must be a mapping of keys to values")])
    lines = _key_lines(front)
    problems = _validate_front_matter(data, shown, lambda key: lines.get(key, 1) + 1)
    if problems:
        raise ContentError(problems)
    extra = {k: v for k, v in data.items() if k not in REQUIRED_FIELDS + OPTIONAL_FIELDS}
    return Module(
        id=data["id"], title=str(data["title"]), day=data["day"], order=data["order"], minutes=data["minutes"],
        objectives=list(data["objectives"]), summary=str(data["summary"]).strip(), body=body, path=shown,
        body_line=body_line, prework=bool(data.get("prework", False)), quiz=data.get("quiz"), extra=extra,
    )


def _validate_front_matter(data: dict, shown: str, line_of) -> list[Problem]:
    """Return a problem for each missing or malformed front-matter field."""
    problems = []
    for key in REQUIRED_FIELDS:
        if key not in data or data[key] in (None, ""):
            problems.append(Problem(shown, line_of(key) if key in data else 2, f"missing required field '{key}'"))
    for key in data:
        if key not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            problems.append(
                Problem(
                    shown,
                    line_of(key),
                    f"unknown field '{key}' (allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})",
                )
            )
    if isinstance(data.get("id"), str) and not ID_PATTERN.match(data["id"]):
        problems.append(
            Problem(shown, line_of("id"), "id must be lower-case words joined by hyphens, like 'harm-statements'")
        )
    elif "id" in data and not isinstance(data["id"], str):
        problems.append(Problem(shown, line_of("id"), "id must be text"))
    if "day" in data and data["day"] not in (1, 2):
        problems.append(Problem(shown, line_of("day"), f"day must be 1 or 2, not {data['day']!r}"))
    for key in ("order", "minutes"):
        value = data.get(key)
        if key in data and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(Problem(shown, line_of(key), f"{key} must be a whole number of 0 or more, not {value!r}"))
    if "minutes" in data and isinstance(data["minutes"], int) and data["minutes"] == 0:
        problems.append(Problem(shown, line_of("minutes"), "minutes must be more than 0"))
    objectives = data.get("objectives")
    if "objectives" in data:
        if not isinstance(objectives, list) or not objectives:
            problems.append(
                Problem(shown, line_of("objectives"), "objectives must be a non-empty list of objective numbers 1-10")
            )
        else:
            bad = [o for o in objectives if not isinstance(o, int) or isinstance(o, bool) or o not in OBJECTIVE_RANGE]
            if bad:
                problems.append(Problem(shown, line_of("objectives"), f"objectives must be numbers 1-10; found {bad}"))
    if "prework" in data and not isinstance(data["prework"], bool):
        problems.append(Problem(shown, line_of("prework"), "prework must be true or false"))
    if "quiz" in data and data["quiz"] is not None and not isinstance(data["quiz"], str):
        problems.append(Problem(shown, line_of("quiz"), "quiz must be the id of a quiz file"))
    return problems


class ModuleLibrary(ContentLibrary[Module]):
    """All modules in a folder, in course order, reloaded when any file changes (cheap to ask on every request)."""

    pattern = "*.md"

    def _load(self, paths: list[Path]) -> tuple[list[Module], list[Problem]]:
        """Parse every module file; return the valid modules in course order and every problem."""
        modules, problems = [], []
        for path in paths:
            try:
                modules.append(parse_module(path))
            except ContentError as exc:
                problems.extend(exc.problems)
        problems.extend(_duplicate_id_problems(modules))
        modules.sort(key=lambda m: m.sort_key)
        return modules, problems

    def neighbours(self, module_id: str) -> tuple[Module | None, Module | None]:
        """Return the modules before and after this one in course order."""
        modules = self.all()
        for index, module in enumerate(modules):
            if module.id == module_id:
                before = modules[index - 1] if index > 0 else None
                after = modules[index + 1] if index + 1 < len(modules) else None
                return before, after
        return None, None


def _duplicate_id_problems(modules: list[Module]) -> list[Problem]:
    """Return a problem for each module id used by more than one file."""
    seen: dict[str, Module] = {}
    problems = []
    for module in modules:
        if module.id in seen:
            problems.append(Problem(module.path, 2, f"id '{module.id}' is already used by {seen[module.id].path}"))
        else:
            seen[module.id] = module
    return problems


_libraries: dict[str, ModuleLibrary] = {}


def library_for(directory: str) -> ModuleLibrary:
    """Return the shared library for a content folder (a per-process cache of files, not state)."""
    key = str(Path(directory) / "modules")
    if key not in _libraries:
        _libraries[key] = ModuleLibrary(key)
    return _libraries[key]
