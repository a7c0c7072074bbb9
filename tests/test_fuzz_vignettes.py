"""Property tests: the vignette loader reports problems at file:line, or loads cleanly, whatever a file holds.

Hypothesis starts from a real vignette and drops keys, adds unknown ones, swaps values for other types and
random text, mutates roster entries, facts, prompts and exemplars, or writes arbitrary text as the file.
`check_vignettes(dir)` must return Problem objects (never raise), and a file without problems must load."""
from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from course.content_files import Problem
from course.vignettes import REQUIRED, Vignette, all_vignettes, check_vignettes

REPO = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((REPO / "vignettes" / "hill-family.yaml").read_text(encoding="utf-8"))
PROBLEM_LINE = re.compile(r"^(?P<path>.+\.yaml):(?P<line>\d+): (?P<message>.+)$", re.S)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40), st.sampled_from(["", "   ", "child", "harm", "she/her", "2001-13-45", "hill-family"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
field_names = st.sampled_from(list(REQUIRED) + ["name", "short", "role", "age", "pronouns", "relation", "text",
                                                "category", "explanation", "extra", "harm", "danger", "safety_goal",
                                                "sf_question", "notes"])


@st.composite
def mutated_vignette(draw) -> dict:
    """Return the hill-family vignette with random keys dropped, added, retyped or replaced by random text."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(0, 6))):
        target = draw(st.sampled_from(["top", "roster", "fact", "prompts", "exemplars"]))
        if target == "top":
            container = data
        elif target in ("roster", "fact"):
            items = data.get("roster" if target == "roster" else "mapping_facts")
            if not isinstance(items, list) or not items:
                continue
            index = draw(st.integers(0, len(items) - 1))
            if draw(st.booleans()) and draw(st.booleans()):
                items[index] = draw(values)  # the whole entry becomes something else
                continue
            container = items[index]
        else:
            container = data.get(target)
        if not isinstance(container, dict):
            continue
        operation = draw(st.sampled_from(["drop", "add", "retype", "text"]))
        keys = sorted(container, key=str)
        if operation == "add":
            container[draw(field_names)] = draw(values)
        elif keys:
            key = draw(st.sampled_from(keys))
            if operation == "drop":
                del container[key]
            elif operation == "retype":
                container[key] = draw(values)
            else:
                container[key] = draw(st.text(max_size=60))
    return data


def _check(files: dict[str, str]) -> list[Problem]:
    """Write the files to a fresh folder, check them, and verify every problem's form; return the problems."""
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        problems = check_vignettes(folder)  # any exception other than a returned problem fails the test
        assert isinstance(problems, list)
        for problem in problems:
            assert isinstance(problem, Problem)
            match = PROBLEM_LINE.match(str(problem))
            assert match, f"not file:line: message: {problem}"
            assert Path(match["path"]).name in files, f"problem names another file: {problem}"
            lines = files[Path(match["path"]).name].count("\n") + 1
            assert 0 <= problem.line <= lines + 1, f"line {problem.line} outside a {lines}-line file: {problem}"
            assert problem.message.strip()
        if not problems:
            loaded = all_vignettes(folder)
            assert len(loaded) == len(files) and all(isinstance(v, Vignette) for v in loaded)
        return problems


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_vignette())
def test_mutated_vignettes_give_problems_or_load(data):
    name = f"{data['id']}.yaml" if isinstance(data, dict) and isinstance(data.get("id"), str) and re.fullmatch(
        r"[a-z0-9-]{1,40}", data["id"]) else "fuzz-case.yaml"
    problems = _check({name: _dump(data)})
    if data == BASE:
        assert problems == []
    for problem in problems:  # problems in a list entry name the entry, by its name or id or number
        if "roster entry" in problem.message or "mapping fact" in problem.message:
            assert re.search(r"(roster entry|mapping fact) ('[^']*'|#\d+)", problem.message), problem.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(values, st.dictionaries(field_names, values, max_size=12)))
@example(data={"id": "fuzz-case", "title": "2001-13-45"})
@example(data={"id": "fuzz-case", "title": "a\u2028b\u0085c\u2029d", "summary": ["\u2028"] * 4, "roster": 1})
@example(data=[[[[[]]]]])
def test_random_structures_give_problems(data):
    problems = _check({"fuzz-case.yaml": _dump(data)})
    assert problems, "random data passed as a vignette"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
@example(text="title: 2001-13-45\n")
@example(text="id: fuzz-case\ntitle: 2024-02-30\n")
@example(text="a: &x [*x]\n")
@example(text="? [a, b]\n: 1\n")
@example(text="[" * 2000)
@example(text="key: !!python/object:os.system ls\n")
@example(text="\ufeffid: fuzz-case\n\x00")
def test_random_text_gives_problems(text):
    problems = _check({"fuzz-case.yaml": text})
    assert problems, "random text passed as a vignette"


def _set(path: tuple, value) -> dict:
    """Return a copy of the base vignette with one nested value replaced."""
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value", [
    (("mapping_facts", 0, "category"), ["harm"]),  # unhashable where a column name belongs
    (("mapping_facts", 0, "category"), {"a": 1}),
    (("mapping_facts", 0, "id"), ["f1"]),
    (("mapping_facts", 0), "just text"),
    (("roster", 0, "role"), ["child"]),
    (("roster", 0, "name"), {"first": "Jayden"}),
    (("roster", 0, "age"), [7]),
    (("roster", 0, "pronouns"), 7),
    (("prompts", "harm"), ["x"]),
    (("exemplars", "danger"), "one statement"),
    (("exemplars", "harm"), {"text": "x"}),
    (("danger_only",), "yes"),
    (("id",), ["hill-family"]),
    (("content_notes",), "one note"),
    (("narrative",), 12),
])
def test_wrong_types_in_known_places_give_problems(path, value):
    problems = _check({"hill-family.yaml": _dump(_set(path, value))})
    assert problems, f"{path} = {value!r} passed"


@pytest.mark.parametrize("vignette_file", sorted((REPO / "vignettes").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_real_vignettes_load_cleanly(vignette_file):
    assert _check({vignette_file.name: vignette_file.read_text(encoding="utf-8")}) == []
