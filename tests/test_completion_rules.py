"""The completion rules file: parsed into rules, and every mistake reported as file:line: message by
`flask content check`, including where the rules and the modules, drills and families disagree."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.completion.checks import check_completion
from course.completion.rules import REQUIREMENTS, AttendanceRule, parse_rules, rules_file
from course.config import DEFAULTS

BASE = """\
pass_percent: 80
modules:
  welcome: {required: true, counts: mark}
  harm-statements: {required: true, counts: check}
  before-you-begin:
    required: false
    counts: activity
    activity: {type: pre_check}
certificate:
  required_modules: true
  post_check: true
  evaluation: true
  accepted_set: true
  attendance: {days: [1, 2], partial_counts: true}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "completion.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_becomes_rules(tmp_path):
    rules, problems = parse_rules(_write(tmp_path, BASE.replace("harm-statements: {required: true, counts: check}",
                                                                "harm-statements: {required: true, counts: check, "
                                                                "pass_percent: 90}")))
    assert problems == []
    assert rules.pass_percent == 80 and rules.requirements == REQUIREMENTS
    assert rules.modules["harm-statements"].pass_percent == 90 and rules.modules["welcome"].counts == "mark"
    assert rules.modules["before-you-begin"].activity.type == "pre_check"
    assert rules.attendance == AttendanceRule((1, 2), True)
    assert rules.line_of_module["harm-statements"] == 4


def test_a_requirement_set_to_false_is_not_required(tmp_path):
    text = BASE.replace("  evaluation: true", "  evaluation: false").replace(
        "  attendance: {days: [1, 2], partial_counts: true}", "  attendance: false")
    rules, problems = parse_rules(_write(tmp_path, text))
    assert problems == [] and rules.requirements == ("required_modules", "post_check", "accepted_set")
    assert rules.attendance is None


@pytest.mark.parametrize("old, new, line, message", [
    ("pass_percent: 80", "pass_percent: 120", 1, "pass_percent must be a whole number from 1 to 100, not 120"),
    ("pass_percent: 80", "pass_percent: 80\ngrade: 5", 2, "unknown field 'grade'"),
    ("welcome: {required: true, counts: mark}", "welcome: {required: yes please, counts: mark}", 3,
     "module 'welcome': required must be true or false"),
    ("welcome: {required: true, counts: mark}", "welcome: {required: true, counts: click}", 3,
     "module 'welcome': counts must be one of check, activity, mark, not 'click'"),
    ("welcome: {required: true, counts: mark}", "welcome: {required: true, counts: mark, pass_percent: 70}", 3,
     "module 'welcome': pass_percent applies only to a module that counts by its check"),
    ("welcome: {required: true, counts: mark}", "welcome: {required: true, counts: mark, minutes: 20}", 3,
     "module 'welcome': unknown field 'minutes'"),
    ("harm-statements: {required: true, counts: check}",
     "harm-statements: {required: true, counts: check, activity: {type: pre_check}}", 4,
     "module 'harm-statements': an activity is only for counts: activity (this module counts by check)"),
    ("harm-statements: {required: true, counts: check}", "harm-statements: {required: true, counts: activity}", 4,
     "module 'harm-statements': counts: activity needs an activity"),
    ("    activity: {type: pre_check}", "    activity: {type: essay}", 8,
     "module 'before-you-begin': activity must be a mapping with a type (pre_check, drill, mapping)"),
    ("    activity: {type: pre_check}", "    activity: {type: drill}", 8,
     "module 'before-you-begin': an activity of type drill needs 'drill: <id>'"),
    ("    activity: {type: pre_check}", "    activity: {type: pre_check, drill: x}", 8,
     "module 'before-you-begin': activity of type pre_check takes only type, not 'drill'"),
    ("  evaluation: true\n", "", 9, "certificate: say whether 'evaluation' is required"),
    ("  evaluation: true", "  evaluation: sometimes", 12, "certificate: evaluation must be true or false"),
    ("  evaluation: true", "  evaluation: true\n  quiz_scores: true", 13,
     "certificate: unknown requirement 'quiz_scores'"),
    ("{days: [1, 2], partial_counts: true}", "{days: [1, 3], partial_counts: true}", 14,
     "certificate: attendance: days must list course days once each"),
    ("{days: [1, 2], partial_counts: true}", "{days: [1, 2]}", 14,
     "certificate: attendance: partial_counts must be true or false"),
    ("{days: [1, 2], partial_counts: true}", "yes", 14, "certificate: attendance must be false, or a mapping"),
    ("modules:\n", "modules: []\nx:\n", 2, "modules must map each module id to its rule"),
    ("pass_percent: 80", "pass_percent: [80", 2, "not valid YAML"),  # where the parser finds the list unclosed
])
def test_each_mistake_is_reported_at_its_line(tmp_path, old, new, line, message):
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    rules, problems = parse_rules(path)
    assert rules is None
    found = [(p.line, p.message) for p in problems]
    assert any(p.line == line and message in p.message and p.path.endswith("completion.yaml") for p in problems), (
        found)


def test_a_missing_file_means_the_built_in_defaults(tmp_path):
    rules, problems = rules_file(tmp_path).load()
    assert problems == [] and rules.pass_percent == 80 and rules.requirements == REQUIREMENTS
    assert not rules_file(tmp_path).present()


def test_the_shipped_rules_are_valid_and_list_every_module():
    settings = dict(DEFAULTS)
    assert rules_file(settings["CONTENT_DIR"]).present()
    assert check_completion(settings) == []
    rules, _ = rules_file(settings["CONTENT_DIR"]).load()
    assert rules.pass_percent == 80


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the course's content folder to break."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULTS["CONTENT_DIR"], target)
    return target


def _replace(path: Path, old: str, new: str) -> int:
    """Replace text in the rules file; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


@pytest.mark.parametrize("old, new, where, message", [
    ("  icpm: {required: true, counts: check}\n", "", "modules/04-icpm.md:2",
     "module 'icpm' is not in"),
    ("  icpm: {required: true, counts: check}", "  icpm: {required: true, counts: check}\n  icmp: {required: true, "
     "counts: check}", "completion.yaml:+1", "module 'icmp' does not exist"),
    ("  welcome:\n    required: true\n    counts: mark", "  welcome:\n    required: true\n    counts: check",
     "completion.yaml:0", "module 'welcome' has no knowledge check"),
    ("  icpm: {required: true, counts: check}", "  icpm: {required: true, counts: mark}", "completion.yaml:0",
     "module 'icpm' has a knowledge check ('icpm'); it must count by it"),
    ("    counts: mark\n", "    counts: activity\n    activity: {type: drill, drill: no-such-drill}\n",
     "completion.yaml:-2", "drill 'no-such-drill' does not exist"),
    ("    counts: mark\n", "    counts: activity\n    activity: {type: mapping, family: smith-family}\n",
     "completion.yaml:-2", "family 'smith-family' does not exist"),
])
def test_content_check_fails_a_rules_file_that_does_not_fit_the_course(content, runner, old, new, where, message):
    rules_path = content / "completion.yaml"
    line = _replace(rules_path, old, new)
    result = runner.invoke(args=["content", "check", "--content-dir", str(content)])
    assert result.exit_code == 1, result.output
    shown, _, offset = where.partition(":")
    # A module file's problem is at its front matter; a rules problem is counted from the line replaced.
    expected_line = int(offset) if shown.startswith("modules/") else line + int(offset)
    hits = [out for out in result.output.splitlines() if message in out]
    assert hits, result.output
    assert any(f"{shown}:{expected_line}: " in hit for hit in hits), (hits, expected_line)


def test_content_check_fails_a_bad_completion_file(content, runner):
    line = _replace(content / "completion.yaml", "pass_percent: 80", "pass_percent: eighty")
    result = runner.invoke(args=["content", "check", "--content-dir", str(content)])
    assert result.exit_code == 1
    assert f"completion.yaml:{line}: pass_percent must be a whole number from 1 to 100, not 'eighty'" in result.output
    assert "completion: 1 problem" in result.output


def test_a_quiz_file_may_not_set_its_own_threshold(content, runner):
    quiz = content / "quizzes" / "icpm.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("title:", "pass_percent: 60\ntitle:", 1),
                    encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--content-dir", str(content)])
    assert result.exit_code == 1
    assert "icpm.yaml:2: pass_percent is set in content/completion.yaml" in result.output
