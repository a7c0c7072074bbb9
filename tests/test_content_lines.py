"""Problems point at the line an editor shows, even when a value holds a YAML-only line break.

YAML also breaks lines at U+0085, U+2028 and U+2029; editors and `count("\\n")` do not. Every loader
reports lines by "\\n" only (course.content_files.mark_line).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from course.drills.loader import validate_file as validate_drills
from course.module_files import ContentError, parse_module
from course.quizzes.loader import validate_file as validate_quiz
from course.vignettes import check_vignettes

BREAKS = ["\u0085", "\u2028", "\u2029"]


def _lines(text: str) -> int:
    """Return the number of lines as an editor counts them."""
    return text.count("\n") + 1


@pytest.mark.parametrize("brk", BREAKS)
def test_vignette_problem_lines_stay_inside_the_file(tmp_path, brk):
    text = f'id: fuzz-case\ntitle: "a{brk}b{brk}c{brk}d"\nsummary: [\n'
    (tmp_path / "fuzz-case.yaml").write_text(text, encoding="utf-8")
    problems = check_vignettes(tmp_path)
    assert problems and all(1 <= p.line <= _lines(text) for p in problems), problems


@pytest.mark.parametrize("brk", BREAKS)
def test_quiz_problem_lines_count_newlines_only(tmp_path, brk):
    text = f'id: fuzz\ntitle: "T{brk}{brk}{brk}"\nitems:\n  - id: q1\n    type: nonsense\n'
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = validate_quiz(path)
    assert problems and all(1 <= p.line <= _lines(text) for p in problems), problems
    assert any(p.line == 5 for p in problems), problems  # the bad type is on line 5


@pytest.mark.parametrize("brk", BREAKS)
def test_drill_problem_lines_count_newlines_only(tmp_path, brk):
    text = f'- id: d1\n  kind: harm\n  prompt: "a{brk}{brk}{brk}b"\n- id: d2\n  kind: nonsense\n'
    path = tmp_path / "drills.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = validate_drills(path, None, {})
    assert problems and all(1 <= p.line <= _lines(text) for p in problems), problems


@pytest.mark.parametrize("brk", BREAKS)
def test_module_front_matter_lines_count_newlines_only(tmp_path, brk):
    text = f'---\ntitle: "a{brk}{brk}{brk}b"\nday: [\n---\nBody\n'
    path = tmp_path / "01-fuzz.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        parse_module(Path(path))
    assert all(1 <= p.line <= _lines(text) for p in caught.value.problems), caught.value.problems
