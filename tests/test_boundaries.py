"""Package boundaries, read from the source with ast: no feature imports another feature's routes, no cycles.

A feature package (a blueprint package under course/) offers what others may use in its __init__ or
services; its routes are its own. Shared pieces live below the features (course/grading.py,
course/feedback.py, course/names.py, course/terms.py ...), so no two features import each other.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parent.parent / "course"
NOT_FEATURES = {"models", "templates", "static"}


def feature_packages(root: Path = COURSE) -> set[str]:
    """The feature packages: folders under course/ with an __init__.py."""
    return {p.name for p in root.iterdir() if (p / "__init__.py").is_file() and p.name not in NOT_FEATURES}


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module a source file imports, as (line, absolute dotted name); 'from x import y' gives x.y and x."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1]) if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def course_modules(root: Path = COURSE):
    """Yield (dotted module name, is_package, source) for every Python file under course/."""
    for path in sorted(root.rglob("*.py")):
        parts = ("course", *path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), is_package, path.read_text(encoding="utf-8")


def feature_of(module: str, features: set[str]) -> str | None:
    """The feature package a dotted module name belongs to, if any."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "course" and parts[1] in features else None


def routes_violations(module: str, is_package: bool, source: str, features: set[str]) -> list[str]:
    """Imports of another feature package's routes module from this module."""
    mine = feature_of(module, features)
    out = []
    for line, target in imported_modules(source, module, is_package):
        parts = target.split(".")
        other = feature_of(target, features)
        if other and other != mine and len(parts) >= 3 and parts[2] == "routes":
            out.append(f"{module} line {line} imports {'.'.join(parts[:3])}")
    return sorted(set(out))


def feature_graph(features: set[str]) -> dict[str, set[str]]:
    """Which feature packages each feature package imports."""
    graph: dict[str, set[str]] = {f: set() for f in features}
    for module, is_package, source in course_modules():
        mine = feature_of(module, features)
        for _line, target in imported_modules(source, module, is_package):
            other = feature_of(target, features)
            if mine and other and other != mine:
                graph[mine].add(other)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle in the graph, each as the list of packages around it (found by depth-first search)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_module_imports_another_features_routes():
    features = feature_packages()
    assert {"exercises", "drills", "review", "cohorts", "curriculum", "glossary"} <= features
    problems = [p for module, is_package, source in course_modules()
                for p in routes_violations(module, is_package, source, features)]
    assert not problems, "import what the package offers in its __init__ or services instead:\n" + "\n".join(problems)


def test_feature_packages_do_not_import_each_other():
    found = cycles(feature_graph(feature_packages()))
    assert not found, f"feature packages import each other (move the shared piece down): {found}"


FEATURES = {"exercises", "drills", "review"}


@pytest.mark.parametrize("module, is_package, source, expected", [
    ("course.exercises.statements", False, "from .routes import vignette_or_404", []),  # its own routes
    ("course.exercises", True, "from . import routes, statements", []),
    ("course.drills.routes", False, "from ..exercises.services import grade_draft", []),
    ("course.drills.routes", False, "from ..exercises.routes import KIND_SLUGS",
     ["course.drills.routes line 1 imports course.exercises.routes"]),
    ("course.drills.services", False, "from ..exercises import routes",
     ["course.drills.services line 1 imports course.exercises.routes"]),
    ("course.review.exports", False, "import course.exercises.routes",
     ["course.review.exports line 1 imports course.exercises.routes"]),
    ("course.grading", False, "from .exercises.routes import x",
     ["course.grading line 1 imports course.exercises.routes"]),
])
def test_the_routes_check_finds_every_form_of_import(module, is_package, source, expected):
    assert routes_violations(module, is_package, source, FEATURES) == expected


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": set()}, []),
    ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c", "a"]]),
])
def test_the_cycle_check_finds_cycles(graph, expected):
    assert cycles(graph) == expected
